package canonical

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

// lowerer lowers Go values into guest memory. Every realloc may grow and
// move the memory, so the bytes are fetched again after each.
type lowerer struct {
	cx      *Context
	mem     []byte
	ptrSize uint64
}

func (w *lowerer) refresh() { w.mem = w.cx.Memory.Bytes() }

// alloc calls realloc(old, oldSize, align, size) and checks its untrusted
// result: aligned, and size bytes inside memory.
func (w *lowerer) alloc(old, oldSize, align, size uint64) (uint64, error) {
	if w.cx.Realloc == nil {
		return 0, failNoAddr(ErrNoRealloc, "lowering needs %d bytes of guest memory", size)
	}
	ptr, err := w.cx.Realloc(old, oldSize, align, size)
	if err != nil {
		return 0, err
	}
	w.refresh()
	if ptr&(align-1) != 0 {
		return 0, fail(ErrMisaligned, ptr, "realloc result for alignment %d", align)
	}
	if n := uint64(len(w.mem)); size > n || ptr > n-size {
		return 0, fail(ErrOutOfBounds, ptr, "realloc result for %d bytes past the memory's %d", size, n)
	}
	return ptr, nil
}

func (w *lowerer) putPtr(p, v uint64) {
	if w.ptrSize == 4 {
		binary.LittleEndian.PutUint32(w.mem[p:], uint32(v))
	} else {
		binary.LittleEndian.PutUint64(w.mem[p:], v)
	}
}

