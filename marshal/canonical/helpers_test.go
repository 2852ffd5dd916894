package canonical

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// bump is an in-process cabi_realloc: a bump allocator over mem that
// records its calls.
type bump struct {
	mem   *memory.Memory
	next  uint64
	calls [][4]uint64
	// bad, when set, replaces the result of call number badAt (0-based).
	bad   func(ptr uint64) uint64
	badAt int
}

func (b *bump) realloc(old, oldSize, align, size uint64) (uint64, error) {
	b.calls = append(b.calls, [4]uint64{old, oldSize, align, size})
	var p uint64
	if old != 0 && size <= oldSize {
		p = old
	} else {
		p = alignTo(b.next, align)
		b.next = p + size
		if old != 0 {
			copy(b.mem.Bytes()[p:p+min(oldSize, size)], b.mem.Bytes()[old:old+min(oldSize, size)])
		}
	}
	if b.bad != nil && len(b.calls)-1 == b.badAt {
		p = b.bad(p)
	}
	return p, nil
}

func newCx(abi layout.ABI, enc StringEncoding) (*Context, *bump) {
	var m *memory.Memory
	if abi == layout.Wasm64 {
		m = memory.NewWasm64(1 << 16)
	} else {
		m = memory.New(1 << 16)
	}
	b := &bump{mem: m, next: 1024}
	return &Context{Memory: m, Encoding: enc, Realloc: b.realloc, Handles: NewHandleTable()}, b
}

var abis = []layout.ABI{layout.Wasm32, layout.Wasm64}
var encodings = []StringEncoding{UTF8, UTF16, Latin1UTF16}

// cmpOpts treats nil and empty slices alike and NaNs as equal.
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty(), cmpopts.EquateNaNs()}

// roundTrip lowers v both through memory and flat, lifts it back, and
// compares.
func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	for _, abi := range abis {
		for _, enc := range encodings {
			cx, _ := newCx(abi, enc)
			c, err := For[T](abi)
			if err != nil {
				t.Fatalf("For: %v", err)
			}
			ptr := alignTo(64, c.Align())
			if err := c.Store(cx, ptr, v); err != nil {
				t.Fatalf("%v %v Store: %v", abi, enc, err)
			}
			got, err := c.Load(cx, ptr)
			if err != nil {
				t.Fatalf("%v %v Load: %v", abi, enc, err)
			}
			if d := cmp.Diff(v, got, cmpOpts...); d != "" {
				t.Errorf("%v %v memory round trip (-want +got):\n%s", abi, enc, d)
			}
			flat, err := c.LowerFlat(cx, v, nil)
			if err != nil {
				t.Fatalf("%v %v LowerFlat: %v", abi, enc, err)
			}
			got, err = c.LiftFlat(cx, flat)
			if err != nil {
				t.Fatalf("%v %v LiftFlat: %v", abi, enc, err)
			}
			if d := cmp.Diff(v, got, cmpOpts...); d != "" {
				t.Errorf("%v %v flat round trip (-want +got):\n%s", abi, enc, d)
			}
		}
	}
}

var _ = math.NaN
