package bench

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Disagreement is one input on which hand-written code and guestkit
// differ: one failed and the other did not, both succeeded with different
// values, or a failed write changed memory, or a write touched bytes
// outside its value.
type Disagreement struct {
	Type   string    // the guest type, as "wasidecoders.Fdstat"
	Hand   string    // the hand-written side's name
	Op     string    // "decode", "decode list" or "encode"
	Memory string    // "[]byte" or "wazero"
	Kind   InputKind // how the input was made
	What   string    // what the input is
	Addr   uint32    // the guest address
	N      uint32    // the list length (1 for a single value)
	Bytes  []byte    // the guest bytes at Addr before the call
	Value  string    // for encode: the value written, as %+v
	// Field is the field at fault: the one guestkit's error names, else
	// the first field whose values differ, else the field the input made
	// invalid. Empty when none applies (an address fault).
	Field layout.Path
	// Guestkit and Handwritten are each side's result: "ok: {...}" or
	// "error: ...", or "panic: ..." for hand-written code that panicked.
	Guestkit, Handwritten string
	// Diff is cmp.Diff(guestkit's value, the hand-written value) when both
	// succeeded.
	Diff string
}

// Error says what differs, with the input's bytes, the field and both
// results, over several lines.
func (d *Disagreement) Error() string {
	var sb strings.Builder
	n := ""
	if d.Op == "decode list" {
		n = fmt.Sprintf(" n=%d", d.N)
	}
	fmt.Fprintf(&sb, "%s: %s over %s at %#x%s (%s: %s): %s and guestkit disagree\n", d.Type, d.Op, d.Memory, d.Addr, n, d.Kind, d.What, d.Hand)
	field := d.Field.String()
	if len(d.Field) == 0 {
		field = "(none)"
	}
	w := max(len(d.Hand), len("guestkit")) + 1
	fmt.Fprintf(&sb, "  %-*s %s\n", w, "field:", field)
	if d.Value != "" {
		fmt.Fprintf(&sb, "  %-*s %s\n", w, "value:", d.Value)
	}
	fmt.Fprintf(&sb, "  %-*s %s\n", w, "guestkit:", d.Guestkit)
	fmt.Fprintf(&sb, "  %-*s %s\n", w, d.Hand+":", d.Handwritten)
	if d.Diff != "" {
		fmt.Fprintf(&sb, "  diff (-guestkit +%s):\n", d.Hand)
		for _, l := range strings.Split(strings.TrimRight(d.Diff, "\n"), "\n") {
			sb.WriteString("    " + l + "\n")
		}
	}
	fmt.Fprintf(&sb, "  bytes at %#x: %s", d.Addr, hexBytes(d.Bytes, 64))
	return sb.String()
}

func hexBytes(b []byte, max int) string {
	if len(b) > max {
		return fmt.Sprintf("% x ... (%d bytes)", b[:max], len(b))
	}
	return fmt.Sprintf("% x", b)
}

// guestPointer is a guestptr.Ptr, Slice or String: compared by address
// (and length), whatever memory it is bound to.
type guestPointer interface {
	GuestPointer() layout.PointerInfo
	Addr() uint64
}

// cmpOpts compare values the way the checker does: NaNs equal, empty and
// nil slices equal, guest pointers by address and length, unexported
// fields compared.
var cmpOpts = cmp.Options{
	cmpopts.EquateNaNs(),
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b guestPointer) bool {
		type lener interface{ Len() uint64 }
		la, oka := a.(lener)
		lb, okb := b.(lener)
		return a.Addr() == b.Addr() && oka == okb && (!oka || la.Len() == lb.Len())
	}),
	cmp.Exporter(func(reflect.Type) bool { return true }),
}

// mem is one of the two memories, as each side sees it.
type mem struct {
	name  string
	bytes func() []byte  // the whole memory
	gk    *memory.Memory // guestkit's view
}

func (c *Checker[T]) mems() []mem {
	return []mem{
		{"[]byte", c.lin.Bytes, c.lin},
		{"wazero", func() []byte { b, _ := c.wz.Read(0, c.wz.Size()); return b }, c.wzGk},
	}
}

// place zeroes the memory and copies in's bytes to its address.
func place[T any](m []byte, in Input[T]) {
	clear(m)
	if uint64(in.Addr) < uint64(len(m)) {
		copy(m[in.Addr:], in.Bytes)
	}
}

// result formats one side's outcome.
func result(v any, err error, panicked any) string {
	switch {
	case panicked != nil:
		return fmt.Sprintf("panic: %v", panicked)
	case err != nil:
		return "error: " + err.Error()
	}
	return fmt.Sprintf("ok: %+v", v)
}

