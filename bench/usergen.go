package bench

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"

	"github.com/guestkit/guestkit/layout"
)

// InputKind says how a Checker made an input.
type InputKind uint8

// The kinds of inputs. Every kind but InputValid and (for decoders)
// InputOutOfRange must fail on both sides.
const (
	// InputValid: valid bytes (fields at their edge values or random,
	// padding zero or random) at an aligned address inside the memory.
	InputValid InputKind = iota
	// InputInvalidField: as InputValid, with one field made invalid: a
	// bool byte of 2 or more, an enum at or past its case count, flags
	// with a bit outside their mask, or a tag that selects no case. For
	// encoders the Go value carries the same bad field.
	InputInvalidField
	// InputOutOfRange: valid bytes; for encoders, a Go value one field of
	// which does not fit its narrower guest field (an int field tagged
	// guest:"u8" holding 256). Decoders must succeed on it.
	InputOutOfRange
	// InputMisaligned: valid bytes at an address that is not a multiple of
	// the type's guest alignment.
	InputMisaligned
	// InputOutOfBounds: an aligned address whose value does not lie
	// inside the memory: across its end, at it, or far past it.
	InputOutOfBounds
	// InputWraps: an aligned address whose value passes 2^32, or a list
	// length whose byte count does not fit 32 bits.
	InputWraps
	// InputFuzz: an input from a fuzzer, which may be any of the above.
	InputFuzz
)

var inputKindNames = [...]string{"valid", "invalid field", "out of range", "misaligned", "out of bounds", "wraps", "fuzz"}

// String names the kind: "valid", "invalid field", "misaligned"...
func (k InputKind) String() string {
	if int(k) < len(inputKindNames) {
		return inputKindNames[k]
	}
	return fmt.Sprintf("InputKind(%d)", k)
}

// Input is one case a Checker runs through both sides: the guest bytes
// placed at Addr (as many as fit in the memory; the rest of the memory is
// zero) and, for encoders, the value written there.
type Input[T any] struct {
	Kind InputKind
	// What says how the input was made: "valid", "FsFlags = 0x20 (flags
	// outside mask 0x1f)", "addr 0xfff8: 24 bytes cross the end".
	What string
	// Addr is the guest address read or written.
	Addr uint32
	// N is the list length, for a list checker; 1 otherwise.
	N uint32
	// Bytes are the guest bytes placed at Addr before each side runs.
	Bytes []byte
	// Field is the field made invalid (InputInvalidField, InputOutOfRange).
	Field layout.Path
	// Value is what encoders write; nil for lists and for inputs no Go
	// value can express (a bool byte of 2).
	Value *T
}

// site is one field a mutation can make invalid.
type site struct {
	path  layout.Path
	goIdx []goStep       // how to reach the field in the Go value
	off   uint64         // guest offset from the start of the value
	lay   *layout.Layout // the field's layout (a scalar)
	cases []uint64       // a variant tag's case values; nil otherwise
	wide  bool           // the Go field is wider than its guest field
}

// goStep is one step into a Go value: a struct field or an array element.
type goStep struct {
	field bool
	i     int
}

// gen makes guest bytes from a layout.
type gen struct {
	rng *rand.Rand
	abi layout.ABI
}

// widthMax is the largest unsigned value of n bytes.
func widthMax(n uint64) uint64 {
	if n >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*n) - 1
}

func putN(b []byte, n uint64, v uint64) {
	var w [8]byte
	binary.LittleEndian.PutUint64(w[:], v)
	copy(b[:n], w[:n])
}

// pick returns one of edges or, half the time, r().
func (g *gen) pick(r func() uint64, edges ...uint64) uint64 {
	if len(edges) > 0 && g.rng.IntN(2) == 0 {
		return edges[g.rng.IntN(len(edges))]
	}
	return r()
}

