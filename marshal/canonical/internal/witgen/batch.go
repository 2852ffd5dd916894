package witgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/memory"
)

// Case is one (type, value) pair of a batch. The value travels as the
// tuple<T, pad> that both get<i> and echo<i> return: pad's 16 flat values
// force the parameters into memory, so every core function is
// (i32) -> i32 or () -> i32 whatever T is.
type Case struct {
	T     *Type
	Codec canonical.Dynamic // of tuple<T, pad>
	Value reflect.Value     // a tuple<T, pad>
	Ptr   uint64            // where guestkit lowered it
}

// Batch is a set of cases in one core module and one WIT world.
type Batch struct {
	Encoding canonical.StringEncoding
	Cases    []Case
	Image    []byte // guest memory after guestkit lowered every case
	Pages    uint64
	WIT      string
	WAT      string
}

// SlotBase is where the core module records the pointer echo<i> received,
// at SlotBase + 4*i.
const SlotBase = 1024

var padType = func() reflect.Type {
	fs := make([]reflect.StructField, 16)
	for i := range fs {
		fs[i] = reflect.StructField{Name: fmt.Sprintf("P%d", i), Type: reflect.TypeFor[uint8]()}
	}
	return reflect.StructOf(fs)
}()

// EncodingName is the encoding's name in jco and wasm-tools.
func EncodingName(e canonical.StringEncoding) string {
	if e == canonical.Latin1UTF16 {
		return "compact-utf16"
	}
	return e.String()
}

// NewBatch generates n cases from seed and lowers them with guestkit.
func NewBatch(seed uint64, n int, enc canonical.StringEncoding) (*Batch, error) {
	g := &Gen{R: rand.New(rand.NewPCG(seed, uint64(enc)))}
	b := &Batch{Encoding: enc}
	mem := memory.New(16 << 20)
	heap := alignTo(SlotBase+4*uint64(n), 16)
	realloc := func(old, oldSize, align, size uint64) (uint64, error) {
		if old != 0 && size <= oldSize {
			return old, nil
		}
		p := alignTo(heap, align)
		heap = p + size
		if old != 0 {
			copy(mem.Bytes()[p:], mem.Bytes()[old:old+oldSize])
		}
		return p, nil
	}
	cx := &canonical.Context{Memory: mem, Encoding: enc, Realloc: realloc}
	for range n {
		t := g.Type(g.R.IntN(4))
		tt := reflect.StructOf([]reflect.StructField{{Name: "F0", Type: t.Go()}, {Name: "F1", Type: padType}})
		codec, err := canonical.DynamicOf(tt, layout.Wasm32)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.WIT(), err)
		}
		v := reflect.New(tt).Elem()
		g.fill(t, v.Field(0))
		for i := range 16 {
			v.Field(1).Field(i).SetUint(uint64(i + 1))
		}
		ptr, _ := realloc(0, 0, codec.Align(), codec.Size())
		if err := codec.Store(cx, ptr, v); err != nil {
			return nil, fmt.Errorf("%s: %w", t.WIT(), err)
		}
		b.Cases = append(b.Cases, Case{T: t, Codec: codec, Value: v, Ptr: ptr})
	}
	heap = alignTo(heap, 16)
	b.Image = append([]byte(nil), mem.Bytes()[:heap]...)
	b.Pages = (heap + 32<<20 + 0xffff) >> 16
	b.WIT = b.wit(g)
	b.WAT = b.wat(heap)
	return b, nil
}

func alignTo(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }

func (b *Batch) wit(g *Gen) string {
	var w strings.Builder
	w.WriteString("package test:diff;\n\ninterface api {\n  record pad {")
	for i := range 16 {
		fmt.Fprintf(&w, " p%d: u8,", i)
	}
	w.WriteString(" }\n")
	w.WriteString(g.Defs())
	for i, c := range b.Cases {
		t := c.T.WIT()
		fmt.Fprintf(&w, "  get%d: func() -> tuple<%s, pad>;\n", i, t)
		fmt.Fprintf(&w, "  echo%d: func(x: %s, pad: pad) -> tuple<%s, pad>;\n", i, t, t)
	}
	w.WriteString("  heap: func() -> u32;\n  dump: func(start: u32, end: u32) -> list<u8>;\n}\n\nworld diff {\n  export api;\n}\n")
	return w.String()
}