// blame returns the field guestkit's error names, if any.
func blame(err error) (layout.Path, bool) {
	var ge *guestptr.Error
	if errors.As(err, &ge) && len(ge.Field) > 0 {
		return ge.Field, true
	}
	var fe *marshal.FieldError
	if errors.As(err, &fe) && len(fe.Path) > 0 {
		return fe.Path, true
	}
	return nil, false
}

// call runs f, turning a panic into a value.
func call[R any](f func() (R, error)) (r R, err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	r, err = f()
	return r, err, nil
}

// Run puts in through every side the Checker has (decode and encode, over
// []byte and over wazero) and returns each disagreement with guestkit.
func (c *Checker[T]) Run(in Input[T]) []*Disagreement {
	var out []*Disagreement
	for _, m := range c.mems() {
		var d *Disagreement
		switch {
		case c.list:
			if f := c.hlist.Decode; f != nil && m.name == "[]byte" {
				d = c.runList(m, in, func(addr, n uint32) ([]T, error) { return f(m.bytes(), addr, n) })
			} else if f := c.hlist.DecodeWazero; f != nil && m.name == "wazero" {
				d = c.runList(m, in, func(addr, n uint32) ([]T, error) { return f(c.wz, addr, n) })
			}
		default:
			if f := c.hand.Decode; f != nil && m.name == "[]byte" {
				d = c.runDecode(m, in, func(addr uint32) (T, error) { return f(m.bytes(), addr) })
			} else if f := c.hand.DecodeWazero; f != nil && m.name == "wazero" {
				d = c.runDecode(m, in, func(addr uint32) (T, error) { return f(c.wz, addr) })
			}
		}
		if d != nil {
			out = append(out, d)
		}
		if c.list || in.Value == nil {
			continue
		}
		d = nil
		if f := c.hand.Encode; f != nil && m.name == "[]byte" {
			d = c.runEncode(m, in, func(addr uint32, v T) error { return f(m.bytes(), addr, v) })
		} else if f := c.hand.EncodeWazero; f != nil && m.name == "wazero" {
			d = c.runEncode(m, in, func(addr uint32, v T) error { return f(c.wz, addr, v) })
		}
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}

func (c *Checker[T]) disagreement(op string, m mem, in Input[T]) *Disagreement {
	return &Disagreement{Type: c.typ, Hand: c.name, Op: op, Memory: m.name, Kind: in.Kind, What: in.What,
		Addr: in.Addr, N: in.N, Bytes: in.Bytes, Field: in.Field}
}

func (c *Checker[T]) runDecode(m mem, in Input[T], hand func(uint32) (T, error)) *Disagreement {
	place(m.bytes(), in)
	gv, gerr := guestptr.New[T](m.gk, uint64(in.Addr)).Read()
	hv, herr, p := call(func() (T, error) { return hand(in.Addr) })
	return c.compare("decode", m, in, gv, gerr, hv, herr, p, func() layout.Path {
		return firstDiff(c.lay, reflect.ValueOf(gv), reflect.ValueOf(hv), nil)
	})
}

func (c *Checker[T]) runList(m mem, in Input[T], hand func(addr, n uint32) ([]T, error)) *Disagreement {
	place(m.bytes(), in)
	gv, gerr := guestptr.NewSlice[T](m.gk, uint64(in.Addr), uint64(in.N)).ToSlice()
	hv, herr, p := call(func() ([]T, error) { return hand(in.Addr, in.N) })
	return c.compare("decode list", m, in, gv, gerr, hv, herr, p, func() layout.Path {
		for i := range min(len(gv), len(hv)) {
			if f := firstDiff(c.lay, reflect.ValueOf(gv[i]), reflect.ValueOf(hv[i]), nil); f != nil {
				return slicesConcat(layout.Path{layout.IndexStep(uint64(i))}, f)
			}
		}
		return layout.Path{layout.IndexStep(uint64(min(len(gv), len(hv))))}
	})
}

func slicesConcat(a, b layout.Path) layout.Path { return append(append(layout.Path{}, a...), b...) }

// compare builds the disagreement of one call, or returns nil.
func (c *Checker[T]) compare(op string, m mem, in Input[T], gv any, gerr error, hv any, herr error, p any, diffField func() layout.Path) *Disagreement {
	d := c.disagreement(op, m, in)
	d.Guestkit, d.Handwritten = result(gv, gerr, nil), result(hv, herr, p)
	if f, ok := blame(gerr); ok {
		d.Field = f
	}
	switch {
	case p != nil:
		return d
	case (gerr == nil) != (herr == nil):
		return d
	case gerr != nil:
		return nil
	}
	if diff := cmp.Diff(gv, hv, cmpOpts); diff != "" {
		d.Diff = diff
		if f := diffField(); f != nil {
			d.Field = f
		}
		return d
	}
	return nil
}

func (c *Checker[T]) runEncode(m mem, in Input[T], hand func(uint32, T) error) *Disagreement {
	b := m.bytes()
	// The value's bytes complemented lie under it, so that a field the
	// hand-written code fails to write cannot pass for written.
	under := in
	under.Bytes = make([]byte, len(in.Bytes))
	for i, x := range in.Bytes {
		under.Bytes[i] = ^x
	}
	place(b, under)
	before, afterG, afterH := c.scratch(0, b), c.scratch(1, b), c.scratch(2, b)
	v := *in.Value
	gerr := guestptr.New[T](m.gk, uint64(in.Addr)).Write(v)
	copy(afterG, b)
	copy(b, before)
	_, herr, p := call(func() (struct{}, error) { return struct{}{}, hand(in.Addr, v) })
	copy(afterH, b)
	copy(b, before)

	d := c.disagreement("encode", m, under)
	d.Value = fmt.Sprintf("%+v", v)
	d.Guestkit, d.Handwritten = result(nil, gerr, nil), result(nil, herr, p)
	if f, ok := blame(gerr); ok {
		d.Field = f
	}
	start, end := uint64(in.Addr), uint64(in.Addr)+c.lay.Size
	wrote := func(after []byte) string {
		if end <= uint64(len(after)) {
			return fmt.Sprintf("ok: wrote % x", after[start:end])
		}
		return "ok"
	}
	switch {
	case p != nil || (gerr == nil) != (herr == nil):
		if gerr == nil {
			d.Guestkit = wrote(afterG)
		}
		if herr == nil && p == nil {
			d.Handwritten = wrote(afterH)
		}
		return d
	case gerr != nil:
		if i := firstChange(before, afterH, 0, 0); i >= 0 {
			d.Handwritten += fmt.Sprintf("; but it changed memory at %#x", i)
			return d
		}
		return nil
	}
	d.Guestkit, d.Handwritten = wrote(afterG), wrote(afterH)
	if i := firstChange(before, afterH, start, end); i >= 0 {
		d.Handwritten += fmt.Sprintf("; and changed memory outside the value, at %#x", i)
		return d
	}
	var gv, hv T
	if err := c.codec.Decode(afterG[start:end], &gv, nil); err != nil {
		d.Guestkit += "; its bytes do not decode: " + err.Error()
		return d
	}
	if err := c.codec.Decode(afterH[start:end], &hv, nil); err != nil {
		d.Handwritten += "; guestkit cannot decode its bytes: " + err.Error()
		if f, ok := blame(err); ok {
			d.Field = f
		}
		return d
	}
	if diff := cmp.Diff(gv, hv, cmpOpts); diff != "" {
		d.Diff = diff
		if f := firstDiff(c.lay, reflect.ValueOf(gv), reflect.ValueOf(hv), nil); f != nil {
			d.Field = f
		}
		return d
	}
	return nil
}

// scratch returns the checker's i-th scratch buffer holding a copy of b.
func (c *Checker[T]) scratch(i int, b []byte) []byte {
	if len(c.bufs[i]) != len(b) {
		c.bufs[i] = make([]byte, len(b))
	}
	copy(c.bufs[i], b)
	return c.bufs[i]
}

// firstChange returns the first offset outside [start, end) where a and b
// differ, or -1.
func firstChange(a, b []byte, start, end uint64) int {
	start, end = min(start, uint64(len(a))), min(max(start, end), uint64(len(a)))
	if bytes.Equal(a[:start], b[:start]) && bytes.Equal(a[end:], b[end:]) {
		return -1
	}
	for i := range a {
		if (uint64(i) < start || uint64(i) >= end) && a[i] != b[i] {
			return i
		}
	}
	return -1
}

// firstDiff returns the path of the first guest field, in layout order,
// whose values differ between a and b; nil if none does.
func firstDiff(l *layout.Layout, a, b reflect.Value, path layout.Path) layout.Path {
	switch l.Kind {
	case layout.Struct, layout.Union, layout.Variant:
		var tag uint64
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			fa, fb := a.Field(f.Index), b.Field(f.Index)
			if f.IsCase && f.Case != tag {
				continue // not the case the tag selects
			}
			if p := firstDiff(f.Layout, fa, fb, append(path, layout.FieldStep(f.Name))); p != nil {
				return p
			}
			if f.Tag {
				tag = scalarBits(fa)
			}
		}
		return nil
	case layout.Array:
		for i := range a.Len() {
			if p := firstDiff(l.Elem, a.Index(i), b.Index(i), append(path, layout.IndexStep(uint64(i)))); p != nil {
				return p
			}
		}
		return nil
	}
	if !cmp.Equal(a.Interface(), b.Interface(), cmpOpts) {
		return append(layout.Path{}, path...)
	}
	return nil
}

