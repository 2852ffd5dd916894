package deep

import (
	"fmt"
	"math/bits"
	"reflect"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// Guest words are little-endian; guestkit runs on little-endian hosts, so
// these are plain (possibly unaligned) loads and stores.

func load(p unsafe.Pointer, w uint64) uint64 {
	switch w {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}

func put(p unsafe.Pointer, w uint64, v uint64) {
	switch w {
	case 1:
		*(*uint8)(p) = uint8(v)
	case 2:
		*(*uint16)(p) = uint16(v)
	case 4:
		*(*uint32)(p) = uint32(v)
	default:
		*(*uint64)(p) = v
	}
}

func signExtend(v, w uint64) uint64 {
	shift := 64 - 8*w
	return uint64(int64(v<<shift) >> shift)
}

// scalarPlan moves a bool, integer, enum, flags or float laid out as l
// (whose guest width may be narrower than the Go type's).
func scalarPlan(t reflect.Type, l *layout.Layout) *plan {
	w, gw := l.Size, uint64(t.Size())
	signed := l.Kind == layout.Int
	chk := l.Check
	valid := func(v uint64) bool {
		switch chk.Kind {
		case layout.CheckBool:
			return v <= 1
		case layout.CheckEnum:
			return v < chk.Cases
		case layout.CheckFlags:
			return v&^chk.Mask == 0
		}
		return true
	}
	invalid := func(v uint64) error {
		switch chk.Kind {
		case layout.CheckBool:
			return &marshal.FieldError{Value: v, Err: marshal.ErrInvalidBool, Detail: fmt.Sprint(v)}
		case layout.CheckEnum:
			return &marshal.FieldError{Value: v, Err: marshal.ErrInvalidEnum, Detail: fmt.Sprintf("%d (%s has %d cases)", v, layout.TypeName(t), chk.Cases)}
		}
		return &marshal.FieldError{Value: v, Err: marshal.ErrInvalidFlags, Detail: fmt.Sprintf("%#x (unknown bits %#x)", v, v&^chk.Mask)}
	}
	p := &plan{t: t, l: l, size: l.Size, align: l.Align, goSize: t.Size()}
	p.load = func(_ *loader, src, dst unsafe.Pointer, _ int) error {
		v := load(src, w)
		if !valid(v) {
			return invalid(v)
		}
		if signed {
			v = signExtend(v, w)
		}
		put(dst, gw, v)
		return nil
	}
	p.measure = func(_ *storer, src unsafe.Pointer, _ int) error {
		v := load(src, gw)
		if signed {
			if x := signExtend(v, gw); signExtend(x, w) != x {
				return &marshal.FieldError{Value: x, Err: marshal.ErrValueRange, Detail: fmt.Sprintf("%d does not fit i%d", int64(x), 8*w)}
			}
		} else if w < 8 && v>>(8*w) != 0 {
			return &marshal.FieldError{Value: v, Err: marshal.ErrValueRange, Detail: fmt.Sprintf("%d does not fit u%d", v, 8*w)}
		}
		if !valid(v) {
			return invalid(v)
		}
		return nil
	}
	p.store = func(_ *storer, dst, v unsafe.Pointer) { put(dst, w, load(v, gw)) }
	return p
}

// plainLoad and friends move a type that is its own mirror with marshal.
func plainLoad(p *plan) func(*loader, unsafe.Pointer, unsafe.Pointer, int) error {
	return func(ld *loader, src, dst unsafe.Pointer, _ int) error {
		return p.dyn.Decode(unsafe.Slice((*byte)(src), p.size), dst, ld.mem)
	}
}

func plainMeasure(p *plan) func(*storer, unsafe.Pointer, int) error {
	return func(_ *storer, v unsafe.Pointer, _ int) error { return p.dyn.Check(v) }
}

func plainStore(p *plan) func(*storer, unsafe.Pointer, unsafe.Pointer) {
	return func(_ *storer, dst, v unsafe.Pointer) { p.dyn.Encode(unsafe.Slice((*byte)(dst), p.size), v) }
}

// sliceHeader is the layout of a Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// stringLoad reads a (pointer, length) pair and copies the string.
func stringLoad(ld *loader, src, dst unsafe.Pointer, _ int) error {
	addr, n := load(src, ld.w), load(unsafe.Add(src, ld.w), ld.w)
	if n > ld.bytesLeft {
		return ld.limit("Bytes", "a string", n, ld.bytesLeft)
	}
	b, err := ld.region(addr, n, 1, 1)
	if err != nil {
		return err
	}
	ld.bytesLeft -= n
	if n == 0 {
		*(*string)(dst) = ""
		return nil
	}
	s := string(b)
	if !utf8.ValidString(s) {
		return invalidUTF8(s)
	}
	*(*string)(dst) = s
	return nil
}

func invalidUTF8(s string) error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Errorf("%w at byte %d (%#x)", guestptr.ErrInvalidUTF8, i, s[i])
		}
		i += size
	}
	return guestptr.ErrInvalidUTF8
}