func (b *Batch) wat(heap uint64) string {
	var w strings.Builder
	fmt.Fprintf(&w, "(module\n  (memory (export \"memory\") %d)\n  (global $heap (mut i32) (i32.const %d))\n", b.Pages, heap)
	w.WriteString(`  (func (export "cabi_realloc") (param $old i32) (param $oldsz i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (if (i32.and (i32.ne (local.get $old) (i32.const 0)) (i32.le_u (local.get $size) (local.get $oldsz)))
      (then (return (local.get $old))))
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1))) (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))) (then unreachable))
    (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $oldsz))))
    (local.get $p))
`)
	for i, c := range b.Cases {
		fmt.Fprintf(&w, "  (func (export \"test:diff/api#get%d\") (result i32) (i32.const %d))\n", i, c.Ptr)
		fmt.Fprintf(&w, "  (func (export \"test:diff/api#echo%d\") (param i32) (result i32) (i32.store (i32.const %d) (local.get 0)) (local.get 0))\n", i, SlotBase+4*i)
	}
	// heap returns the allocator's next address, and dump the memory from
	// start to end (0: the heap's end) as a list<u8>, for reference hosts
	// that cannot read the core memory directly.
	w.WriteString("  (func (export \"test:diff/api#heap\") (result i32) (global.get $heap))\n")
	fmt.Fprintf(&w, "  (func (export \"test:diff/api#dump\") (param i32 i32) (result i32) (i32.store (i32.const %d) (local.get 0)) (i32.store (i32.const %d) (i32.sub (select (local.get 1) (global.get $heap) (local.get 1)) (local.get 0))) (i32.const %d))\n", SlotBase-16, SlotBase-12, SlotBase-16)
	w.WriteString("  (data (i32.const 0) \"")
	for _, x := range b.Image {
		fmt.Fprintf(&w, "\\%02x", x)
	}
	w.WriteString("\")\n)\n")
	return w.String()
}

// Check lifts, with guestkit, every value a reference host lowered into
// mem through echo<i> and compares it with the value guestkit lowered in
// the first place. hostErrs[i], when not empty, is the reference host's
// failure on case i. It returns one line per mismatch.
func (b *Batch) Check(mem []byte, hostErrs []string) []string {
	var bad []string
	for i := range b.Cases {
		herr := ""
		if i < len(hostErrs) {
			herr = hostErrs[i]
		}
		if m := b.CheckCase(i, mem, herr); m != "" {
			bad = append(bad, m)
		}
	}
	return bad
}

// CheckCase checks case i against mem, the guest memory after the
// reference host ran it; it returns "" when the value came back unchanged.
func (b *Batch) CheckCase(i int, mem []byte, hostErr string) string {
	c := b.Cases[i]
	if hostErr != "" {
		return fmt.Sprintf("case %d %s: reference host: %s", i, c.T.WIT(), firstLine(hostErr))
	}
	cx := &canonical.Context{Memory: memory.Over(mem, layout.Wasm32, false), Encoding: b.Encoding}
	ptr := uint64(binary.LittleEndian.Uint32(mem[SlotBase+4*i:]))
	got, err := c.Codec.Load(cx, ptr)
	if err != nil {
		return fmt.Sprintf("case %d %s: guestkit lift: %v", i, c.T.WIT(), err)
	}
	if d := cmp.Diff(c.Value.Interface(), got.Interface(), cmpopts.EquateEmpty(), cmpopts.EquateNaNs()); d != "" {
		return fmt.Sprintf("case %d %s (-sent +returned):\n%s", i, c.T.WIT(), d)
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
