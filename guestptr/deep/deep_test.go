package deep_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/guestptr/deep"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

var abis = []struct {
	name string
	new  func(uint64) *memory.Memory
}{{"wasm32", memory.New}, {"wasm64", memory.NewWasm64}}

// storeLoad stores *v at addr through a bump allocator and loads it back
// into a new value of the same type, both by reflection.
func storeLoad(mem *memory.Memory, a memory.Allocator, addr uint64, v reflect.Value) (reflect.Value, error) {
	f := reflect.ValueOf(roundTrip).MethodByName("For" + v.Type().Elem().Name())
	out := f.Call([]reflect.Value{reflect.ValueOf(mem), reflect.ValueOf(a), reflect.ValueOf(addr), v})
	if err, _ := out[1].Interface().(error); err != nil {
		return reflect.Value{}, err
	}
	return out[0], nil
}

// roundTrip has one method per type of the property, since generic
// functions cannot be instantiated by reflection.
type roundTripper struct{}

var roundTrip roundTripper

func rt[T any](mem *memory.Memory, a memory.Allocator, addr uint64, v *T) (*T, error) {
	if err := deep.Store(mem, addr, v, a, deep.Limits{}); err != nil {
		return nil, err
	}
	out, err := deep.Load[T](mem, addr, deep.Limits{})
	return &out, err
}

