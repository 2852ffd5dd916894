package marshal

import (
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

// block is a copyable struct or array (see layout.Layout.Copyable): its Go
// bytes are its guest bytes apart from padding. A read copies the guest
// bytes into the Go value, then checks the copy, so a guest thread changing
// them meanwhile cannot slip an unchecked value through; a write checks the
// Go value, then writes its fields but not its padding.
type block struct {
	size uint64
	// A block is valid when no word has a bit of its mask set, no range
	// is exceeded and never is false. Blocks of 8 bytes or more check
	// 8-byte words (wide, or quad when there are at most four); smaller
	// ones one narrower word.
	quad   [4]wideCheck // when hasQuad
	wide   []wideCheck
	words  []wordCheck
	ranges []rangeCheck
	never  bool // an enum with no cases: nothing is valid
	// hasQuad is set when quad is all there is to check: four wide words
	// at most, unused ones checking offset 0 against mask 0.
	hasQuad bool
	// fields are the checked scalars, when there are at most maxFields:
	// a Go value, just stored field by field, is checked field by field
	// (a word load across several fresh stores stalls the CPU).
	fields []fieldCheck
	few    bool // fields holds every check
	// chunks are the fields as 8, 4, 2 and 1-byte moves: what a write
	// writes.
	chunks []chunk
	layout *layout.Layout // to name the field at fault
}

// wideCheck fails a block whose 8-byte word at off has a bit of mask set.
type wideCheck struct {
	off  uintptr
	mask uint64
}

// wordCheck fails a block whose w-byte word at off has a bit of mask set.
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

// fieldCheck fails a value whose w-byte scalar at off is above max or has
// a bit of bad set.
type fieldCheck struct {
	off      uintptr
	w        uint8
	max, bad uint64
}

const maxFields = 8

// chunk is a move of w bytes at off.
type chunk struct {
	off uintptr
	w   uint8
}

// newBlock compiles a copyable layout. Fields are visited in offset order,
// so each check merges with the last word at most: compiling is linear in
// the number of fields, however large an array.
func newBlock(l *layout.Layout) *block {
	b := &block{size: l.Size, layout: l}
	win := uint64(8)
	for win > l.Size {
		win /= 2
	}
	b.few = true
	var spanOff, spanEnd uint64 // the field bytes being gathered into chunks
	visitScalars(l, 0, func(s *layout.Layout, off uint64) {
		if off != spanEnd {
			b.chunks = appendChunks(b.chunks, spanOff, spanEnd)
			spanOff = off
		}
		spanEnd = off + s.Size
		if s.Check.Kind != layout.NoCheck && b.few {
			sc := scalar{check: s.Check}
			hi, bad := sc.bounds() // an enum without cases sets never
			b.fields = append(b.fields, fieldCheck{off: uintptr(off), w: uint8(s.Size), max: hi, bad: bad})
			if len(b.fields) > maxFields {
				b.fields, b.few = nil, false
			}
		}
		forbidden := b.forbidden(s, off)
		if forbidden == 0 {
			return
		}
		// The window is the aligned word holding the field when the field
		// and the word fit in the block, so words line up with the copy
		// that precedes the check; otherwise it starts at the field, or
		// ends at the block's end.
		start := off &^ (win - 1)
		if off+s.Size > start+win || start+win > l.Size {
			start = min(off, l.Size-win)
		}
		mask := forbidden << (8 * (off - start))
		if n := len(b.words); n > 0 && b.words[n-1].off == uintptr(start) {
			b.words[n-1].mask |= mask
		} else {
			b.words = append(b.words, wordCheck{off: uintptr(start), w: uint8(win), mask: mask})
		}
	})
	b.chunks = appendChunks(b.chunks, spanOff, spanEnd)
	if win == 8 {
		for _, w := range b.words {
			b.wide = append(b.wide, wideCheck{w.off, w.mask})
		}
		b.words = nil
		if len(b.wide) <= 4 && len(b.ranges) == 0 && !b.never {
			b.hasQuad = true
			copy(b.quad[:], b.wide)
		}
	}
	return b
}

// forbidden returns the bits that no valid value of the scalar s at off
// has, noting enum ranges and enums without cases on the way.
func (b *block) forbidden(s *layout.Layout, off uint64) uint64 {
	all := uint64(1)<<(8*s.Size) - 1
	if s.Size == 8 {
		all = 1<<64 - 1
	}
	switch s.Check.Kind {
	case layout.CheckBool:
		return all &^ 1
	case layout.CheckFlags:
		return all &^ s.Check.Mask
	case layout.CheckEnum:
		n := s.Check.Cases
		if n == 0 {
			b.never = true
			return 0
		}
		pow := uint64(1)
		for pow < n && pow != 0 {
			pow <<= 1
		}
		if pow != n {
			b.ranges = append(b.ranges, rangeCheck{off: uintptr(off), w: uint8(s.Size), max: n - 1})
		}
		if pow == 0 {
			return 0
		}
		return all &^ (pow - 1)
	}
	return 0
}

// visitScalars calls f for every scalar of a copyable layout placed at
// off, in offset order; blank fields are skipped.
func visitScalars(l *layout.Layout, off uint64, f func(s *layout.Layout, off uint64)) {
	switch l.Kind {
	case layout.Struct:
		for _, fl := range l.Fields {
			if !fl.Blank {
				visitScalars(fl.Layout, off+fl.Offset, f)
			}
		}
	case layout.Array:
		if l.Elem.Transparent && l.Elem.Kind != layout.Struct && l.Elem.Kind != layout.Array {
			// One span of unchecked scalars: visit it as one.
			if l.Size > 0 {
				f(&layout.Layout{Kind: layout.Uint, Size: l.Size}, off)
			}
			return
		}
		for i := range l.Len {
			visitScalars(l.Elem, off+i*l.Elem.Size, f)
		}
	default:
		if l.Size > 0 {
			f(l, off)
		}
	}
}

// appendChunks splits [off, end) into moves of 8, 4, 2 and 1 bytes.
func appendChunks(out []chunk, off, end uint64) []chunk {
	for off < end {
		w := uint64(8)
		for off+w > end {
			w /= 2
		}
		out = append(out, chunk{uintptr(off), uint8(w)})
		off += w
	}
	return out
}

// valid reports whether the block at p passes its checks.
func (b *block) valid(p unsafe.Pointer) bool {
	if b.hasQuad {
		q := &b.quad
		return ld64(unsafe.Add(p, q[0].off))&q[0].mask|ld64(unsafe.Add(p, q[1].off))&q[1].mask|
			ld64(unsafe.Add(p, q[2].off))&q[2].mask|ld64(unsafe.Add(p, q[3].off))&q[3].mask == 0
	}
	return b.validSlow(p)
}

func (b *block) validSlow(p unsafe.Pointer) bool {
	for i := range b.wide {
		if ld64(unsafe.Add(p, b.wide[i].off))&b.wide[i].mask != 0 {
			return false
		}
	}
	for _, w := range b.words {
		if load(unsafe.Add(p, w.off), w.w)&w.mask != 0 {
			return false
		}
	}
	for _, r := range b.ranges {
		if load(unsafe.Add(p, r.off), r.w) > r.max {
			return false
		}
	}
	return !b.never
}

// goValid reports whether the Go value at g passes the block's checks,
// loading each checked field at its own width when there are few.
func (b *block) goValid(g unsafe.Pointer) bool {
	if !b.few || b.never {
		return b.valid(g)
	}
	for i := range b.fields {
		f := &b.fields[i]
		if v := load(unsafe.Add(g, f.off), f.w); v > f.max || v&f.bad != 0 {
			return false
		}
	}
	return true
}

// write writes the fields of the checked Go value at g to the guest bytes
// at d, never the padding.
func (b *block) write(d, g unsafe.Pointer) {
	for _, k := range b.chunks {
		to, from := unsafe.Add(d, k.off), unsafe.Add(g, k.off)
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

// fail names the first field of the block at p (a Go value, or its guest
// bytes) that fails its check. path and off place the block in the value
// being decoded or encoded.
func (b *block) fail(p unsafe.Pointer, path *pathNode, off uint64) *FieldError {
	if fe := firstInvalid(b.layout, p, path, off); fe != nil {
		return fe
	}
	return &FieldError{Path: path.path(), Offset: off, Err: ErrInvalidEnum}
}

// firstInvalid walks a copyable layout at p for the first bad scalar.
func firstInvalid(l *layout.Layout, p unsafe.Pointer, path *pathNode, off uint64) *FieldError {
	switch l.Kind {
	case layout.Struct:
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			if fe := firstInvalid(f.Layout, unsafe.Add(p, f.Offset), path.child(layout.FieldStep(f.Name)), off+f.Offset); fe != nil {
				return fe
			}
		}
	case layout.Array:
		if l.Elem.Transparent {
			return nil
		}
		for i := range l.Len {
			at := i * l.Elem.Size
			if fe := firstInvalid(l.Elem, unsafe.Add(p, at), path.child(layout.IndexStep(i)), off+at); fe != nil {
				return fe
			}
		}
	default:
		if l.Check.Kind == layout.NoCheck {
			return nil
		}
		s := scalar{typ: l.Type, check: l.Check, w: uint8(l.Size), gw: uint8(l.Size), path: path, off: off}
		if v := load(p, s.w); !s.ok(v) {
			return s.invalid(v)
		}
	}
	return nil
}
