package marshal

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// step is the compiled code for one part of a value, as encoding/json
// compiles an encoder func per type: closures specialized to the part's
// kind, widths and offsets, so a call runs no interpreter. Offsets are
// relative to the value the step list was compiled for (its root).
type step struct {
	// dec moves the guest bytes at src to the Go value at dst.
	dec func(src, dst unsafe.Pointer, mem *memory.Memory) error
	// chk says whether the Go value at src can be written; nil when it
	// always can. A write checks everything before it writes a byte.
	chk func(src unsafe.Pointer) error
	// enc writes the checked Go value at src to the guest bytes at dst.
	enc func(dst, src unsafe.Pointer)
}

// piece is a step, or a plain copy that may join its neighbours.
type piece struct {
	step     step
	n        uintptr // a copy of n bytes at off and goOff when n > 0
	off      uintptr
	goOff    uintptr
	readOnly bool
}

// join turns pieces into one step, merging copies that are contiguous on
// both sides into one.
func join(pieces []piece) step {
	var steps []step
	for i := 0; i < len(pieces); i++ {
		p := pieces[i]
		if p.n == 0 {
			steps = append(steps, p.step)
			continue
		}
		for i+1 < len(pieces) {
			q := pieces[i+1]
			if q.n == 0 || q.readOnly != p.readOnly || q.off != p.off+p.n || q.goOff != p.goOff+p.n {
				break
			}
			p.n += q.n
			i++
		}
		steps = append(steps, copyStep(p.off, p.goOff, p.n, p.readOnly))
	}
	return seq(steps)
}

// compiler turns layouts into steps under one ABI.
type compiler struct {
	abi  layout.ABI
	ptrW uint8
}

// compile returns the steps of l placed at guest offset off and Go offset
// goOff of the root. path names l from the root. readOnly marks a C union
// member after the first: read, never written.
func (c *compiler) compile(l *layout.Layout, off uint64, goOff uintptr, path *pathNode, readOnly bool) ([]piece, error) {
	one := func(st step, err error) ([]piece, error) { return []piece{{step: st}}, err }
	switch {
	case l.Size == 0:
		return nil, nil
	case l.Transparent:
		return []piece{{n: uintptr(l.Size), off: uintptr(off), goOff: goOff, readOnly: readOnly}}, nil
	case l.Copyable && (l.Kind == layout.Struct || l.Kind == layout.Array):
		return one(blockStep(newBlock(l), uintptr(off), goOff, path, readOnly), nil)
	}
	switch l.Kind {
	case layout.Bool, layout.Uint, layout.Int:
		s := &scalar{typ: l.Type, check: l.Check, w: uint8(l.Size), gw: uint8(l.Type.Size()), path: path, off: off}
		return one(scalarStep(s, l.Kind == layout.Int, uintptr(off), goOff, readOnly), nil)
	case layout.Pointer, layout.Span:
		return one(c.pointerStep(l, uintptr(off), goOff, path, readOnly))
	case layout.Array:
		return one(c.arrayStep(l, off, goOff, path, readOnly))
	case layout.Struct, layout.Union:
		// A union writes its first member that has guest bytes; blank and
		// empty members before it do not count.
		var steps []piece
		written := false
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			sub, err := c.compile(f.Layout, off+f.Offset, goOff+f.GoOffset, path.child(layout.FieldStep(f.Name)), readOnly || (l.Kind == layout.Union && written))
			if err != nil {
				return nil, err
			}
			steps = append(steps, sub...)
			written = written || f.Layout.Size > 0
		}
		return steps, nil
	case layout.Variant:
		return one(c.variantStep(l, off, goOff, path, readOnly))
	}
	return nil, &layout.Error{Type: l.Type, Path: path.path(), Reason: fmt.Sprintf("no code for kind %s", l.Kind)}
}