func stringMeasure(st *storer, v unsafe.Pointer, _ int) error {
	s := *(*string)(v)
	if !utf8.ValidString(s) {
		return invalidUTF8(s)
	}
	return st.block(uint64(len(s)), 1, "a string")
}

func stringStore(st *storer, dst, v unsafe.Pointer) {
	s := *(*string)(v)
	addr, at := st.next(uint64(len(s)))
	put(dst, st.w, addr)
	put(unsafe.Add(dst, st.w), st.w, uint64(len(s)))
	copy(at, s)
}

// sliceLoad reads a (pointer, length) pair and the elements.
func sliceLoad(t reflect.Type, elem *plan) func(*loader, unsafe.Pointer, unsafe.Pointer, int) error {
	what := fmt.Sprintf("a list of %s", layout.TypeName(t.Elem()))
	return func(ld *loader, src, dst unsafe.Pointer, depth int) error {
		addr, n := load(src, ld.w), load(unsafe.Add(src, ld.w), ld.w)
		if n > ld.elemsLeft {
			return ld.limit("Elements", what, n, ld.elemsLeft)
		}
		hi, goBytes := bits.Mul64(n, uint64(elem.goSize))
		if hi != 0 || goBytes > ld.bytesLeft {
			return ld.limit("Bytes", what, satMul(n, uint64(elem.goSize)), ld.bytesLeft)
		}
		if depth+1 > ld.lim.Depth {
			return ld.depth(what, depth+1)
		}
		b, err := ld.region(addr, n, elem.size, elem.align)
		if err != nil {
			return err
		}
		ld.elemsLeft -= n
		ld.bytesLeft -= goBytes
		if n == 0 {
			*(*sliceHeader)(dst) = sliceHeader{}
			return nil
		}
		// Grow the (zeroed) slice in place: one allocation, the array.
		*(*sliceHeader)(dst) = sliceHeader{}
		sv := reflect.NewAt(t, dst).Elem()
		sv.Grow(int(n))
		sv.SetLen(int(n))
		data := (*sliceHeader)(dst).data
		if elem.plain && elem.dyn.Transparent() {
			copy(unsafe.Slice((*byte)(data), len(b)), b)
		} else {
			s := unsafe.Pointer(unsafe.SliceData(b))
			for i := range n {
				if err := elem.load(ld, unsafe.Add(s, i*elem.size), unsafe.Add(data, uintptr(i)*elem.goSize), depth+1); err != nil {
					return within(err, layout.IndexStep(i))
				}
			}
		}
		return nil
	}
}

func satMul(a, b uint64) uint64 {
	if hi, lo := bits.Mul64(a, b); hi == 0 {
		return lo
	}
	return 1<<64 - 1
}