// fill writes a valid value of l into b (len l.Size) and appends the
// fields a mutation can break to sites.
func (g *gen) fill(l *layout.Layout, b []byte, path layout.Path, goIdx []goStep, off uint64, sites *[]site) {
	here := func() site {
		return site{path: slices.Clone(path), goIdx: slices.Clone(goIdx), off: off, lay: l,
			wide: l.Type != nil && (l.Kind == layout.Int || l.Kind == layout.Uint) && uint64(l.Type.Size()) > l.Size}
	}
	top := widthMax(l.Size)
	switch l.Kind {
	case layout.Bool:
		b[0] = byte(g.rng.IntN(2))
		*sites = append(*sites, here())
	case layout.Uint, layout.Int:
		var v uint64
		switch l.Check.Kind {
		case layout.CheckEnum:
			n := l.Check.Cases
			v = g.pick(func() uint64 { return g.rng.Uint64N(max(n, 1)) }, 0, max(n, 1)-1)
		case layout.CheckFlags:
			m := l.Check.Mask
			v = g.pick(func() uint64 { return g.rng.Uint64() & m }, 0, m, m&-m)
		default:
			if l.Kind == layout.Int {
				sign := uint64(1) << (8*l.Size - 1)
				v = g.pick(g.rng.Uint64, 0, top, sign, sign-1, 1)
			} else {
				v = g.pick(g.rng.Uint64, 0, 1, top, top>>1)
			}
		}
		putN(b, l.Size, v&top)
		if s := here(); l.Check.Kind != layout.NoCheck || s.wide {
			*sites = append(*sites, s)
		}
	case layout.Float:
		var v uint64
		if l.Size == 4 {
			v = g.pick(func() uint64 { return uint64(g.rng.Uint32()) },
				0, 1<<31, uint64(math.Float32bits(1.5)), uint64(math.Float32bits(float32(math.Inf(1)))), uint64(math.Float32bits(math.MaxFloat32)))
		} else {
			v = g.pick(g.rng.Uint64, 0, 1<<63, math.Float64bits(1.5), math.Float64bits(math.Inf(-1)), math.Float64bits(math.SmallestNonzeroFloat64))
		}
		putN(b, l.Size, v)
	case layout.Pointer, layout.Span:
		p := l.ABI.PointerSize()
		putN(b, p, g.pick(g.rng.Uint64, 0, widthMax(p), 8)&widthMax(p))
		if l.Kind == layout.Span {
			putN(b[p:], p, g.pick(g.rng.Uint64, 0, 1, widthMax(p))&widthMax(p))
		}
	case layout.Array:
		es := l.Elem.Size
		for i := range l.Len {
			g.fill(l.Elem, b[i*es:(i+1)*es], append(path, layout.IndexStep(i)), append(goIdx, goStep{false, int(i)}), off+i*es, sites)
		}
	case layout.Struct, layout.Union:
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			g.fill(f.Layout, b[f.Offset:f.Offset+f.Layout.Size], append(path, layout.FieldStep(f.Name)),
				append(goIdx, goStep{true, f.Index}), off+f.Offset, sites)
			if l.Kind == layout.Union {
				break // the members overlay the first
			}
		}
	case layout.Variant:
		var tag *layout.Field
		var cases []layout.Field
		var values []uint64
		for i := range l.Fields {
			switch f := &l.Fields[i]; {
			case f.Tag:
				tag = f
			case f.IsCase:
				cases = append(cases, *f)
				values = append(values, f.Case)
			}
		}
		if tag == nil || len(cases) == 0 {
			return
		}
		c := cases[g.rng.IntN(len(cases))]
		putN(b[tag.Offset:], tag.Layout.Size, c.Case)
		s := site{path: append(slices.Clone(path), layout.FieldStep(tag.Name)),
			goIdx: append(slices.Clone(goIdx), goStep{true, tag.Index}), off: off + tag.Offset, lay: tag.Layout, cases: values}
		*sites = append(*sites, s)
		g.fill(c.Layout, b[c.Offset:c.Offset+c.Layout.Size], append(path, layout.FieldStep(c.Name)),
			append(goIdx, goStep{true, c.Index}), off+c.Offset, sites)
	}
}