// seq joins steps into one that runs them in order.
func seq(steps []step) step {
	switch len(steps) {
	case 0:
		return step{
			dec: func(_, _ unsafe.Pointer, _ *memory.Memory) error { return nil },
			enc: func(_, _ unsafe.Pointer) {},
		}
	case 1:
		return steps[0]
	}
	decs := make([]func(src, dst unsafe.Pointer, mem *memory.Memory) error, len(steps))
	encs := make([]func(dst, src unsafe.Pointer), len(steps))
	var chks []func(src unsafe.Pointer) error
	for i, s := range steps {
		decs[i], encs[i] = s.dec, s.enc
		if s.chk != nil {
			chks = append(chks, s.chk)
		}
	}
	st := step{
		dec: func(src, dst unsafe.Pointer, mem *memory.Memory) error {
			for _, d := range decs {
				if err := d(src, dst, mem); err != nil {
					return err
				}
			}
			return nil
		},
		enc: func(dst, src unsafe.Pointer) {
			for _, e := range encs {
				e(dst, src)
			}
		},
	}
	switch len(chks) {
	case 0:
	case 1:
		st.chk = chks[0]
	default:
		st.chk = func(src unsafe.Pointer) error {
			for _, k := range chks {
				if err := k(src); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return st
}

// noWrite is the encoder of a read-only union member.
func noWrite(_, _ unsafe.Pointer) {}

// copyStep moves n bytes unchanged both ways.
func copyStep(off, goOff, n uintptr, readOnly bool) step {
	var st step
	switch n {
	case 1:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			*(*uint8)(unsafe.Add(dst, goOff)) = *(*uint8)(unsafe.Add(src, off))
			return nil
		}
	case 2:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			*(*uint16)(unsafe.Add(dst, goOff)) = uint16(ld16(unsafe.Add(src, off)))
			return nil
		}
	case 4:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			*(*uint32)(unsafe.Add(dst, goOff)) = uint32(ld32(unsafe.Add(src, off)))
			return nil
		}
	case 8:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			*(*uint64)(unsafe.Add(dst, goOff)) = ld64(unsafe.Add(src, off))
			return nil
		}
	default:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			copy(bytesAt(unsafe.Add(dst, goOff), n), bytesAt(unsafe.Add(src, off), n))
			return nil
		}
	}
	st.enc = func(dst, src unsafe.Pointer) {
		copy(bytesAt(unsafe.Add(dst, off), n), bytesAt(unsafe.Add(src, goOff), n))
	}
	if readOnly {
		st.enc = noWrite
	}
	return st
}

// blockStep moves a copyable struct or array: copy, then check the copy.
func blockStep(b *block, off, goOff uintptr, path *pathNode, readOnly bool) step {
	n := uintptr(b.size)
	st := step{
		dec: func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			d := unsafe.Add(dst, goOff)
			copyBlock(d, unsafe.Add(src, off), n)
			if !b.valid(d) {
				fe := b.fail(d, path, uint64(off))
				clear(bytesAt(d, n)) // no invalid bool stays in Go memory
				return fe
			}
			return nil
		},
		chk: func(src unsafe.Pointer) error {
			// A copyable value's Go bytes sit where its guest bytes do.
			if g := unsafe.Add(src, goOff); !b.goValid(g) {
				return b.fail(g, path, uint64(off))
			}
			return nil
		},
		enc: func(dst, src unsafe.Pointer) {
			b.write(unsafe.Add(dst, off), unsafe.Add(src, goOff))
		},
	}
	if b.wide == nil && b.words == nil && b.ranges == nil && !b.never {
		st.chk = nil
	}
	if readOnly {
		st.enc, st.chk = noWrite, nil
	}
	return st
}

// copyBlock copies n bytes from s to d: in 8-byte words when n is a small
// multiple of 8 (no call, and the word checks that follow load what these
// stores wrote), else with copy.
func copyBlock(d, s unsafe.Pointer, n uintptr) {
	if n%8 != 0 || n > 64 {
		copy(bytesAt(d, n), bytesAt(s, n))
		return
	}
	for i := uintptr(0); i < n; i += 8 {
		*(*uint64)(unsafe.Add(d, i)) = *(*uint64)(unsafe.Add(s, i))
	}
}

