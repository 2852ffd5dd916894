package marshal

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Guest bytes are reached through unsafe pointers: the caller checks once
// that the whole value is in bounds, and every op lies inside the value by
// construction of the plan. Loads and stores are spelled byte by byte; the
// compiler turns them into single (unaligned) moves where the CPU allows.

func ld8(p unsafe.Pointer) uint64 { return uint64(*(*byte)(p)) }

func ld16(p unsafe.Pointer) uint64 {
	b := (*[2]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8
}

func ld32(p unsafe.Pointer) uint64 {
	b := (*[4]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
}

func ld64(p unsafe.Pointer) uint64 {
	b := (*[8]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// load reads a little-endian guest integer of w bytes.
func load(p unsafe.Pointer, w uint8) uint64 {
	switch w {
	case 1:
		return ld8(p)
	case 2:
		return ld16(p)
	case 4:
		return ld32(p)
	}
	return ld64(p)
}

// put writes v as a little-endian guest integer of w bytes.
func put(p unsafe.Pointer, w uint8, v uint64) {
	switch w {
	case 1:
		*(*byte)(p) = byte(v)
	case 2:
		b := (*[2]byte)(p)
		b[0], b[1] = byte(v), byte(v>>8)
	case 4:
		b := (*[4]byte)(p)
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	default:
		b := (*[8]byte)(p)
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		b[4], b[5], b[6], b[7] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
	}
}

// loadGo reads a Go integer of w bytes, zero-extended.
func loadGo(p unsafe.Pointer, w uint8) uint64 {
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

// storeGo writes the low w bytes of v to a Go integer.
func storeGo(p unsafe.Pointer, w uint8, v uint64) {
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

// signExtend widens the low w bytes of v as a two's complement number.
func signExtend(v uint64, w uint8) uint64 {
	shift := 64 - 8*uint(w)
	return uint64(int64(v<<shift) >> shift)
}

// bytesAt returns n bytes at p. Only for memory without Go pointers.
func bytesAt(p unsafe.Pointer, n uintptr) []byte { return unsafe.Slice((*byte)(p), n) }

// decode moves the guest value at src to the Go value at dst.
func decode(ops []op, src, dst unsafe.Pointer, mem memory.Memory, ptrW uint8) error {
	for i := range ops {
		o := &ops[i]
		s, d := unsafe.Add(src, o.off), unsafe.Add(dst, o.goOff)
		switch o.code {
		case opCopy8:
			*(*uint64)(d) = ld64(s)
		case opCopy4:
			*(*uint32)(d) = uint32(ld32(s))
		case opCopy2:
			*(*uint16)(d) = uint16(ld16(s))
		case opCopy1:
			*(*uint8)(d) = *(*uint8)(s)
		case opCopy:
			copy(bytesAt(d, o.size), bytesAt(s, o.size))
		case opU8:
			v := ld8(s)
			if v > o.max || v&o.bad != 0 {
				return o.invalid(v)
			}
			*(*uint8)(d) = uint8(v)
		case opU16:
			v := ld16(s)
			if v > o.max || v&o.bad != 0 {
				return o.invalid(v)
			}
			*(*uint16)(d) = uint16(v)
		case opU32:
			v := ld32(s)
			if v > o.max || v&o.bad != 0 {
				return o.invalid(v)
			}
			*(*uint32)(d) = uint32(v)
		case opU64:
			v := ld64(s)
			if v > o.max || v&o.bad != 0 {
				return o.invalid(v)
			}
			*(*uint64)(d) = v
		case opUint:
			v := load(s, o.w)
			if v > o.max || v&o.bad != 0 {
				return o.invalid(v)
			}
			storeGo(d, o.gw, v)
		case opInt:
			storeGo(d, o.gw, signExtend(load(s, o.w), o.w))
		case opNever:
			return o.invalid(load(s, o.w))
		case opPointer:
			*(*Ref)(d) = Ref{Mem: mem, Addr: load(s, ptrW)}
		case opSpan:
			*(*SpanRef)(d) = SpanRef{Mem: mem, Addr: load(s, ptrW), Len: load(unsafe.Add(s, ptrW), ptrW)}
		case opArray:
			x := o.x
			for k := range o.size {
				if err := decode(x.elem, unsafe.Add(s, k*x.stride), unsafe.Add(d, k*x.goStride), mem, ptrW); err != nil {
					return o.inElement(err, k)
				}
			}
		case opBlock:
			if !o.x.valid(s) {
				return o.blockError(s)
			}
			copy(bytesAt(d, o.size), bytesAt(s, o.size))
		case opVariant:
			tag := load(s, o.w)
			active := o.caseFor(tag)
			if active == nil {
				return o.fail(ErrInvalidTag, tag, fmt.Sprint(tag))
			}
			for j := range o.x.cases {
				if c := &o.x.cases[j]; c != active {
					c.clear(dst)
				}
			}
			storeGo(d, o.gw, tag)
			if err := decode(active.ops, src, dst, mem, ptrW); err != nil {
				return err
			}
		}
	}
	return nil
}

// check verifies that the Go value at src can be encoded, writing nothing.
func check(ops []op, src unsafe.Pointer, ptrW uint8) error {
	for i := range ops {
		o := &ops[i]
		if o.readOnly {
			continue
		}
		g := unsafe.Add(src, o.goOff)
		switch o.code {
		case opU8, opU16, opU32, opU64, opUint, opNever:
			v := loadGo(g, o.gw)
			if o.w < 8 && v>>(8*o.w) != 0 {
				return o.fail(ErrValueRange, v, fmt.Sprintf("%s does not fit u%d", o.goValue(v), 8*o.w))
			}
			if v > o.max || v&o.bad != 0 || o.code == opNever {
				return o.invalid(v)
			}
		case opInt:
			v := signExtend(loadGo(g, o.gw), o.gw)
			if signExtend(v, o.w) != v {
				return o.fail(ErrValueRange, v, fmt.Sprintf("%d does not fit i%d", int64(v), 8*o.w))
			}
		case opPointer:
			if a := (*Ref)(g).Addr; ptrW == 4 && a > 1<<32-1 {
				return o.fail(ErrValueRange, a, fmt.Sprintf("address %#x does not fit wasm32", a))
			}
		case opSpan:
			sp := (*SpanRef)(g)
			if ptrW == 4 && (sp.Addr > 1<<32-1 || sp.Len > 1<<32-1) {
				return o.fail(ErrValueRange, max(sp.Addr, sp.Len), fmt.Sprintf("address %#x or length %d does not fit wasm32", sp.Addr, sp.Len))
			}
		case opBlock:
			// A copyable value's Go bytes sit where its guest bytes do.
			if !o.x.valid(g) {
				return o.blockError(g)
			}
		case opArray:
			for k := range o.size {
				if err := check(o.x.elem, unsafe.Add(g, k*o.x.goStride), ptrW); err != nil {
					return o.inElement(err, k)
				}
			}
		case opVariant:
			tag := loadGo(g, o.gw)
			active := o.caseFor(tag)
			if active == nil {
				return o.fail(ErrInvalidTag, tag, fmt.Sprint(tag))
			}
			if err := check(active.ops, src, ptrW); err != nil {
				return err
			}
		}
	}
	return nil
}

// encode moves the Go value at src to the guest value at dst. The value
// must have passed check when the codec is checked.
func encode(ops []op, dst, src unsafe.Pointer, ptrW uint8) {
	for i := range ops {
		o := &ops[i]
		if o.readOnly {
			continue
		}
		d, g := unsafe.Add(dst, o.off), unsafe.Add(src, o.goOff)
		switch o.code {
		case opCopy8:
			put(d, 8, *(*uint64)(g))
		case opCopy4:
			put(d, 4, uint64(*(*uint32)(g)))
		case opCopy2:
			put(d, 2, uint64(*(*uint16)(g)))
		case opCopy1:
			*(*uint8)(d) = *(*uint8)(g)
		case opCopy:
			copy(bytesAt(d, o.size), bytesAt(g, o.size))
		case opU8, opU16, opU32, opU64, opUint, opInt:
			put(d, o.w, loadGo(g, o.gw))
		case opPointer:
			put(d, ptrW, (*Ref)(g).Addr)
		case opSpan:
			sp := (*SpanRef)(g)
			put(d, ptrW, sp.Addr)
			put(unsafe.Add(d, ptrW), ptrW, sp.Len)
		case opBlock:
			writeChunks(d, g, o.x.chunks)
		case opArray:
			for k := range o.size {
				encode(o.x.elem, unsafe.Add(d, k*o.x.stride), unsafe.Add(g, k*o.x.goStride), ptrW)
			}
		case opVariant:
			tag := loadGo(g, o.gw)
			if active := o.caseFor(tag); active != nil {
				put(d, o.w, tag)
				encode(active.ops, dst, src, ptrW)
			}
		}
	}
}

// writeChunks moves each chunk from the Go value at g to the guest bytes at
// d: a block's fields, never its padding.
func writeChunks(d, g unsafe.Pointer, chunks []chunk) {
	for _, k := range chunks {
		to, from := unsafe.Add(d, k.off), unsafe.Add(g, k.off)
		// Chunks need not be aligned: both sides move as byte arrays,
		// which the compiler turns into single moves.
		switch k.w {
		case 8:
			put(to, 8, ld64(from))
		case 4:
			put(to, 4, ld32(from))
		case 2:
			put(to, 2, ld16(from))
		default:
			*(*byte)(to) = *(*byte)(from)
		}
	}
}

// valid reports whether the block at p passes its checks.
func (x *extra) valid(p unsafe.Pointer) bool {
	if q := x.quad; q != nil {
		return ld64(unsafe.Add(p, q[0].off))&q[0].mask|ld64(unsafe.Add(p, q[1].off))&q[1].mask|
			ld64(unsafe.Add(p, q[2].off))&q[2].mask|ld64(unsafe.Add(p, q[3].off))&q[3].mask == 0
	}
	return x.checks == nil || x.validSlow(p)
}

func (x *extra) validSlow(p unsafe.Pointer) bool {
	for i := range x.wide {
		if ld64(unsafe.Add(p, x.wide[i].off))&x.wide[i].mask != 0 {
			return false
		}
	}
	for _, w := range x.words {
		if load(unsafe.Add(p, w.off), w.w)&w.mask != 0 {
			return false
		}
	}
	for _, r := range x.ranges {
		if load(unsafe.Add(p, r.off), r.w) > r.max {
			return false
		}
	}
	return !x.never
}

// blockError names the first field of the block at p that fails its check.
func (o *op) blockError(p unsafe.Pointer) error {
	for i := range o.x.checks {
		k := &o.x.checks[i]
		v := load(unsafe.Add(p, k.off), k.w)
		if v > k.max || v&k.bad != 0 || k.code == opNever {
			fe := k.invalid(v).(*FieldError)
			fe.Offset += uint64(o.off)
			return fe
		}
	}
	return o.fail(ErrInvalidEnum, 0, "")
}

// goValue formats the Go value whose bits, zero-extended, are v: as a
// negative number when the Go type is signed and v's top bit is set.
func (o *op) goValue(v uint64) string {
	switch o.src.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprint(int64(signExtend(v, o.gw)))
	}
	return fmt.Sprint(v)
}

func (o *op) caseFor(tag uint64) *caseOps {
	for j := range o.x.cases {
		if o.x.cases[j].value == tag {
			return &o.x.cases[j]
		}
	}
	return nil
}

// clear zeroes the Go payload of an inactive case.
func (c *caseOps) clear(dst unsafe.Pointer) {
	p := unsafe.Add(dst, c.goOff)
	if c.pointers {
		reflect.NewAt(c.typ, p).Elem().SetZero()
		return
	}
	for _, k := range c.zero {
		put(unsafe.Add(p, k.off), k.w, 0)
	}
}

// invalid reports a value that fails the op's check.
func (o *op) invalid(v uint64) error {
	switch o.src.Check.Kind {
	case layout.CheckBool:
		return o.fail(ErrInvalidBool, v, fmt.Sprint(v))
	case layout.CheckEnum:
		return o.fail(ErrInvalidEnum, v, fmt.Sprintf("%d (%s has %d cases)", v, o.src.Type, o.src.Check.Cases))
	}
	return o.fail(ErrInvalidFlags, v, fmt.Sprintf("%#x (unknown bits %#x)", v, v&o.bad))
}

func (o *op) fail(sentinel error, v uint64, detail string) error {
	return &FieldError{Path: o.src.Path, Offset: uint64(o.off), Value: v, Err: sentinel, Detail: detail}
}

// inElement places an error from element k of an array.
func (o *op) inElement(err error, k uintptr) error {
	fe, ok := err.(*FieldError)
	if !ok {
		return err
	}
	return fe.within(fmt.Sprintf("%s[%d]", o.src.Path, k), uint64(o.off+k*o.x.stride))
}
