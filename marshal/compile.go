package marshal

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/internal/typecache"
	"github.com/guestkit/guestkit/layout"
)

// opCode is what an op does. The scalar codes are specialized by width so
// the common cases are one switch arm each.
type opCode uint8

const (
	opCopy    opCode = iota // size bytes, unchanged
	opCopy1                 // 1, 2, 4 or 8 bytes, unchanged
	opCopy2                 //
	opCopy4                 //
	opCopy8                 //
	opU8                    // an unsigned integer of one width on both sides, checked
	opU16                   //
	opU32                   //
	opU64                   //
	opUint                  // an unsigned integer widened from w to gw bytes, checked
	opInt                   // a signed integer widened from w to gw bytes
	opNever                 // an enum without cases: every value is invalid
	opPointer               // a guest address to a Ref
	opSpan                  // a guest address and length to a SpanRef
	opArray                 // x.elem for each of size elements
	opVariant               // a tag of w bytes, then the ops of its case
	opBlock                 // size bytes checked by x.words and x.ranges, then copied
)

// op is a layout.Op prepared for the hot loop: small, with the check
// reduced to two comparisons and the cold data behind pointers.
type op struct {
	code     opCode
	w, gw    uint8 // guest and Go widths of a scalar or tag
	readOnly bool  // read, never written (union members after the first)
	off      uintptr
	goOff    uintptr
	max, bad uint64  // a value v is valid when v <= max && v&bad == 0
	size     uintptr // copies: bytes; opArray: element count
	x        *extra
	src      *layout.Op
}

// extra holds what arrays, tagged unions and blocks need.
type extra struct {
	elem     []op
	stride   uintptr
	goStride uintptr
	cases    []caseOps
	// A block is valid when every word passes and every range holds; the
	// checks then name the field at fault. Blocks of 8 bytes or more check
	// whole 8-byte words (wide); smaller ones use narrower words.
	wide   []wideCheck
	quad   *[4]wideCheck // wide, when it is all there is to check and has at most 4 words
	words  []wordCheck
	ranges []rangeCheck
	checks []op
	chunks []chunk // the block's spans as 8, 4, 2 and 1-byte moves: what a write writes
	never  bool    // a block with an enum of no cases
}

// chunk is a move of w bytes at off.
type chunk struct {
	off uintptr
	w   uint8
}

// chunksOf splits byte ranges into aligned-size moves of 8, 4, 2 and 1 bytes.
func chunksOf(spans []layout.ByteRange) []chunk {
	var out []chunk
	for _, r := range spans {
		off, end := uintptr(r.Offset), uintptr(r.Offset+r.Size)
		for off < end {
			w := uintptr(8)
			for off+w > end {
				w /= 2
			}
			out = append(out, chunk{off, uint8(w)})
			off += w
		}
	}
	return out
}

// wideCheck fails a block whose 8-byte little-endian word at off has a bit
// of mask set.
type wideCheck struct {
	off  uintptr
	mask uint64
}

// wordCheck fails a block whose w-byte little-endian word at off has a bit
// of mask set.
type wordCheck struct {
	off  uintptr
	w    uint8
	mask uint64
}

// rangeCheck fails a block whose w-byte value at off is above max: enums
// whose case count is not a power of two.
type rangeCheck struct {
	off uintptr
	w   uint8
	max uint64
}

// caseOps is one case of a tagged union.
type caseOps struct {
	value    uint64
	ops      []op
	goOff    uintptr
	goSize   uintptr
	typ      reflect.Type
	pointers bool    // the Go payload holds pointers, so clearing it must be typed
	zero     []chunk // otherwise, the moves that clear it
}

// codec is a compiled layout.
type codec struct {
	layout      *layout.Layout
	ops         []op
	size        uint64
	align       uint64
	transparent bool
	// whole is set when the value is one copyable block (transparent
	// values included): a read is then its checks and one copy.
	whole *extra
	// checked is set when a write can fail (narrowing, enums, flags, tags,
	// 64-bit addresses on wasm32): every value is then checked before any
	// byte is written, so a failed write changes nothing.
	checked bool
	ptrW    uint8
	recent  *typecache.Entry // this codec, for the recent table
}

func compile(l *layout.Layout) (*codec, error) {
	c := &codec{layout: l, size: l.Size, transparent: l.Transparent, ptrW: uint8(l.ABI.PointerSize())}
	c.recent = typecache.NewEntry(l.Type, unsafe.Pointer(c))
	ops, err := c.prepare(l.Plan.Ops)
	if err != nil {
		return nil, &layout.Error{Type: l.Type, Path: err.path, Reason: err.reason}
	}
	c.ops, c.align = ops, l.Align
	switch {
	case l.Size == 0:
	case l.Transparent:
		c.whole = &extra{}
	case len(ops) == 1 && ops[0].code == opBlock && ops[0].off == 0 && ops[0].goOff == 0 && uint64(ops[0].size) == l.Size:
		c.whole = ops[0].x
	}
	return c, nil
}

type prepareError struct{ path, reason string }