// scalarStep moves a bool, integer, enum or flags of w guest bytes to gw Go
// bytes, checking reads against s.check and writes against both the check
// and the guest width.
func scalarStep(s *scalar, signed bool, off, goOff uintptr, readOnly bool) step {
	w, gw := s.w, s.gw
	lo, bad := s.bounds()
	never := s.check.Kind == layout.CheckEnum && s.check.Cases == 0
	var st step
	switch {
	case never:
		st.dec = func(src, _ unsafe.Pointer, _ *memory.Memory) error { return s.invalid(load(unsafe.Add(src, off), w)) }
	case signed:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			storeGo(unsafe.Add(dst, goOff), gw, signExtend(load(unsafe.Add(src, off), w), w))
			return nil
		}
	case w == 1 && gw == 1:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			v := ld8(unsafe.Add(src, off))
			if v > lo || v&bad != 0 {
				return s.invalid(v)
			}
			*(*uint8)(unsafe.Add(dst, goOff)) = uint8(v)
			return nil
		}
	default:
		st.dec = func(src, dst unsafe.Pointer, _ *memory.Memory) error {
			v := load(unsafe.Add(src, off), w)
			if v > lo || v&bad != 0 {
				return s.invalid(v)
			}
			storeGo(unsafe.Add(dst, goOff), gw, v)
			return nil
		}
	}
	st.enc = func(dst, src unsafe.Pointer) {
		put(unsafe.Add(dst, off), w, loadGo(unsafe.Add(src, goOff), gw))
	}
	switch {
	case readOnly:
		st.enc = noWrite
	case signed && w < gw:
		st.chk = func(src unsafe.Pointer) error {
			v := signExtend(loadGo(unsafe.Add(src, goOff), gw), gw)
			if signExtend(v, w) != v {
				return s.fail(ErrValueRange, v, fmt.Sprintf("%d does not fit i%d", int64(v), 8*w))
			}
			return nil
		}
	case !signed && (w < gw || lo != 1<<64-1 || bad != 0 || never):
		st.chk = func(src unsafe.Pointer) error {
			v := loadGo(unsafe.Add(src, goOff), gw)
			if w < 8 && v>>(8*w) != 0 {
				return s.fail(ErrValueRange, v, fmt.Sprintf("%s does not fit u%d", s.goValue(v), 8*w))
			}
			if v > lo || v&bad != 0 || never {
				return s.invalid(v)
			}
			return nil
		}
	}
	return st
}

// bounds returns the largest valid value and the bits no valid value has.
func (s *scalar) bounds() (maxValue, bad uint64) {
	switch s.check.Kind {
	case layout.CheckBool:
		return 1, 0
	case layout.CheckEnum:
		return s.check.Cases - 1, 0 // wraps to all values for 0 cases; never handles it
	case layout.CheckFlags:
		return 1<<64 - 1, ^s.check.Mask
	}
	return 1<<64 - 1, 0
}

// ok reports whether v passes s's check.
func (s *scalar) ok(v uint64) bool {
	lo, bad := s.bounds()
	return v <= lo && v&bad == 0 && !(s.check.Kind == layout.CheckEnum && s.check.Cases == 0)
}