func (roundTripper) ForStr(m *memory.Memory, a memory.Allocator, at uint64, v *Str) (*Str, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForBytes(m *memory.Memory, a memory.Allocator, at uint64, v *Bytes) (*Bytes, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForStrs(m *memory.Memory, a memory.Allocator, at uint64, v *Strs) (*Strs, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForRec(m *memory.Memory, a memory.Allocator, at uint64, v *Rec) (*Rec, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForReq(m *memory.Memory, a memory.Allocator, at uint64, v *Req) (*Req, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForTree(m *memory.Memory, a memory.Allocator, at uint64, v *Tree) (*Tree, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForList(m *memory.Memory, a memory.Allocator, at uint64, v *List) (*List, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForNested(m *memory.Memory, a memory.Allocator, at uint64, v *Nested) (*Nested, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForMixed(m *memory.Memory, a memory.Allocator, at uint64, v *Mixed) (*Mixed, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForNarrow(m *memory.Memory, a memory.Allocator, at uint64, v *Narrow) (*Narrow, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForFloats(m *memory.Memory, a memory.Allocator, at uint64, v *Floats) (*Floats, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForAligned(m *memory.Memory, a memory.Allocator, at uint64, v *Aligned) (*Aligned, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForPacked(m *memory.Memory, a memory.Allocator, at uint64, v *Packed) (*Packed, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForLists2(m *memory.Memory, a memory.Allocator, at uint64, v *Lists2) (*Lists2, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForOpt(m *memory.Memory, a memory.Allocator, at uint64, v *Opt) (*Opt, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForEnums(m *memory.Memory, a memory.Allocator, at uint64, v *Enums) (*Enums, error) {
	return rt(m, a, at, v)
}
func (roundTripper) ForShapes(m *memory.Memory, a memory.Allocator, at uint64, v *Shapes) (*Shapes, error) {
	return rt(m, a, at, v)
}

// TestRoundTrip is the property: for random values of 17 native types
// with nested strings and lists, on both ABIs, Store then Load gives the
// value back, and Store writes nothing outside the value and the blocks
// it allocated.
func TestRoundTrip(t *testing.T) {
	const trials = 60
	for _, abi := range abis {
		for _, typ := range roundTripTypes {
			t.Run(abi.name+"/"+typ.Name(), func(t *testing.T) {
				g := &gen{r: rand.New(rand.NewPCG(uint64(len(typ.Name())), 7))}
				for trial := range trials {
					mem := abi.new(1 << 16)
					for i := range mem.Bytes() {
						mem.Bytes()[i] = byte(i*7 + 3)
					}
					before := bytes.Clone(mem.Bytes())
					a := &guestptr.Bump{Next: 0x1000, End: 0x10000}
					in := reflect.New(typ)
					g.fill(in.Elem(), "")
					out, err := storeLoad(mem, a, 0x100, in)
					if err != nil {
						t.Fatalf("trial %d: %v\nvalue %+v", trial, err, in.Elem())
					}
					if d := cmp.Diff(in.Interface(), out.Interface()); d != "" {
						t.Fatalf("trial %d: Load(Store(v)) differs (-stored +loaded):\n%s", trial, d)
					}
					// Nothing changed but the value's own bytes and the blocks.
					c := mustLayout(t, typ, mem.ABI())
					for i := range before {
						inRoot := uint64(i) >= 0x100 && uint64(i) < 0x100+c.Size
						inBlocks := uint64(i) >= 0x1000 && uint64(i) < a.Next
						if !inRoot && !inBlocks && mem.Bytes()[i] != before[i] {
							t.Fatalf("trial %d: byte %#x changed outside the value and its blocks", trial, i)
						}
					}
				}
			})
		}
	}
}

func mustLayout(t *testing.T, typ reflect.Type, abi layout.ABI) *layout.Layout {
	t.Helper()
	m, err := deep.Mirror(typ)
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Of(m, abi)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// failingAlloc is a bump allocator that fails (or misbehaves) on its nth
// call and records frees.
type failingAlloc struct {
	guestptr.Bump
	calls, failAt int
	bad           func(size, align uint64) uint64 // the bad address to return, if set
	badAlign      uint64                          // the alignment asked of the bad call
	live          map[uint64]bool
}

func (a *failingAlloc) Alloc(size, align uint64) (uint64, error) {
	a.calls++
	if a.calls == a.failAt {
		a.badAlign = align
		if a.bad != nil {
			return a.bad(size, align), nil
		}
		return 0, errors.New("out of guest memory")
	}
	p, err := a.Bump.Alloc(size, align)
	if err == nil {
		a.live[p] = true
	}
	return p, err
}

func (a *failingAlloc) Free(addr, size, align uint64) error {
	delete(a.live, addr)
	return nil
}

// TestStoreAllOrNothing makes the guest's allocator fail, or return a bad
// block, at each allocation of a Store in turn: the Store fails with the
// right error, every pre-existing guest byte is unchanged, and every block
// allocated was freed.
func TestStoreAllOrNothing(t *testing.T) {
	v := Req{ID: 1, Name: "n", Records: []Rec{{"a", 1, []string{"x", "y"}}, {"b", 2, []string{"z"}}}}
	const blocks = 9 // Name, Records, a, [x y], x, y, b, [z], z
	bads := map[string]struct {
		bad  func(size, align uint64) uint64
		want error
	}{
		"fails":          {nil, guestptr.ErrAlloc},
		"null":           {func(uint64, uint64) uint64 { return 0 }, guestptr.ErrAlloc},
		"past the end":   {func(size, _ uint64) uint64 { return 0x10000 - size + 1 }, guestptr.ErrOutOfBounds},
		"wraps":          {func(uint64, uint64) uint64 { return 0xfffffff0 }, guestptr.ErrBadPointer},
		"misaligned":     {func(_, align uint64) uint64 { return 0x8001 }, guestptr.ErrBadPointer},
		"overlaps":       {func(uint64, uint64) uint64 { return 0x1000 }, guestptr.ErrAlloc},
		"over the value": {func(uint64, uint64) uint64 { return 0x100 }, guestptr.ErrAlloc},
	}
	for _, abi := range abis {
		for name, bad := range bads {
			for at := 1; at <= blocks; at++ {
				t.Run(fmt.Sprintf("%s/%s/%d", abi.name, name, at), func(t *testing.T) {
					mem := abi.new(1 << 16)
					for i := range mem.Bytes() {
						mem.Bytes()[i] = byte(i * 13)
					}
					before := bytes.Clone(mem.Bytes())
					a := &failingAlloc{Bump: guestptr.Bump{Next: 0x1000, End: 0x10000}, failAt: at, bad: bad.bad, live: map[uint64]bool{}}
					err := deep.Store(mem, 0x100, &v, a, deep.Limits{})
					if a.calls < at {
						t.Fatalf("Store made %d allocations, fewer than %d", a.calls, at)
					}
					if name == "misaligned" && a.badAlign == 1 {
						// A string's block may sit at an odd address.
						if err != nil {
							t.Fatalf("Store with a string at an odd address: %v", err)
						}
						return
					}
					if !errors.Is(err, bad.want) {
						t.Fatalf("Store: %v, want an error matching %v", err, bad.want)
					}
					if !bytes.Equal(before, mem.Bytes()) {
						t.Errorf("a failed Store changed guest memory")
					}
					if len(a.live) != 0 {
						t.Errorf("blocks not freed: %v", a.live)
					}
				})
			}
		}
	}
}

// TestStoreChecksFirst: a bad value deep inside is found before anything
// is allocated or written, and named by its path.
func TestStoreChecksFirst(t *testing.T) {
	mem := memory.New(1 << 16)
	before := bytes.Clone(mem.Bytes())
	a := &failingAlloc{Bump: guestptr.Bump{Next: 0x1000, End: 0x10000}, live: map[uint64]bool{}}
	for _, tc := range []struct {
		v    Req
		want error
		msg  string
	}{
		{Req{Records: []Rec{{}, {Tags: []string{"ok", "bad\xff"}}}}, guestptr.ErrInvalidUTF8,
			"store deep_test.Req at 0x100: field Records[1].Tags[1]: invalid UTF-8 at byte 3 (0xff)"},
		{Req{Records: []Rec{{}}, Color: 3}, guestptr.ErrInvalidEnum,
			"store deep_test.Req at 0x100: field Color: invalid enum 3 (deep_test.Color has 3 cases)"},
		{Req{Perms: 8}, guestptr.ErrInvalidFlags,
			"store deep_test.Req at 0x100: field Perms: invalid flags 0x8 (unknown bits 0x8)"},
	} {
		err := deep.Store(mem, 0x100, &tc.v, a, deep.Limits{})
		if !errors.Is(err, tc.want) || err.Error() != tc.msg {
			t.Errorf("Store: %v\nwant %s (%v)", err, tc.msg, tc.want)
		}
	}
	if a.calls != 0 || !bytes.Equal(before, mem.Bytes()) {
		t.Errorf("a Store of a bad value allocated (%d calls) or wrote", a.calls)
	}
	n := Narrow{N: 40000}
	if err := deep.Store(mem, 0x100, &n, a, deep.Limits{}); !errors.Is(err, guestptr.ErrValueRange) {
		t.Errorf("Store of 40000 into i16: %v, want ErrValueRange", err)
	}
}

// put writes little-endian words at addr.
func put32(mem *memory.Memory, addr uint64, words ...uint32) {
	for i, w := range words {
		b := mem.Bytes()[addr+4*uint64(i):]
		b[0], b[1], b[2], b[3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLimitsHostileLengths: a guest list of 2^32-1 strings, each spanning
// the whole memory, is refused with the limit named, allocating less than
// 1 MiB, whatever the limits let through first.
func TestLimitsHostileLengths(t *testing.T) {
	mem := memory.New(1 << 16)
	put32(mem, 0x100, 0x200, 0xffffffff) // Strs.L = (0x200, 2^32-1)
	for i := uint64(0); i < 0x1000; i++ {
		put32(mem, 0x200+8*i, 0, 1<<16) // each string is the whole memory
	}
	for _, tc := range []struct {
		name  string
		lim   deep.Limits
		limit string
		msg   string
	}{
		{"default", deep.Limits{}, "Elements",
			"load deep_test.Strs at 0x100: field L: limit exceeded: Limits.Elements is 65536: a list of string needs 4294967295 elements, 65536 left"},
		{"elements unbounded", deep.Limits{Elements: 1 << 62}, "Bytes",
			"load deep_test.Strs at 0x100: field L: limit exceeded: Limits.Bytes is 1048576: a list of string needs 68719476720 bytes, 1048576 left"},
		{"few strings", deep.Limits{Elements: 1 << 62, Bytes: 100 << 10}, "Bytes", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = deep.Load[Strs](mem, 0x100, tc.lim) })
			var le *deep.LimitError
			if !errors.As(err, &le) || le.Limit != tc.limit || !errors.Is(err, deep.ErrLimit) {
				t.Fatalf("Load: %v, want a %s LimitError", err, tc.limit)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("error:\n got %s\nwant %s", err, tc.msg)
			}
			if n >= 1<<20 {
				t.Errorf("Load allocated %d bytes, want < 1 MiB", n)
			}
			t.Logf("%v (allocated %d bytes)", err, n)
		})
	}
	// 4000 byte strings of the whole memory: the list fits the limits,
	// the bytes do not, and the Load stops at the limit.
	put32(mem, 0x100, 0x200, 4000)
	var err error
	n := allocated(func() { _, err = deep.Load[Blobs](mem, 0x100, deep.Limits{Elements: 1 << 40}) })
	var de *deep.Error
	if !errors.Is(err, deep.ErrLimit) || !errors.As(err, &de) || de.Path.String() != "L[14]" {
		t.Errorf("Load of 4000 whole-memory byte strings: %v, want the Bytes limit at L[14]", err)
	}
	if n >= 2<<20 {
		t.Errorf("Load allocated %d bytes, want about Limits.Bytes", n)
	}
}

// TestLimitsCycle: a list node pointing to itself ends at the depth limit,
// with a clear error.
func TestLimitsCycle(t *testing.T) {
	for _, abi := range abis {
		mem := abi.new(1 << 16)
		w := mem.ABI().PointerSize()
		// List{V: 5, Next: 0x100} at 0x100: Next is at offset w (align of the pointer).
		mem.Bytes()[0x100] = 5
		put32(mem, 0x100+w, 0x100)
		_, err := deep.Load[List](mem, 0x100, deep.Limits{Depth: 5})
		var le *deep.LimitError
		var de *deep.Error
		if !errors.As(err, &le) || le.Limit != "Depth" || !errors.As(err, &de) {
			t.Fatalf("%s: Load of a cycle: %v, want a Depth LimitError", abi.name, err)
		}
		want := "load deep_test.List at 0x100: field Next.Next.Next.Next.Next.Next: limit exceeded: Limits.Depth is 5: a pointer to deep_test.List would be at depth 6 (a pointer cycle, or nesting too deep)"
		if err.Error() != want {
			t.Errorf("%s:\n got %s\nwant %s", abi.name, err, want)
		}
		// A store of a Go cycle ends at the depth limit too.
		l := &List{V: 1}
		l.Next = l
		if err := deep.Store(mem, 0x200, l, &guestptr.Bump{Next: 0x1000, End: 0x10000}, deep.Limits{}); !errors.Is(err, deep.ErrLimit) {
			t.Errorf("%s: Store of a cycle: %v, want ErrLimit", abi.name, err)
		}
	}
}

// TestLoadErrors: guest-made failures are named by their path and match
// guestptr's sentinels.
func TestLoadErrors(t *testing.T) {
	mem := memory.New(1 << 16)
	a := &guestptr.Bump{Next: 0x1000, End: 0x10000}
	v := Req{Name: "x", Records: []Rec{{Name: "r0"}, {Name: "r1", Tags: []string{"t"}}}}
	if err := deep.Store(mem, 0x100, &v, a, deep.Limits{}); err != nil {
		t.Fatal(err)
	}
	recs := uint64(mem.Bytes()[0x110]) | uint64(mem.Bytes()[0x111])<<8 // Records' address (offset 16)
	for _, tc := range []struct {
		name string
		poke func()
		want error
		path string
	}{
		{"record address wraps", func() { put32(mem, 0x110, 0xfffffff0) }, guestptr.ErrOverflow, "Records"},
		{"record count huge", func() { put32(mem, 0x110, uint32(recs), 0x7fffffff) }, deep.ErrLimit, "Records"},
		{"name past memory", func() { put32(mem, 0x108, 0xfff0, 0x100) }, guestptr.ErrOutOfBounds, "Name"},
		{"tag misaligned", func() { put32(mem, recs+20+12, 0x1001) }, guestptr.ErrMisaligned, "Records[1].Tags"},
		{"color", func() { mem.Bytes()[0x118] = 9 }, guestptr.ErrInvalidEnum, "Color"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := bytes.Clone(mem.Bytes())
			defer copy(mem.Bytes(), saved)
			tc.poke()
			_, err := deep.Load[Req](mem, 0x100, deep.Limits{})
			var de *deep.Error
			if !errors.Is(err, tc.want) || !errors.As(err, &de) || de.Path.String() != tc.path {
				t.Errorf("Load: %v, want %v at %s", err, tc.want, tc.path)
			}
			if !errors.Is(err, tc.want) {
				return
			}
			if tc.want != deep.ErrLimit && tc.want != guestptr.ErrInvalidEnum && !errors.Is(err, guestptr.ErrBadPointer) {
				t.Errorf("%v does not match ErrBadPointer", err)
			}
		})
	}
}

// TestUnsupported: strings inside a tagged union's case are refused with
// a layout error naming the field.
func TestUnsupported(t *testing.T) {
	type U struct {
		Tag uint8  `guest:",tag"`
		S   string `guest:",case=0"`
	}
	type W struct{ U U }
	if _, err := deep.For[W](layout.Wasm32); err == nil {
		t.Error("For of a string in a tagged union succeeded")
	} else {
		t.Log(err)
	}
}

// TestFieldOf finds a plain field of a native type.
func TestFieldOf(t *testing.T) {
	type R struct {
		Msg  string
		Buf  guestptr.String
		Size uint32
	}
	mem := memory.New(1 << 16)
	p, err := deep.FieldOf(mem, 0x100, func(r *R) *uint32 { return &r.Size })
	if err != nil || p.Addr() != 0x110 {
		t.Errorf("FieldOf Size: %v, %v; want 0x110", p, err)
	}
	if _, err := deep.FieldOf(mem, 0x100, func(r *R) *uint32 { return new(uint32) }); !errors.Is(err, guestptr.ErrNoField) {
		t.Errorf("FieldOf of no field: %v", err)
	}
}