// bad returns an invalid guest value for s and says what it is; ok is
// false when the field has no invalid value (an enum whose cases fill its
// width).
func (g *gen) bad(s site) (v uint64, what string, ok bool) {
	l := s.lay
	top := widthMax(l.Size)
	name := s.path.String()
	switch {
	case s.cases != nil:
		var non []uint64
		for _, x := range []uint64{0, 1, 2, 3, top, uint64(len(s.cases)), slices.Max(s.cases) + 1, g.rng.Uint64() & top} {
			if x <= top && !slices.Contains(s.cases, x) {
				non = append(non, x)
			}
		}
		if len(non) == 0 {
			return 0, "", false
		}
		v = non[g.rng.IntN(len(non))]
		return v, fmt.Sprintf("%s = %d (no such case)", name, v), true
	case l.Kind == layout.Bool:
		v = g.pick(func() uint64 { return 2 + g.rng.Uint64N(254) }, 2, 255)
		return v, fmt.Sprintf("%s = %d (bool)", name, v), true
	case l.Check.Kind == layout.CheckEnum:
		n := l.Check.Cases
		if n > top {
			return 0, "", false
		}
		v = g.pick(func() uint64 {
			if top-n+1 == 0 {
				return g.rng.Uint64()
			}
			return n + g.rng.Uint64N(top-n+1)
		}, n, top)
		return v, fmt.Sprintf("%s = %d (enum of %d cases)", name, v, n), true
	case l.Check.Kind == layout.CheckFlags:
		out := top &^ l.Check.Mask
		if out == 0 {
			return 0, "", false
		}
		bit := g.pick(func() uint64 {
			for {
				if b := uint64(1) << g.rng.IntN(int(8*l.Size)); b&out != 0 {
					return b
				}
			}
		}, out&-out, 1<<(63-bits.LeadingZeros64(out)))
		v = bit | g.rng.Uint64()&l.Check.Mask
		return v, fmt.Sprintf("%s = %#x (flags outside mask %#x)", name, v, l.Check.Mask), true
	}
	return 0, "", false
}

// setGo sets the field s names in the Go value at rv to the guest value v,
// reporting false when the field's Go type cannot hold it (a bool).
func setGo(rv reflect.Value, s site, v uint64, signExtend bool) bool {
	for _, st := range s.goIdx {
		if st.field {
			rv = rv.Field(st.i)
		} else {
			rv = rv.Index(st.i)
		}
	}
	switch rv.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.OverflowUint(v) {
			return false
		}
		rv.SetUint(v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		// Sign-extend the guest value from its width.
		sh := 64 - 8*s.lay.Size
		x := int64(v<<sh) >> sh
		if !signExtend {
			x = int64(v)
		}
		if rv.OverflowInt(x) {
			return false
		}
		rv.SetInt(x)
	default:
		return false
	}
	return true
}

// value makes one valid value's bytes, with the sites a mutation can
// break, checked against guestkit's codec (a C union's members may clash;
// then it tries again, and at worst gives zero bytes).
func (c *Checker[T]) value(g *gen) ([]byte, []site) {
	size := c.lay.Size
	for try := 0; ; try++ {
		b := make([]byte, size)
		if try < 8 && g.rng.IntN(2) == 0 {
			for i := range b {
				b[i] = byte(g.rng.Uint32())
			}
		}
		var sites []site
		if try < 8 {
			g.fill(c.lay, b, nil, nil, 0, &sites)
		}
		var v T
		if err := c.codec.Decode(b, &v, nil); err == nil || try >= 8 {
			return b, sites
		}
	}
}

// Inputs returns n inputs made from T's layout, deterministically from
// seed: valid values at aligned addresses (every field at its edge values
// or at random, padding zero or random, the first and last aligned
// addresses among them), single fields made invalid, Go values out of
// their guest range, misaligned addresses, values across or past the end
// of the memory, and values or list lengths that wrap 32 bits.
func (c *Checker[T]) Inputs(seed uint64, n int) []Input[T] {
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x6775657374)), abi: layout.Wasm32}
	out := make([]Input[T], 0, n)
	for i := range n {
		out = append(out, c.input(g, i))
	}
	return out
}