// pointerStep moves a guest address, or an (address, length) pair, to a
// Ref or SpanRef bound to the memory read from and carrying the pointee's
// codec.
func (c *compiler) pointerStep(l *layout.Layout, off, goOff uintptr, path *pathNode, readOnly bool) (step, error) {
	span := l.Kind == layout.Span
	inner := refType
	if span {
		inner = spanRefType
	}
	if !wraps(l.Type, inner) {
		return step{}, &layout.Error{Type: l.Type, Path: path.path(), Reason: fmt.Sprintf("pointer type %s must be a struct whose only field is a marshal.%s", l.Type, inner.Name())}
	}
	pt := &pointee{typ: l.Pointee, abi: c.abi}
	w := c.ptrW
	s := &scalar{typ: l.Type, w: w, gw: 8, path: path, off: uint64(off)}
	var st step
	if span {
		st.dec = func(src, dst unsafe.Pointer, mem *memory.Memory) error {
			p := unsafe.Add(src, off)
			*(*SpanRef)(unsafe.Add(dst, goOff)) = SpanRef{Mem: mem, Addr: load(p, w), Len: load(unsafe.Add(p, w), w), target: pt.get()}
			return nil
		}
		st.enc = func(dst, src unsafe.Pointer) {
			r := (*SpanRef)(unsafe.Add(src, goOff))
			put(unsafe.Add(dst, off), w, r.Addr)
			put(unsafe.Add(dst, off+uintptr(w)), w, r.Len)
		}
		if w == 4 {
			st.chk = func(src unsafe.Pointer) error {
				if r := (*SpanRef)(unsafe.Add(src, goOff)); r.Addr > 1<<32-1 || r.Len > 1<<32-1 {
					return s.fail(ErrValueRange, max(r.Addr, r.Len), fmt.Sprintf("address %#x or length %d does not fit wasm32", r.Addr, r.Len))
				}
				return nil
			}
		}
	} else {
		st.dec = func(src, dst unsafe.Pointer, mem *memory.Memory) error {
			*(*Ref)(unsafe.Add(dst, goOff)) = Ref{Mem: mem, Addr: load(unsafe.Add(src, off), w), target: pt.get()}
			return nil
		}
		st.enc = func(dst, src unsafe.Pointer) {
			put(unsafe.Add(dst, off), w, (*Ref)(unsafe.Add(src, goOff)).Addr)
		}
		if w == 4 {
			st.chk = func(src unsafe.Pointer) error {
				if a := (*Ref)(unsafe.Add(src, goOff)).Addr; a > 1<<32-1 {
					return s.fail(ErrValueRange, a, fmt.Sprintf("address %#x does not fit wasm32", a))
				}
				return nil
			}
		}
	}
	if readOnly {
		st.enc, st.chk = noWrite, nil
	}
	return st, nil
}

// arrayStep runs an element's steps, compiled once with the element as
// their root, for each element; errors get the element's index.
func (c *compiler) arrayStep(l *layout.Layout, off uint64, goOff uintptr, path *pathNode, readOnly bool) (step, error) {
	elemSteps, err := c.compile(l.Elem, 0, 0, nil, false)
	if err != nil {
		le := err.(*layout.Error)
		return step{}, &layout.Error{Type: le.Type, Path: le.Path.Prepend(append(path.path(), layout.PathStep{AnyIndex: true})...), Reason: le.Reason}
	}
	elem := join(elemSteps)
	n, stride, goStride := l.Len, uintptr(l.Elem.Size), l.Type.Elem().Size()
	within := func(err error, k uint64) error {
		if fe, ok := err.(*FieldError); ok {
			return fe.within(off+k*uint64(stride), append(path.path(), layout.IndexStep(k))...)
		}
		return err
	}
	st := step{
		dec: func(src, dst unsafe.Pointer, mem *memory.Memory) error {
			s, d := unsafe.Add(src, off), unsafe.Add(dst, goOff)
			for k := range uintptr(n) {
				if err := elem.dec(unsafe.Add(s, k*stride), unsafe.Add(d, k*goStride), mem); err != nil {
					return within(err, uint64(k))
				}
			}
			return nil
		},
		enc: func(dst, src unsafe.Pointer) {
			d, s := unsafe.Add(dst, off), unsafe.Add(src, goOff)
			for k := range uintptr(n) {
				elem.enc(unsafe.Add(d, k*stride), unsafe.Add(s, k*goStride))
			}
		},
	}
	if elem.chk != nil {
		st.chk = func(src unsafe.Pointer) error {
			s := unsafe.Add(src, goOff)
			for k := range uintptr(n) {
				if err := elem.chk(unsafe.Add(s, k*goStride)); err != nil {
					return within(err, uint64(k))
				}
			}
			return nil
		}
	}
	if readOnly {
		st.enc, st.chk = noWrite, nil
	}
	return st, nil
}

