package canonwazero_test

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"

	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/memory/wazeromem"
	"github.com/guestkit/guestkit/memory/wazeromem/canonwazero"
)

//go:embed testdata/guest.wasm
var guestWasm []byte

// guestBuild is how testdata/guest.wasm is built from testdata/guest.c.
var guestBuild = []string{"--target=wasm32", "-nostdlib", "-O2", "-Wl,--no-entry", "-Wl,--strip-debug", "-o", "guest.wasm", "guest.c"}

// TestGuestMatchesSource rebuilds the C guest and compares it with the
// committed module.
func TestGuestMatchesSource(t *testing.T) {
	if _, err := exec.LookPath("clang"); err != nil {
		if os.Getenv("GUESTKIT_REQUIRE_REFERENCE") == "1" {
			t.Fatal("clang is missing")
		}
		t.Skip("clang is missing: the committed testdata/guest.wasm is not rebuilt")
	}
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/guest.c")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "guest.c"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("clang", guestBuild...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "guest.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, guestWasm) {
		t.Errorf("testdata/guest.wasm does not match testdata/guest.c: rebuild with (cd testdata && clang %s)", strings.Join(guestBuild, " "))
	}
}

type Person struct {
	Name string
	Age  uint8
	Tags []string
}

type Shape struct {
	Tag    uint8   `guest:",tag"`
	Circle float32 `guest:",case=0"`
	Rect   struct {
		W, H int64
	} `guest:",case=1"`
	Empty struct{} `guest:",case=2"`
	Label string   `guest:",case=3"`
}

type Perms uint8

func (Perms) GuestFlagsMask() uint64 { return 7 }

type Rec struct {
	S  string
	Xs []uint32
}

type Counter struct{}
type Blob struct{}

type sum17 struct{ A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q uint32 }

type fixture struct {
	ctx      context.Context
	in       *canonwazero.Instance
	counters map[uint32]uint32
	dropped  []uint32
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := wazeromem.WithAllocator(context.Background())
	r := wazero.NewRuntime(ctx)
	t.Cleanup(func() { r.Close(ctx) })
	f := &fixture{ctx: ctx, counters: map[uint32]uint32{1: 100}}
	b := r.NewHostModuleBuilder("host")
	must(t, canonwazero.Import(b, "host-upper", canonical.UTF8, func(_ context.Context, a struct{ S string }) (string, error) {
		return strings.ToUpper(a.S), nil
	}))
	must(t, canonwazero.Import(b, "counter-add", canonical.UTF8, func(_ context.Context, a struct {
		C canonical.Borrow[Counter]
		N uint32
	}) (uint32, error) {
		f.counters[a.C.Rep] += a.N
		return f.counters[a.C.Rep], nil
	}))
	canonwazero.Resource[Counter](b, "counter", func(_ context.Context, rep uint32) { f.dropped = append(f.dropped, rep) })
	canonwazero.Resource[Blob](b, "blob", nil)
	if _, err := b.Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	mod, err := r.Instantiate(ctx, guestWasm)
	if err != nil {
		t.Fatal(err)
	}
	f.in = canonwazero.Of(mod, canonical.UTF8)
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func export[P, R any](t *testing.T, f *fixture, name string) func(P) (R, error) {
	t.Helper()
	fn, err := canonwazero.Export[P, R](f.in, name)
	if err != nil {
		t.Fatal(err)
	}
	return func(p P) (R, error) { return fn(f.ctx, p) }
}

func TestCGuest(t *testing.T) {
	f := newFixture(t)
	greet := export[struct{ Name string }, string](t, f, "greet")
	got, err := greet(struct{ Name string }{"wörld"})
	must(t, err)
	if d := cmp.Diff("Hello, wörld!", got); d != "" {
		t.Errorf("greet (-want +got):\n%s", d)
	}
	post := f.in.Module.ExportedFunction("post-calls")
	res, err := post.Call(f.ctx)
	must(t, err)
	if res[0] != 1 {
		t.Errorf("cabi_post_greet ran %d times, want 1", res[0])
	}

	sum := export[struct{ Xs []uint32 }, uint64](t, f, "sum")
	s, err := sum(struct{ Xs []uint32 }{[]uint32{1, 2, 1 << 31, 1 << 31}})
	must(t, err)
	if s != 1<<32+3 {
		t.Errorf("sum = %d", s)
	}

	mk := export[struct {
		Name string
		Age  uint8
	}, Person](t, f, "make-person")
	p, err := mk(struct {
		Name string
		Age  uint8
	}{"Ada", 36})
	must(t, err)
	if d := cmp.Diff(Person{"Ada", 36, []string{"person", "adult"}}, p); d != "" {
		t.Errorf("make-person (-want +got):\n%s", d)
	}

	classify := export[struct{ S Shape }, string](t, f, "classify")
	for _, c := range []struct {
		s    Shape
		want string
	}{
		{Shape{Tag: 0, Circle: 2}, "big circle"},
		{Shape{Tag: 0, Circle: 0.5}, "small circle"},
		{Shape{Tag: 1, Rect: struct{ W, H int64 }{-2, 3}}, "negative rect"},
		{Shape{Tag: 2}, "empty"},
		{Shape{Tag: 3, Label: "✓"}, "label:✓"},
	} {
		got, err := classify(struct{ S Shape }{c.s})
		must(t, err)
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("classify(%+v) (-want +got):\n%s", c.s, d)
		}
	}

	find := export[struct {
		Xs []uint32
		X  uint32
	}, canonical.Option[uint32]](t, f, "find")
	o, err := find(struct {
		Xs []uint32
		X  uint32
	}{[]uint32{5, 6, 7}, 7})
	must(t, err)
	if d := cmp.Diff(canonical.Some[uint32](2), o); d != "" {
		t.Errorf("find (-want +got):\n%s", d)
	}
	o, err = find(struct {
		Xs []uint32
		X  uint32
	}{nil, 7})
	must(t, err)
	if d := cmp.Diff(canonical.None[uint32](), o); d != "" {
		t.Errorf("find none (-want +got):\n%s", d)
	}

	parse := export[struct{ S string }, canonical.Result[uint32, string]](t, f, "parse-u32")
	pr, err := parse(struct{ S string }{"4294967295"})
	must(t, err)
	if d := cmp.Diff(canonical.OK[uint32, string](4294967295), pr); d != "" {
		t.Errorf("parse-u32 (-want +got):\n%s", d)
	}
	pr, err = parse(struct{ S string }{"12x"})
	must(t, err)
	if d := cmp.Diff(canonical.Fail[uint32]("not a u32: 12x"), pr); d != "" {
		t.Errorf("parse-u32 error (-want +got):\n%s", d)
	}

	toggle := export[struct{ P Perms }, Perms](t, f, "toggle")
	pm, err := toggle(struct{ P Perms }{5})
	must(t, err)
	if pm != 2 {
		t.Errorf("toggle = %d", pm)
	}

	s17 := export[sum17, uint32](t, f, "sum17")
	v, err := s17(sum17{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2})
	must(t, err)
	if v != 136+2*17 {
		t.Errorf("sum17 = %d", v)
	}

	echo := export[struct{ R Rec }, Rec](t, f, "echo-record")
	rec := Rec{"abc", []uint32{1, 2, 3}}
	er, err := echo(struct{ R Rec }{rec})
	must(t, err)
	if d := cmp.Diff(rec, er); d != "" {
		t.Errorf("echo-record (-want +got):\n%s", d)
	}

	callHost := export[struct{ S string }, string](t, f, "call-host")
	ch, err := callHost(struct{ S string }{"shout"})
	must(t, err)
	if d := cmp.Diff("<SHOUT>", ch); d != "" {
		t.Errorf("call-host (-want +got):\n%s", d)
	}
}