// input makes the i-th input: i cycles through the kinds.
func (c *Checker[T]) input(g *gen, i int) Input[T] {
	size, align, mem := c.lay.Size, c.lay.Align, uint64(c.size)
	n := uint64(1)
	if c.list {
		n = uint64(g.pick(func() uint64 { return g.rng.Uint64N(uint64(c.maxN) + 1) }, 0, 1, uint64(c.maxN)))
	}
	// n valid values, back to back.
	var b []byte
	var sites [][]site
	for range n {
		vb, vs := c.value(g)
		b = append(b, vb...)
		sites = append(sites, vs)
	}
	total := n * size
	alignDown := func(a uint64) uint64 { return a &^ (align - 1) }
	last := alignDown(mem - total) // the last aligned address it fits at
	addr := g.pick(func() uint64 { return alignDown(g.rng.Uint64N(last + 1)) }, 0, last)
	in := Input[T]{Kind: InputValid, What: "valid", N: uint32(n)}
	kind := InputValid
	switch i % 10 {
	case 4, 5, 6:
		kind = InputInvalidField
	case 7:
		kind = InputOutOfRange
	case 8:
		kind = InputMisaligned
	case 9:
		kind = []InputKind{InputOutOfBounds, InputWraps}[g.rng.IntN(2)]
	}
	var elem uint64
	var s site
	if kind == InputInvalidField || kind == InputOutOfRange {
		// Choose a site among the n values; an input of a kind no site
		// allows becomes one of the kind before it.
		for ; kind != InputValid; kind-- {
			type cand struct {
				e uint64
				s site
			}
			var cands []cand
			for e, vs := range sites {
				for _, s := range vs {
					if eligible(kind, s) {
						cands = append(cands, cand{uint64(e), s})
					}
				}
			}
			if len(cands) > 0 {
				ch := cands[g.rng.IntN(len(cands))]
				elem, s = ch.e, ch.s
				break
			}
		}
	}
	in.Kind = kind
	orig := slices.Clone(b)
	var goVal uint64
	switch kind {
	case InputInvalidField:
		v, what, ok := g.bad(s)
		if !ok {
			in.Kind = InputValid
			break
		}
		putN(b[elem*size+s.off:], s.lay.Size, v)
		goVal = v
		in.What, in.Field = what, s.path
		if c.list {
			in.Field = slices.Concat(layout.Path{layout.IndexStep(elem)}, s.path)
			in.What = fmt.Sprintf("[%d].%s", elem, what)
		}
	case InputOutOfRange:
		goVal = widthMax(s.lay.Size) + 1
		if s.lay.Kind == layout.Int {
			goVal = 1 << (8*s.lay.Size - 1)
		}
		in.What, in.Field = fmt.Sprintf("%s = %d (does not fit %d guest bytes)", s.path, goVal, s.lay.Size), s.path
	case InputMisaligned:
		if align == 1 {
			in.Kind = InputValid
			break
		}
		off := 1 + g.rng.Uint64N(align-1)
		if addr+off+total > mem {
			addr -= align
		}
		addr += off
		in.What = fmt.Sprintf("addr %#x: misaligned for align %d", addr, align)
	case InputOutOfBounds:
		switch g.rng.IntN(3) {
		case 0: // across the end
			if total > 0 {
				addr = last + align
				in.What = fmt.Sprintf("addr %#x: %d bytes cross the end at %#x", addr, total, mem)
				break
			}
			fallthrough
		case 1:
			addr = mem + align*g.rng.Uint64N(2)
			in.What = fmt.Sprintf("addr %#x: at or past the end at %#x", addr, mem)
		default:
			addr = alignDown(mem + g.rng.Uint64N(1<<32-mem-total-align))
			in.What = fmt.Sprintf("addr %#x: far past the end at %#x", addr, mem)
		}
	case InputWraps:
		if c.list && g.rng.IntN(2) == 0 {
			// A count whose byte length does not fit 32 bits: in uint32
			// arithmetic n*size wraps to a small number.
			// The least such n, or the one whose byte length is a
			// multiple of 2^32 (wrapping to exactly 0); or one more.
			wn := (1<<32 + size - 1) / size
			if g.rng.IntN(2) == 0 {
				wn = 1 << 32 >> bits.TrailingZeros64(size)
			}
			wn += g.rng.Uint64N(2)
			in.N = uint32(wn)
			in.What = fmt.Sprintf("n %d: %d*%d bytes wrap 32 bits to %d", wn, wn, size, uint32(wn*size))
			break
		}
		if total > align {
			addr = alignDown(1<<32 - total/2)
		} else {
			addr = 1<<32 - align
		}
		in.What = fmt.Sprintf("addr %#x: %d bytes pass 2^32", addr, max(total, align))
		in.Kind = InputWraps
		if total <= align {
			in.Kind = InputOutOfBounds
		}
	}
	in.Addr, in.Bytes = uint32(addr), b
	if !c.list {
		var v T
		if err := c.codec.Decode(orig, &v, nil); err == nil {
			in.Value = &v
			if in.Kind == InputInvalidField || in.Kind == InputOutOfRange {
				if !setGo(reflect.ValueOf(&v).Elem(), s, goVal, in.Kind == InputInvalidField) {
					in.Value = nil
				}
			}
		}
	}
	return in
}

// eligible reports whether s can make an input of kind.
func eligible(kind InputKind, s site) bool {
	if kind == InputOutOfRange {
		return s.wide
	}
	return s.cases != nil || s.lay.Kind == layout.Bool || s.lay.Check.Kind != layout.NoCheck
}