// variantCase is one case of a tagged union.
type variantCase struct {
	value    uint64
	step     step
	goOff    uintptr
	goSize   uintptr
	typ      reflect.Type
	pointers bool // the Go payload holds pointers, so clearing it must be typed
}

// clear zeroes the Go payload of an inactive case.
func (k *variantCase) clear(dst unsafe.Pointer) {
	p := unsafe.Add(dst, k.goOff)
	if k.pointers {
		reflect.NewAt(k.typ, p).Elem().SetZero()
		return
	}
	clear(bytesAt(p, k.goSize))
}

// variantStep reads a tag and runs the steps of the case it selects,
// found by index when the tags are dense.
func (c *compiler) variantStep(l *layout.Layout, off uint64, goOff uintptr, path *pathNode, readOnly bool) (step, error) {
	tag := l.Fields[0]
	tagOff, tagGoOff := uintptr(off+tag.Offset), goOff+tag.GoOffset
	s := &scalar{typ: tag.Layout.Type, w: uint8(tag.Layout.Size), gw: uint8(tag.Layout.Type.Size()), path: path.child(layout.FieldStep(tag.Name)), off: off + tag.Offset}
	cases := make([]variantCase, 0, len(l.Fields)-1)
	top := uint64(0)
	for _, f := range l.Fields[1:] {
		steps, err := c.compile(f.Layout, off+f.Offset, goOff+f.GoOffset, path.child(layout.FieldStep(f.Name)), readOnly)
		if err != nil {
			return step{}, err
		}
		cases = append(cases, variantCase{
			value: f.Case, step: join(steps), goOff: goOff + f.GoOffset, goSize: f.Layout.Type.Size(),
			typ: f.Layout.Type, pointers: hasPointers(f.Layout.Type),
		})
		top = max(top, f.Case)
	}
	var dense []*variantCase // by tag value, when the values are few
	if top < 4*uint64(len(cases))+16 {
		dense = make([]*variantCase, top+1)
		for i := range cases {
			dense[cases[i].value] = &cases[i]
		}
	}
	find := func(t uint64) *variantCase {
		if dense != nil {
			if t < uint64(len(dense)) {
				return dense[t]
			}
			return nil
		}
		for i := range cases {
			if cases[i].value == t {
				return &cases[i]
			}
		}
		return nil
	}
	w, gw := s.w, s.gw
	st := step{
		dec: func(src, dst unsafe.Pointer, mem *memory.Memory) error {
			t := load(unsafe.Add(src, tagOff), w)
			active := find(t)
			if active == nil {
				return s.fail(ErrInvalidTag, t, fmt.Sprint(t))
			}
			for i := range cases {
				if k := &cases[i]; k != active {
					k.clear(dst)
				}
			}
			storeGo(unsafe.Add(dst, tagGoOff), gw, t)
			return active.step.dec(src, dst, mem)
		},
		chk: func(src unsafe.Pointer) error {
			t := loadGo(unsafe.Add(src, tagGoOff), gw)
			active := find(t)
			if active == nil {
				return s.fail(ErrInvalidTag, t, fmt.Sprint(t))
			}
			if active.step.chk != nil {
				return active.step.chk(src)
			}
			return nil
		},
		enc: func(dst, src unsafe.Pointer) {
			t := loadGo(unsafe.Add(src, tagGoOff), gw)
			if active := find(t); active != nil {
				put(unsafe.Add(dst, tagOff), w, t)
				active.step.enc(dst, src)
			}
		},
	}
	if readOnly {
		st.enc, st.chk = noWrite, nil
	}
	return st, nil
}

// hasPointers reports whether values of t hold Go pointers.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}