func (c *codec) prepare(src []layout.Op) ([]op, *prepareError) {
	out := make([]op, len(src))
	for i := range src {
		s := &src[i]
		o := op{
			w: s.Width, gw: s.GoWidth, readOnly: s.ReadOnly, off: uintptr(s.Offset),
			goOff: s.GoOffset, max: 1<<64 - 1, size: uintptr(s.Size), src: s,
		}
		switch s.Check.Kind {
		case layout.CheckBool:
			o.max = 1
		case layout.CheckEnum:
			o.max = s.Check.Cases - 1
		case layout.CheckFlags:
			o.bad = ^s.Check.Mask
		}
		switch s.Code {
		case layout.OpCopy:
			o.code = [9]opCode{1: opCopy1, 2: opCopy2, 4: opCopy4, 8: opCopy8}[min(s.Size, 8)]
			if s.Size > 8 || o.code == opCopy {
				o.code = opCopy
			}
		case layout.OpUint:
			o.code = opUint
			if s.Width == s.GoWidth {
				o.code = [9]opCode{1: opU8, 2: opU16, 4: opU32, 8: opU64}[s.Width]
			}
			if s.Check.Kind == layout.CheckEnum && s.Check.Cases == 0 {
				o.code = opNever
			}
		case layout.OpInt:
			o.code = opInt
		case layout.OpPointer:
			o.code = opPointer
			if !wraps(s.Type, refType) {
				return nil, &prepareError{s.Path, fmt.Sprintf("pointer type %s must be a struct whose only field is a marshal.Ref", s.Type)}
			}
		case layout.OpSpan:
			o.code = opSpan
			if !wraps(s.Type, spanRefType) {
				return nil, &prepareError{s.Path, fmt.Sprintf("pointer type %s must be a struct whose only field is a marshal.SpanRef", s.Type)}
			}
		case layout.OpArray:
			elem, err := c.prepare(s.Elem)
			if err != nil {
				return nil, &prepareError{s.Path + "[]" + dotted(err.path), err.reason}
			}
			o.code, o.x = opArray, &extra{elem: elem, stride: uintptr(s.Stride), goStride: s.GoStride}
		case layout.OpBlock:
			o.code, o.x = opBlock, c.prepareBlock(s.Size, s.Block)
			if len(o.x.wide)+len(o.x.words)+len(o.x.ranges) > 0 || o.x.never {
				c.checked = true
			}
		case layout.OpVariant:
			o.code, o.x = opVariant, &extra{}
			for _, k := range s.Cases {
				ops, err := c.prepare(k.Ops)
				if err != nil {
					return nil, err
				}
				o.x.cases = append(o.x.cases, caseOps{
					value: k.Value, ops: ops, goOff: k.GoOffset, goSize: k.GoSize, typ: k.Type,
					pointers: hasPointers(k.Type), zero: chunksOf([]layout.ByteRange{{Size: uint64(k.GoSize)}}),
				})
			}
		}
		if o.max != 1<<64-1 || o.bad != 0 || o.w < o.gw || o.code == opNever || o.code == opVariant ||
			(c.ptrW == 4 && (o.code == opPointer || o.code == opSpan)) {
			c.checked = true
		}
		out[i] = o
	}
	return out, nil
}

// prepareBlock turns a block's checks into a few word masks: every
// forbidden bit of every checked field, gathered into 8-byte windows.
func (c *codec) prepareBlock(size uint64, b *layout.Block) *extra {
	x := &extra{chunks: chunksOf(b.Spans)}
	x.checks, _ = c.prepare(b.Checks)
	win := uint64(8)
	for win > size {
		win /= 2
	}
	for _, k := range x.checks {
		width := uint64(k.w)
		all := uint64(1)<<(8*width) - 1
		if width == 8 {
			all = 1<<64 - 1
		}
		var forbidden uint64
		switch k.src.Check.Kind {
		case layout.CheckBool:
			forbidden = all &^ 1
		case layout.CheckFlags:
			forbidden = all &^ k.src.Check.Mask
		case layout.CheckEnum:
			n := k.src.Check.Cases
			if n == 0 {
				x.never = true
				continue
			}
			pow := uint64(1)
			for pow < n && pow != 0 {
				pow <<= 1
			}
			if pow != 0 {
				forbidden = all &^ (pow - 1)
			}
			if pow != n {
				x.ranges = append(x.ranges, rangeCheck{off: k.off, w: k.w, max: n - 1})
			}
		}
		if forbidden == 0 {
			continue
		}
		start := min(uint64(k.off), size-win)
		mask := forbidden << (8 * (uint64(k.off) - start))
		merged := false
		for i := range x.words {
			if x.words[i].off == uintptr(start) {
				x.words[i].mask |= mask
				merged = true
			}
		}
		if !merged {
			x.words = append(x.words, wordCheck{off: uintptr(start), w: uint8(win), mask: mask})
		}
	}
	if win == 8 {
		for _, w := range x.words {
			x.wide = append(x.wide, wideCheck{w.off, w.mask})
		}
		x.words = nil
		if len(x.wide) <= 4 && len(x.ranges) == 0 && !x.never {
			// Unused entries check offset 0 against mask 0: always true.
			x.quad = new([4]wideCheck)
			copy(x.quad[:], x.wide)
		}
	}
	return x
}

func dotted(path string) string {
	if path == "" || path[0] == '[' {
		return path
	}
	return "." + path
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
