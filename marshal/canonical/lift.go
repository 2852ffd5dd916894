package canonical

import (
	"encoding/binary"
	"math"
	"math/bits"
	"reflect"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

const (
	canonicalNaN32 = 0x7fc00000
	canonicalNaN64 = 0x7ff8000000000000
)

// lifter lifts values out of one memory snapshot: lifting calls no guest
// code, so the memory cannot move under it.
type lifter struct {
	cx      *Context
	mem     []byte
	ptrSize uint64
}

type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

func le16(b []byte, p uint64) uint64 { return uint64(binary.LittleEndian.Uint16(b[p:])) }
func le32(b []byte, p uint64) uint64 { return uint64(binary.LittleEndian.Uint32(b[p:])) }
func le64(b []byte, p uint64) uint64 { return binary.LittleEndian.Uint64(b[p:]) }

func loadUint(b []byte, p, size uint64) uint64 {
	switch size {
	case 1:
		return uint64(b[p])
	case 2:
		return le16(b, p)
	case 4:
		return le32(b, p)
	}
	return le64(b, p)
}

// goStore writes v into a Go integer of size bytes.
func goStore(dst unsafe.Pointer, size uintptr, v uint64) {
	switch size {
	case 1:
		*(*uint8)(dst) = uint8(v)
	case 2:
		*(*uint16)(dst) = uint16(v)
	case 4:
		*(*uint32)(dst) = uint32(v)
	default:
		*(*uint64)(dst) = v
	}
}

// goLoad reads a Go integer of size bytes, zero-extended.
func goLoad(src unsafe.Pointer, size uintptr) uint64 {
	switch size {
	case 1:
		return uint64(*(*uint8)(src))
	case 2:
		return uint64(*(*uint16)(src))
	case 4:
		return uint64(*(*uint32)(src))
	}
	return *(*uint64)(src)
}

func canon32(b uint32) uint32 {
	if f := math.Float32frombits(b); f != f {
		return canonicalNaN32
	}
	return b
}

func canon64(b uint64) uint64 {
	if f := math.Float64frombits(b); f != f {
		return canonicalNaN64
	}
	return b
}

// checkRange checks that n bytes at ptr are aligned and inside memory.
func checkRange(memLen, ptr, n, align uint64, what string) error {
	if ptr&(align-1) != 0 {
		return fail(ErrMisaligned, ptr, "%s needs alignment %d", what, align)
	}
	if n > memLen || ptr > memLen-n {
		return fail(ErrOutOfBounds, ptr, "%s of %d bytes past the memory's %d", what, n, memLen)
	}
	return nil
}

func (l *lifter) ptr(p uint64) uint64 {
	if l.ptrSize == 4 {
		return le32(l.mem, p)
	}
	return le64(l.mem, p)
}

// load lifts the value of plan p at ptr into dst, a zeroed Go value. The
// caller has checked that p.size bytes at ptr are in bounds and aligned.
func (l *lifter) load(p *plan, ptr uint64, dst unsafe.Pointer) error {
	m := l.mem
	switch p.kind {
	case kBool:
		*(*bool)(dst) = m[ptr] != 0
	case kS8, kU8:
		*(*uint8)(dst) = m[ptr]
	case kS16, kU16:
		*(*uint16)(dst) = binary.LittleEndian.Uint16(m[ptr:])
	case kS32, kU32:
		*(*uint32)(dst) = binary.LittleEndian.Uint32(m[ptr:])
	case kS64, kU64:
		*(*uint64)(dst) = binary.LittleEndian.Uint64(m[ptr:])
	case kF32:
		*(*uint32)(dst) = canon32(binary.LittleEndian.Uint32(m[ptr:]))
	case kF64:
		*(*uint64)(dst) = canon64(binary.LittleEndian.Uint64(m[ptr:]))
	case kChar:
		v := le32(m, ptr)
		if err := checkChar(v); err != nil {
			err.Addr, err.HasAddr = ptr, true
			return err
		}
		*(*uint32)(dst) = uint32(v)
	case kString:
		s, err := l.string(l.ptr(ptr), l.ptr(ptr+l.ptrSize))
		if err != nil {
			return err
		}
		*(*string)(dst) = s
	case kList:
		return l.list(p, l.ptr(ptr), l.ptr(ptr+l.ptrSize), dst)
	case kFixed:
		e := p.elem
		for i := range p.n {
			if err := l.load(e, ptr+i*e.size, unsafe.Add(dst, uintptr(i)*e.goSize)); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
	case kRecord:
		for i := range p.fields {
			f := &p.fields[i]
			if err := l.load(f.p, ptr+f.off, unsafe.Add(dst, f.goOff)); err != nil {
				return within(err, layout.FieldStep(f.name))
			}
		}
	case kVariant:
		d := loadUint(m, ptr, p.discSize)
		if d >= p.n {
			return fail(ErrInvalidDiscriminant, ptr, "case %d of %d", d, p.n)
		}
		goStore(unsafe.Add(dst, p.tagOff), p.tagSize, d)
		if c := &p.cases[d]; c.p != nil {
			if err := l.load(c.p, ptr+p.payloadOff, unsafe.Add(dst, c.goOff)); err != nil {
				return within(err, layout.FieldStep(c.name))
			}
		}
	case kEnum:
		d := loadUint(m, ptr, p.discSize)
		if d >= p.n {
			return fail(ErrInvalidDiscriminant, ptr, "case %d of %d", d, p.n)
		}
		goStore(dst, p.goSize, d)
	case kFlags:
		goStore(dst, p.goSize, loadUint(m, ptr, p.size)&(1<<p.n-1))
	case kOwn, kBorrow:
		rep, err := l.handle(p, le32(m, ptr))
		if err != nil {
			if e, ok := err.(*Error); ok {
				e.Addr, e.HasAddr = ptr, true
			}
			return err
		}
		*(*uint32)(dst) = rep
	}
	return nil
}

func checkChar(v uint64) *Error {
	if v >= 0x110000 || (v >= 0xD800 && v <= 0xDFFF) {
		return failNoAddr(ErrInvalidChar, "%#x", v)
	}
	return nil
}

func (l *lifter) handle(p *plan, i uint64) (uint32, error) {
	t := l.cx.Handles
	if t == nil {
		return 0, failNoAddr(ErrInvalidHandle, "index %d: no handle table", i)
	}
	if p.kind == kOwn {
		return t.liftOwn(p.rt, uint32(i))
	}
	return t.liftBorrow(p.rt, uint32(i), l.cx.Scope)
}

// list lifts n elements at begin (load_list_from_range).
func (l *lifter) list(p *plan, begin, n uint64, dst unsafe.Pointer) error {
	e := p.elem
	hi, byteLen := bits.Mul64(n, e.size)
	if hi != 0 || byteLen > MaxListByteLength {
		return fail(ErrListTooLong, begin, "%d elements of %d bytes", n, e.size)
	}
	if err := checkRange(uint64(len(l.mem)), begin, byteLen, e.align, "list"); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	base := newArray(p, n)
	if e.goSize == uintptr(e.size) && plainScalar(e.kind) {
		// The guest bytes are the Go bytes: one copy.
		copy(unsafe.Slice((*byte)(base), byteLen), l.mem[begin:begin+byteLen])
		*(*sliceHeader)(dst) = sliceHeader{base, int(n), int(n)}
		return nil
	}
	for i := range n {
		if err := l.load(e, begin+i*e.size, unsafe.Add(base, uintptr(i)*e.goSize)); err != nil {
			return within(err, layout.IndexStep(i))
		}
	}
	*(*sliceHeader)(dst) = sliceHeader{base, int(n), int(n)}
	return nil
}

// newArray allocates the zeroed backing array of a lifted list of n
// elements. Elements without Go pointers are allocated as words, which the
// garbage collector need not scan; others through reflect, which knows
// where their pointers are. n*goSize is bounded by the guest memory's size
// times a small constant: the caller checked n*size against the memory.
func newArray(p *plan, n uint64) unsafe.Pointer {
	e := p.elem
	if e.noPointers {
		words := make([]uint64, (uint64(e.goSize)*n+7)/8)
		return unsafe.Pointer(unsafe.SliceData(words))
	}
	return reflect.MakeSlice(p.typ, int(n), int(n)).UnsafePointer()
}

// plainScalar kinds have guest bytes equal to Go bytes (little-endian).
func plainScalar(k kind) bool {
	switch k {
	case kS8, kU8, kS16, kU16, kS32, kU32, kS64, kU64:
		return true
	}
	return false
}

// string lifts a string (load_string_from_range).
func (l *lifter) string(begin, tagged uint64) (string, error) {
	var (
		align   uint64 = 1
		byteLen uint64
		enc     = l.cx.Encoding
	)
	switch enc {
	case UTF8:
		byteLen = tagged
	case UTF16:
		align = 2
		byteLen = tagged // doubled below, once known to be small
	case Latin1UTF16:
		align = 2
		tag := uint64(1) << (l.ptrSize*8 - 1)
		if tagged&tag != 0 {
			enc = UTF16
			byteLen = tagged ^ tag
		} else {
			byteLen = tagged
			enc = latin1
		}
	}
	if enc == UTF16 {
		if byteLen > MaxStringByteLength {
			return "", fail(ErrStringTooLong, begin, "%d code units", byteLen)
		}
		byteLen *= 2
	}
	if byteLen > MaxStringByteLength {
		return "", fail(ErrStringTooLong, begin, "%d bytes", byteLen)
	}
	if err := checkRange(uint64(len(l.mem)), begin, byteLen, align, "string"); err != nil {
		return "", err
	}
	b := l.mem[begin : begin+byteLen]
	switch enc {
	case UTF8:
		if !utf8.Valid(b) {
			return "", fail(ErrInvalidUTF8, begin, "%d bytes", byteLen)
		}
		return string(b), nil
	case UTF16:
		return decodeUTF16(b, begin)
	}
	return decodeLatin1(b), nil
}

// latin1 is the Latin-1 half of latin1+utf16, after the tag is read.
const latin1 StringEncoding = 255

func decodeUTF16(b []byte, begin uint64) (string, error) {
	n := len(b) / 2
	out := make([]byte, 0, n+n/2)
	for i := 0; i < n; i++ {
		u := rune(binary.LittleEndian.Uint16(b[2*i:]))
		switch {
		case u < 0xD800 || u > 0xDFFF:
			out = utf8.AppendRune(out, u)
		case u <= 0xDBFF && i+1 < n:
			u2 := rune(binary.LittleEndian.Uint16(b[2*i+2:]))
			if u2 < 0xDC00 || u2 > 0xDFFF {
				return "", fail(ErrInvalidUTF16, begin, "lone surrogate %#x at code unit %d", u, i)
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(u, u2))
			i++
		default:
			return "", fail(ErrInvalidUTF16, begin, "lone surrogate %#x at code unit %d", u, i)
		}
	}
	return string(out), nil
}

func decodeLatin1(b []byte) string {
	high := 0
	for _, c := range b {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b)+high)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return string(out)
}

// flatIter walks flat core values; each is a uint64 as wazero passes them
// (i32 in the low 32 bits, floats as their bits).
type flatIter struct {
	vals []uint64
	i    int
}

func (it *flatIter) next() uint64 {
	if it.i >= len(it.vals) {
		return 0 // unreachable: counts are checked at the entry points
	}
	v := it.vals[it.i]
	it.i++
	return v
}

func (l *lifter) ptrVal(v uint64) uint64 {
	if l.ptrSize == 4 {
		return uint64(uint32(v))
	}
	return v
}

// liftFlat lifts the value of plan p from flat values (lift_flat).
func (l *lifter) liftFlat(p *plan, it *flatIter, dst unsafe.Pointer) error {
	switch p.kind {
	case kBool:
		*(*bool)(dst) = uint32(it.next()) != 0
	case kS8, kU8:
		*(*uint8)(dst) = uint8(it.next())
	case kS16, kU16:
		*(*uint16)(dst) = uint16(it.next())
	case kS32, kU32:
		*(*uint32)(dst) = uint32(it.next())
	case kS64, kU64:
		*(*uint64)(dst) = it.next()
	case kF32:
		*(*uint32)(dst) = canon32(uint32(it.next()))
	case kF64:
		*(*uint64)(dst) = canon64(it.next())
	case kChar:
		v := uint64(uint32(it.next()))
		if err := checkChar(v); err != nil {
			return err
		}
		*(*uint32)(dst) = uint32(v)
	case kString:
		begin := l.ptrVal(it.next())
		s, err := l.string(begin, l.ptrVal(it.next()))
		if err != nil {
			return err
		}
		*(*string)(dst) = s
	case kList:
		begin := l.ptrVal(it.next())
		return l.list(p, begin, l.ptrVal(it.next()), dst)
	case kFixed:
		e := p.elem
		for i := range p.n {
			if err := l.liftFlat(e, it, unsafe.Add(dst, uintptr(i)*e.goSize)); err != nil {
				return within(err, layout.IndexStep(i))
			}
		}
	case kRecord:
		for i := range p.fields {
			f := &p.fields[i]
			if err := l.liftFlat(f.p, it, unsafe.Add(dst, f.goOff)); err != nil {
				return within(err, layout.FieldStep(f.name))
			}
		}
	case kVariant:
		d := uint64(uint32(it.next()))
		if d >= p.n {
			return failNoAddr(ErrInvalidDiscriminant, "case %d of %d", d, p.n)
		}
		goStore(unsafe.Add(dst, p.tagOff), p.tagSize, d)
		payload := len(p.flat) - 1
		if c := &p.cases[d]; c.p != nil {
			sub := flatIter{vals: it.vals[it.i : it.i+payload]}
			if err := l.liftFlat(c.p, &sub, unsafe.Add(dst, c.goOff)); err != nil {
				return within(err, layout.FieldStep(c.name))
			}
		}
		it.i += payload
	case kEnum:
		d := uint64(uint32(it.next()))
		if d >= p.n {
			return failNoAddr(ErrInvalidDiscriminant, "case %d of %d", d, p.n)
		}
		goStore(dst, p.goSize, d)
	case kFlags:
		goStore(dst, p.goSize, uint64(uint32(it.next()))&(1<<p.n-1))
	case kOwn, kBorrow:
		rep, err := l.handle(p, uint64(uint32(it.next())))
		if err != nil {
			return err
		}
		*(*uint32)(dst) = rep
	}
	return nil
}