func scalarBits(v reflect.Value) uint64 {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return uint64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint()
	case reflect.Bool:
		if v.Bool() {
			return 1
		}
	}
	return 0
}

// Check runs n inputs made from seed (see [Checker.Inputs]) through both
// sides and returns every disagreement.
func (c *Checker[T]) Check(seed uint64, n int) []*Disagreement {
	var out []*Disagreement
	for _, in := range c.Inputs(seed, n) {
		out = append(out, c.Run(in)...)
	}
	return out
}

// maxReported is how many disagreements Test reports in full.
const maxReported = 5

// Test checks n inputs made from seed and fails tb with each disagreement
// (the first few in full, then a count), for use in a user's go test:
//
//	c.Test(t, 1, 5000)
func (c *Checker[T]) Test(tb testing.TB, seed uint64, n int) {
	tb.Helper()
	kinds := map[InputKind]int{}
	var ds []*Disagreement
	for _, in := range c.Inputs(seed, n) {
		kinds[in.Kind]++
		ds = append(ds, c.Run(in)...)
	}
	for i, d := range ds {
		if i == maxReported {
			tb.Errorf("... and %d more disagreements", len(ds)-maxReported)
			break
		}
		tb.Error(d.Error())
	}
	var sb strings.Builder
	for k := InputValid; k <= InputWraps; k++ {
		if kinds[k] > 0 {
			fmt.Fprintf(&sb, ", %d %s", kinds[k], k)
		}
	}
	tb.Logf("%s: %d inputs from seed %d (%s) through %s: %d disagreements", c.typ, n, seed, strings.TrimPrefix(sb.String(), ", "), strings.Join(c.sides(), ", "), len(ds))
}

