package layout_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/guestkit/guestkit/layout"
)

// listNode refers to itself through a guest pointer: the pointee is not
// laid out until followed, so this has a layout.
type listNode struct {
	Next  gptr[listNode]
	Items gspan[listNode]
	Value uint32
}

func TestCache(t *testing.T) {
	a := mustOf(t, reflect.TypeFor[wasiSubscription](), layout.Wasm32)
	b, err := layout.For[wasiSubscription](layout.Wasm32)
	if err != nil || a != b {
		t.Fatalf("For after Of: %p, %v; want the cached %p", b, err, a)
	}
	if c := mustOf(t, reflect.TypeFor[wasiSubscription](), layout.Wasm64); c == a || c.ABI != layout.Wasm64 {
		t.Errorf("the wasm64 layout is %p with ABI %v; want a layout of its own", c, c.ABI)
	}
	// Nested struct layouts are the cached layouts of their types.
	u := mustOf(t, reflect.TypeFor[wasiSubscriptionU](), layout.Wasm32)
	if a.Fields[1].Layout != u {
		t.Errorf("field U has layout %p, want the cached %p", a.Fields[1].Layout, u)
	}
	if clock := mustOf(t, reflect.TypeFor[wasiSubscriptionClock](), layout.Wasm32); u.Fields[1].Layout != clock {
		t.Errorf("case Clock has layout %p, want the cached %p", u.Fields[1].Layout, clock)
	}
}

func TestSelfReference(t *testing.T) {
	for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
		l := mustOf(t, reflect.TypeFor[listNode](), abi)
		p := abi.PointerSize()
		want := fmt.Sprintf("size %d align %d: Next@0 Items@%d Value@%d", 4*p, p, p, 3*p)
		got := fmt.Sprintf("size %d align %d: Next@%d Items@%d Value@%d", l.Size, l.Align, l.Fields[0].Offset, l.Fields[1].Offset, l.Fields[2].Offset)
		if got != want {
			t.Errorf("%v: got %s, want %s", abi, got, want)
		}
		if l.Fields[0].Layout.Pointee != reflect.TypeFor[listNode]() {
			t.Errorf("%v: pointee %v", abi, l.Fields[0].Layout.Pointee)
		}
	}
}

// TestConcurrentOf races goroutines to the first layout of fresh types:
// every caller must see the same *Layout (or error). Run with -race.
func TestConcurrentOf(t *testing.T) {
	const goroutines = 16
	for i := range 8 {
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "A", Type: reflect.TypeFor[uint8]()},
			{Name: fmt.Sprintf("B%d", i), Type: reflect.TypeFor[wasiSubscription]()},
		})
		bad := reflect.StructOf([]reflect.StructField{{Name: fmt.Sprintf("S%d", i), Type: reflect.TypeFor[string]()}})
		var (
			wg      sync.WaitGroup
			layouts [goroutines]*layout.Layout
			errs    [goroutines]error
		)
		for g := range goroutines {
			wg.Go(func() {
				abi := layout.Wasm32
				layouts[g], _ = layout.Of(typ, abi)
				_, errs[g] = layout.Of(bad, abi)
			})
		}
		wg.Wait()
		for g := range goroutines {
			if layouts[g] == nil || layouts[g] != layouts[0] {
				t.Fatalf("type %d: goroutine %d got layout %p, goroutine 0 got %p", i, g, layouts[g], layouts[0])
			}
			if errs[g] == nil || errs[g] != errs[0] {
				t.Fatalf("type %d: goroutine %d got error %v, goroutine 0 got %v", i, g, errs[g], errs[0])
			}
		}
		if l := layouts[0]; l.Size != 56 || l.Fields[1].Offset != 8 {
			t.Errorf("type %d: size %d, B at %d; want 56 and 8", i, l.Size, l.Fields[1].Offset)
		}
	}
}

// TestCacheHitAllocs checks that a cached layout costs no allocation.
func TestCacheHitAllocs(t *testing.T) {
	typ := reflect.TypeFor[wasiSubscription]()
	mustOf(t, typ, layout.Wasm32)
	if n := testing.AllocsPerRun(1000, func() { layout.Of(typ, layout.Wasm32) }); n != 0 {
		t.Errorf("Of on a cache hit: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { layout.For[wasiFdstat](layout.Wasm64) }); n != 0 {
		t.Errorf("For on a cache hit: %v allocations, want 0", n)
	}
}

func BenchmarkOf(b *testing.B) {
	typ := reflect.TypeFor[wasiSubscription]()
	if _, err := layout.Of(typ, layout.Wasm32); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		layout.Of(typ, layout.Wasm32)
	}
}

func BenchmarkOfParallel(b *testing.B) {
	typ := reflect.TypeFor[wasiSubscription]()
	if _, err := layout.Of(typ, layout.Wasm32); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			layout.Of(typ, layout.Wasm32)
		}
	})
}