func sliceMeasure(elem *plan) func(*storer, unsafe.Pointer, int) error {
	return func(st *storer, v unsafe.Pointer, depth int) error {
		h := (*sliceHeader)(v)
		n := uint64(h.len)
		if n > st.elemsLeft {
			return st.limit("Elements", "a list", n, st.elemsLeft)
		}
		st.elemsLeft -= n
		if n == 0 {
			return nil
		}
		if depth+1 > st.lim.Depth {
			return st.depth("a list", depth+1)
		}
		if err := st.block(satMul(n, elem.size), elem.align, "a list"); err != nil {
			return err
		}
		if elem.plain && elem.dyn.Transparent() {
			return nil
		}
		for i := range n {
			if err := elem.measure(st, unsafe.Add(h.data, uintptr(i)*elem.goSize), depth+1); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
		return nil
	}
}

func sliceStore(elem *plan) func(*storer, unsafe.Pointer, unsafe.Pointer) {
	return func(st *storer, dst, v unsafe.Pointer) {
		h := (*sliceHeader)(v)
		n := uint64(h.len)
		if n == 0 {
			put(dst, st.w, 0)
			put(unsafe.Add(dst, st.w), st.w, 0)
			return
		}
		addr, at := st.next(n * elem.size)
		put(dst, st.w, addr)
		put(unsafe.Add(dst, st.w), st.w, n)
		if elem.plain && elem.dyn.Transparent() {
			copy(at, unsafe.Slice((*byte)(h.data), len(at)))
			return
		}
		base := unsafe.Pointer(unsafe.SliceData(at))
		for i := range n {
			elem.store(st, unsafe.Add(base, i*elem.size), unsafe.Add(h.data, uintptr(i)*elem.goSize))
		}
	}
}

// ptrLoad follows a guest pointer into a new Go value; 0 is nil.
func ptrLoad(t reflect.Type, elem *plan) func(*loader, unsafe.Pointer, unsafe.Pointer, int) error {
	what := "a pointer to " + layout.TypeName(t.Elem())
	return func(ld *loader, src, dst unsafe.Pointer, depth int) error {
		addr := load(src, ld.w)
		if addr == 0 {
			*(*unsafe.Pointer)(dst) = nil
			return nil
		}
		if depth+1 > ld.lim.Depth {
			return ld.depth(what, depth+1)
		}
		if g := uint64(elem.goSize); g > ld.bytesLeft {
			return ld.limit("Bytes", what, g, ld.bytesLeft)
		}
		b, err := ld.region(addr, 1, elem.size, elem.align)
		if err != nil {
			return err
		}
		ld.bytesLeft -= uint64(elem.goSize)
		v := reflect.New(t.Elem()).UnsafePointer()
		if err := elem.load(ld, unsafe.Pointer(unsafe.SliceData(b)), v, depth+1); err != nil {
			return err
		}
		*(*unsafe.Pointer)(dst) = v
		return nil
	}
}

func ptrMeasure(elem *plan) func(*storer, unsafe.Pointer, int) error {
	return func(st *storer, v unsafe.Pointer, depth int) error {
		q := *(*unsafe.Pointer)(v)
		if q == nil {
			return nil
		}
		if depth+1 > st.lim.Depth {
			return st.depth("a pointer", depth+1)
		}
		if err := st.block(elem.size, elem.align, "a pointer's target"); err != nil {
			return err
		}
		return elem.measure(st, q, depth+1)
	}
}

func ptrStore(elem *plan) func(*storer, unsafe.Pointer, unsafe.Pointer) {
	return func(st *storer, dst, v unsafe.Pointer) {
		q := *(*unsafe.Pointer)(v)
		if q == nil {
			put(dst, st.w, 0)
			return
		}
		addr, at := st.next(elem.size)
		put(dst, st.w, addr)
		elem.store(st, unsafe.Pointer(unsafe.SliceData(at)), q)
	}
}

// arrayLoad and friends move a fixed array of native elements.
func arrayLoad(t reflect.Type, l *layout.Layout, elem *plan) func(*loader, unsafe.Pointer, unsafe.Pointer, int) error {
	n, stride, goStride := uint64(t.Len()), l.Elem.Size, elem.goSize
	return func(ld *loader, src, dst unsafe.Pointer, depth int) error {
		for i := range n {
			if err := elem.load(ld, unsafe.Add(src, i*stride), unsafe.Add(dst, uintptr(i)*goStride), depth); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
		return nil
	}
}

func arrayMeasure(t reflect.Type, elem *plan) func(*storer, unsafe.Pointer, int) error {
	n, goStride := uint64(t.Len()), elem.goSize
	return func(st *storer, v unsafe.Pointer, depth int) error {
		for i := range n {
			if err := elem.measure(st, unsafe.Add(v, uintptr(i)*goStride), depth); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
		return nil
	}
}

func arrayStore(t reflect.Type, l *layout.Layout, elem *plan) func(*storer, unsafe.Pointer, unsafe.Pointer) {
	n, stride, goStride := uint64(t.Len()), l.Elem.Size, elem.goSize
	return func(st *storer, dst, v unsafe.Pointer) {
		for i := range n {
			elem.store(st, unsafe.Add(dst, i*stride), unsafe.Add(v, uintptr(i)*goStride))
		}
	}
}

// structLoad and friends move a struct field by field.
func structLoad(fields []field) func(*loader, unsafe.Pointer, unsafe.Pointer, int) error {
	return func(ld *loader, src, dst unsafe.Pointer, depth int) error {
		for i := range fields {
			f := &fields[i]
			if err := f.p.load(ld, unsafe.Add(src, f.off), unsafe.Add(dst, f.goOff), depth); err != nil {
				return within(err, f.step)
			}
		}
		return nil
	}
}

func structMeasure(fields []field) func(*storer, unsafe.Pointer, int) error {
	return func(st *storer, v unsafe.Pointer, depth int) error {
		for i := range fields {
			f := &fields[i]
			if err := f.p.measure(st, unsafe.Add(v, f.goOff), depth); err != nil {
				return within(err, f.step)
			}
		}
		return nil
	}
}

func structStore(fields []field) func(*storer, unsafe.Pointer, unsafe.Pointer) {
	return func(st *storer, dst, v unsafe.Pointer) {
		for i := range fields {
			f := &fields[i]
			f.p.store(st, unsafe.Add(dst, f.off), unsafe.Add(v, f.goOff))
		}
	}
}