func putUint(b []byte, p, size, v uint64) {
	switch size {
	case 1:
		b[p] = uint8(v)
	case 2:
		binary.LittleEndian.PutUint16(b[p:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b[p:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(b[p:], v)
	}
}

func scramble32(b uint32) uint32 {
	if f := math.Float32frombits(b); f != f {
		return canonicalNaN32 // the deterministic profile
	}
	return b
}

func scramble64(b uint64) uint64 {
	if f := math.Float64frombits(b); f != f {
		return canonicalNaN64
	}
	return b
}

// store lowers the Go value at v into guest memory at ptr (store). The
// caller has checked the range.
func (w *lowerer) store(p *plan, v unsafe.Pointer, ptr uint64) error {
	switch p.kind {
	case kBool:
		var b byte
		if *(*bool)(v) {
			b = 1
		}
		w.mem[ptr] = b
	case kS8, kU8:
		w.mem[ptr] = *(*uint8)(v)
	case kS16, kU16:
		binary.LittleEndian.PutUint16(w.mem[ptr:], *(*uint16)(v))
	case kS32, kU32:
		binary.LittleEndian.PutUint32(w.mem[ptr:], *(*uint32)(v))
	case kS64, kU64:
		binary.LittleEndian.PutUint64(w.mem[ptr:], *(*uint64)(v))
	case kF32:
		binary.LittleEndian.PutUint32(w.mem[ptr:], scramble32(*(*uint32)(v)))
	case kF64:
		binary.LittleEndian.PutUint64(w.mem[ptr:], scramble64(*(*uint64)(v)))
	case kChar:
		c := uint64(*(*uint32)(v))
		if err := checkChar(c); err != nil {
			err.Err = ErrHostValue
			return err
		}
		binary.LittleEndian.PutUint32(w.mem[ptr:], uint32(c))
	case kString:
		begin, units, err := w.string(*(*string)(v))
		if err != nil {
			return err
		}
		w.putPtr(ptr, begin)
		w.putPtr(ptr+w.ptrSize, units)
	case kList:
		begin, n, err := w.list(p, v)
		if err != nil {
			return err
		}
		w.putPtr(ptr, begin)
		w.putPtr(ptr+w.ptrSize, n)
	case kFixed:
		e := p.elem
		for i := range p.n {
			if err := w.store(e, unsafe.Add(v, uintptr(i)*e.goSize), ptr+i*e.size); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
	case kRecord:
		for i := range p.fields {
			f := &p.fields[i]
			if err := w.store(f.p, unsafe.Add(v, f.goOff), ptr+f.off); err != nil {
				return within(err, layout.FieldStep(f.name))
			}
		}
	case kVariant:
		d := goLoad(unsafe.Add(v, p.tagOff), p.tagSize)
		if d >= p.n {
			return failNoAddr(ErrHostValue, "case %d of %d", d, p.n)
		}
		putUint(w.mem, ptr, p.discSize, d)
		if c := &p.cases[d]; c.p != nil {
			if err := w.store(c.p, unsafe.Add(v, c.goOff), ptr+p.payloadOff); err != nil {
				return within(err, layout.FieldStep(c.name))
			}
		}
	case kEnum:
		d := goLoad(v, p.goSize)
		if d >= p.n {
			return failNoAddr(ErrHostValue, "enum case %d of %d", d, p.n)
		}
		putUint(w.mem, ptr, p.discSize, d)
	case kFlags:
		f := goLoad(v, p.goSize)
		if f>>p.n != 0 {
			return failNoAddr(ErrHostValue, "flags %#x beyond the %d labels", f, p.n)
		}
		putUint(w.mem, ptr, p.size, f)
	case kOwn, kBorrow:
		i, err := w.handle(p, *(*uint32)(v))
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(w.mem[ptr:], i)
	}
	return nil
}

func (w *lowerer) handle(p *plan, rep uint32) (uint32, error) {
	t := w.cx.Handles
	if t == nil {
		return 0, failNoAddr(ErrInvalidHandle, "no handle table to lower rep %d into", rep)
	}
	if p.kind == kOwn {
		return t.add(&handle{rt: p.rt, rep: rep, own: true})
	}
	return t.lowerBorrow(p.rt, rep, w.cx.Scope)
}

// list stores a Go slice into freshly allocated guest memory
// (store_list_into_range).
func (w *lowerer) list(p *plan, v unsafe.Pointer) (uint64, uint64, error) {
	h := (*sliceHeader)(v)
	e := p.elem
	n := uint64(h.len)
	hi, byteLen := bits.Mul64(n, e.size)
	if hi != 0 || byteLen > MaxListByteLength {
		return 0, 0, failNoAddr(ErrListTooLong, "%d elements of %d bytes", n, e.size)
	}
	ptr, err := w.alloc(0, 0, e.align, byteLen)
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return ptr, 0, nil
	}
	if e.goSize == uintptr(e.size) && plainScalar(e.kind) {
		copy(w.mem[ptr:ptr+byteLen], unsafe.Slice((*byte)(h.data), byteLen))
		return ptr, n, nil
	}
	for i := range n {
		if err := w.store(e, unsafe.Add(h.data, uintptr(i)*e.goSize), ptr+i*e.size); err != nil {
			return 0, 0, within(err, layout.IndexStep(i))
		}
	}
	return ptr, n, nil
}

// string stores a Go (UTF-8) string in the context's encoding, with the
// spec's allocation sequence for a UTF-8 source (store_string_into_range).
func (w *lowerer) string(s string) (uint64, uint64, error) {
	n := uint64(len(s))
	if n > MaxStringByteLength {
		return 0, 0, failNoAddr(ErrStringTooLong, "%d bytes", n)
	}
	if !utf8.ValidString(s) {
		return 0, 0, failNoAddr(ErrHostValue, "string is not valid UTF-8")
	}
	switch w.cx.Encoding {
	case UTF8: // store_string_copy
		ptr, err := w.alloc(0, 0, 1, n)
		if err != nil {
			return 0, 0, err
		}
		copy(w.mem[ptr:], s)
		return ptr, n, nil
	case UTF16: // store_utf8_to_utf16
		worst := 2 * n
		ptr, err := w.alloc(0, 0, 2, worst)
		if err != nil {
			return 0, 0, err
		}
		units := putUTF16(w.mem[ptr:ptr+worst], s)
		if 2*units < worst {
			if ptr, err = w.alloc(ptr, worst, 2, 2*units); err != nil {
				return 0, 0, err
			}
		}
		return ptr, units, nil
	}
	// store_string_to_latin1_or_utf16
	ptr, err := w.alloc(0, 0, 2, n)
	if err != nil {
		return 0, 0, err
	}
	var dst uint64
	for _, r := range s {
		if r < 0x100 {
			w.mem[ptr+dst] = byte(r)
			dst++
			continue
		}
		worst := 2 * n
		if ptr, err = w.alloc(ptr, n, 2, worst); err != nil {
			return 0, 0, err
		}
		for j := int64(dst) - 1; j >= 0; j-- { // inflate the Latin-1 prefix in place
			w.mem[ptr+2*uint64(j)] = w.mem[ptr+uint64(j)]
			w.mem[ptr+2*uint64(j)+1] = 0
		}
		units := putUTF16(w.mem[ptr:ptr+worst], s)
		if worst > 2*units {
			if ptr, err = w.alloc(ptr, worst, 2, 2*units); err != nil {
				return 0, 0, err
			}
		}
		return ptr, units | 1<<(w.ptrSize*8-1), nil
	}
	if dst < n {
		if ptr, err = w.alloc(ptr, n, 2, dst); err != nil {
			return 0, 0, err
		}
	}
	return ptr, dst, nil
}

// putUTF16 writes s as UTF-16LE into b and returns the code units written.
func putUTF16(b []byte, s string) uint64 {
	var i uint64
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			binary.LittleEndian.PutUint16(b[2*i:], uint16(r1))
			binary.LittleEndian.PutUint16(b[2*i+2:], uint16(r2))
			i += 2
			continue
		}
		binary.LittleEndian.PutUint16(b[2*i:], uint16(r))
		i++
	}
	return i
}

// lowerFlat lowers the Go value at v to flat values appended to out
// (lower_flat).
func (w *lowerer) lowerFlat(p *plan, v unsafe.Pointer, out []uint64) ([]uint64, error) {
	switch p.kind {
	case kBool:
		var b uint64
		if *(*bool)(v) {
			b = 1
		}
		return append(out, b), nil
	case kS8:
		return append(out, uint64(uint32(int32(*(*int8)(v))))), nil
	case kU8:
		return append(out, uint64(*(*uint8)(v))), nil
	case kS16:
		return append(out, uint64(uint32(int32(*(*int16)(v))))), nil
	case kU16:
		return append(out, uint64(*(*uint16)(v))), nil
	case kS32, kU32:
		return append(out, uint64(*(*uint32)(v))), nil
	case kS64, kU64:
		return append(out, *(*uint64)(v)), nil
	case kF32:
		return append(out, uint64(scramble32(*(*uint32)(v)))), nil
	case kF64:
		return append(out, scramble64(*(*uint64)(v))), nil
	case kChar:
		c := uint64(*(*uint32)(v))
		if err := checkChar(c); err != nil {
			err.Err = ErrHostValue
			return out, err
		}
		return append(out, c), nil
	case kString:
		begin, units, err := w.string(*(*string)(v))
		return append(out, begin, units), err
	case kList:
		begin, n, err := w.list(p, v)
		return append(out, begin, n), err
	case kFixed:
		e := p.elem
		var err error
		for i := range p.n {
			if out, err = w.lowerFlat(e, unsafe.Add(v, uintptr(i)*e.goSize), out); err != nil {
				return out, within(err, layout.IndexStep(i))
			}
		}
		return out, nil
	case kRecord:
		var err error
		for i := range p.fields {
			f := &p.fields[i]
			if out, err = w.lowerFlat(f.p, unsafe.Add(v, f.goOff), out); err != nil {
				return out, within(err, layout.FieldStep(f.name))
			}
		}
		return out, nil
	case kVariant:
		d := goLoad(unsafe.Add(v, p.tagOff), p.tagSize)
		if d >= p.n {
			return out, failNoAddr(ErrHostValue, "case %d of %d", d, p.n)
		}
		out = append(out, d)
		start := len(out)
		if c := &p.cases[d]; c.p != nil {
			var err error
			if out, err = c.p.lowerFlatIn(w, unsafe.Add(v, c.goOff), out); err != nil {
				return out, within(err, layout.FieldStep(c.name))
			}
		}
		for len(out)-start < len(p.flat)-1 {
			out = append(out, 0)
		}
		return out, nil
	case kEnum:
		d := goLoad(v, p.goSize)
		if d >= p.n {
			return out, failNoAddr(ErrHostValue, "enum case %d of %d", d, p.n)
		}
		return append(out, d), nil
	case kFlags:
		f := goLoad(v, p.goSize)
		if f>>p.n != 0 {
			return out, failNoAddr(ErrHostValue, "flags %#x beyond the %d labels", f, p.n)
		}
		return append(out, f), nil
	case kOwn, kBorrow:
		i, err := w.handle(p, *(*uint32)(v))
		return append(out, uint64(i)), err
	}
	return out, nil
}

func (p *plan) lowerFlatIn(w *lowerer, v unsafe.Pointer, out []uint64) ([]uint64, error) {
	return w.lowerFlat(p, v, out)
}

// check reports the first Go value inside v that no WIT value matches,
// before anything is allocated or written.
func check(p *plan, v unsafe.Pointer) error {
	if !p.hostCheck {
		return nil
	}
	switch p.kind {
	case kChar:
		if err := checkChar(uint64(*(*uint32)(v))); err != nil {
			err.Err = ErrHostValue
			return err
		}
	case kString:
		s := *(*string)(v)
		if len(s) > MaxStringByteLength {
			return failNoAddr(ErrStringTooLong, "%d bytes", len(s))
		}
		if !utf8.ValidString(s) {
			return failNoAddr(ErrHostValue, "string is not valid UTF-8")
		}
	case kList:
		h := (*sliceHeader)(v)
		e := p.elem
		for i := range uint64(h.len) {
			if err := check(e, unsafe.Add(h.data, uintptr(i)*e.goSize)); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
	case kFixed:
		for i := range p.n {
			if err := check(p.elem, unsafe.Add(v, uintptr(i)*p.elem.goSize)); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
	case kRecord:
		for i := range p.fields {
			f := &p.fields[i]
			if err := check(f.p, unsafe.Add(v, f.goOff)); err != nil {
				return within(err, layout.FieldStep(f.name))
			}
		}
	case kVariant:
		d := goLoad(unsafe.Add(v, p.tagOff), p.tagSize)
		if d >= p.n {
			return failNoAddr(ErrHostValue, "case %d of %d", d, p.n)
		}
		if c := &p.cases[d]; c.p != nil {
			if err := check(c.p, unsafe.Add(v, c.goOff)); err != nil {
				return within(err, layout.FieldStep(c.name))
			}
		}
	case kEnum:
		if d := goLoad(v, p.goSize); d >= p.n {
			return failNoAddr(ErrHostValue, "enum case %d of %d", d, p.n)
		}
	case kFlags:
		if f := goLoad(v, p.goSize); f>>p.n != 0 {
			return failNoAddr(ErrHostValue, "flags %#x beyond the %d labels", f, p.n)
		}
	}
	return nil
}