func TestCGuestHandles(t *testing.T) {
	f := newFixture(t)
	use := export[struct {
		C canonical.Borrow[Counter]
		N uint32
	}, uint32](t, f, "use-counter")
	got, err := use(struct {
		C canonical.Borrow[Counter]
		N uint32
	}{canonical.Borrow[Counter]{Rep: 1}, 5})
	must(t, err)
	if got != 105 || f.in.Handles.Len() != 0 {
		t.Errorf("use-counter = %d with %d handles left", got, f.in.Handles.Len())
	}

	take := export[struct{ C canonical.Own[Counter] }, struct{}](t, f, "take-counter")
	_, err = take(struct{ C canonical.Own[Counter] }{canonical.Own[Counter]{Rep: 9}})
	must(t, err)
	if d := cmp.Diff([]uint32{9}, f.dropped); d != "" {
		t.Errorf("destructor calls (-want +got):\n%s", d)
	}

	keep := export[struct{ C canonical.Borrow[Counter] }, uint32](t, f, "keep-borrow")
	_, err = keep(struct{ C canonical.Borrow[Counter] }{canonical.Borrow[Counter]{Rep: 1}})
	if !errors.Is(err, canonical.ErrBorrowsRemain) {
		t.Errorf("keep-borrow: got %v, want ErrBorrowsRemain", err)
	}

	nb := export[struct{ N uint32 }, canonical.Own[Blob]](t, f, "new-blob")
	blob, err := nb(struct{ N uint32 }{77})
	must(t, err)
	size := export[struct{ B canonical.Borrow[Blob] }, uint32](t, f, "blob-size")
	n, err := size(struct{ B canonical.Borrow[Blob] }{canonical.Borrow[Blob]{Rep: blob.Rep}})
	must(t, err)
	if n != 77 {
		t.Errorf("blob-size = %d", n)
	}
}

func TestCGuestTraps(t *testing.T) {
	f := newFixture(t)
	first := export[struct{ S string }, canonical.Char](t, f, "first-char")
	c, err := first(struct{ S string }{"€uro"})
	must(t, err)
	if c != '€' {
		t.Errorf("first-char = %q", c)
	}
	_, err = first(struct{ S string }{""})
	var e *canonical.Error
	if !errors.As(err, &e) || !errors.Is(err, canonical.ErrInvalidChar) {
		t.Errorf("first-char of empty: got %v, want ErrInvalidChar", err)
	}
	// A guest that passes a bad handle to a host import traps inside it.
	add := f.in.Module.ExportedFunction("use-counter")
	_, err = add.Call(f.ctx, 42, 1)
	if !errors.Is(err, canonical.ErrInvalidHandle) {
		t.Errorf("use-counter(42): got %v, want ErrInvalidHandle", err)
	}
	// Export type mismatch is reported when binding.
	if _, err := canonwazero.Export[struct{ X uint64 }, string](f.in, "greet"); err == nil {
		t.Error("binding greet as (u64) -> string succeeded")
	}
}