// sides names what the Checker runs: "decode over []byte", ...
func (c *Checker[T]) sides() []string {
	var s []string
	add := func(ok bool, what string) {
		if ok {
			s = append(s, what)
		}
	}
	if c.list {
		add(c.hlist.Decode != nil, "decode list over []byte")
		add(c.hlist.DecodeWazero != nil, "decode list over wazero")
		return s
	}
	add(c.hand.Decode != nil, "decode over []byte")
	add(c.hand.Encode != nil, "encode over []byte")
	add(c.hand.DecodeWazero != nil, "decode over wazero")
	add(c.hand.EncodeWazero != nil, "encode over wazero")
	return s
}

// AddSeeds adds n inputs made from seed to f's seed corpus, as the
// arguments [Checker.Fuzz] takes: (addr uint32, n uint32, bytes []byte).
// Inputs that exist only as Go values (InputOutOfRange) seed as their
// bytes, which are valid.
func (c *Checker[T]) AddSeeds(f *testing.F, seed uint64, n int) {
	for _, in := range c.Inputs(seed, n) {
		f.Add(in.Addr, in.N, in.Bytes)
	}
}

// Fuzz is a fuzz target: it places b at addr, runs both sides on it (a
// list checker reads n elements; others ignore n) and fails t with each
// disagreement. Encoders write the value b decodes to, when it does.
//
//	func FuzzFdstat(f *testing.F) {
//		c := ... // a Checker
//		c.AddSeeds(f, 1, 200)
//		f.Fuzz(c.Fuzz)
//	}
func (c *Checker[T]) Fuzz(t *testing.T, addr, n uint32, b []byte) {
	t.Helper()
	if len(b) > int(c.size) {
		b = b[:c.size]
	}
	in := Input[T]{Kind: InputFuzz, What: "fuzz input", Addr: addr, N: n, Bytes: b}
	if !c.list {
		in.N = 1
		var v T
		if uint64(len(b)) >= c.lay.Size && c.codec.Decode(b, &v, nil) == nil {
			in.Value = &v
		}
	}
	for _, d := range c.Run(in) {
		t.Error(d.Error())
	}
}
