package memory_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/guestkit/guestkit/memory"
)

// model is the reference the borrow tracker is checked against: a plain
// list of the regions held, searched by brute force.
type model struct {
	held []modelBorrow
}

type modelBorrow struct {
	r region
	h memory.Borrow
}

func overlaps(a, b region) bool {
	return a.Len > 0 && b.Len > 0 && a.Addr < b.Addr+b.Len && b.Addr < a.Addr+a.Len
}

// conflicts returns the held regions that a request for r (exclusive when
// write) conflicts with.
func (m *model) conflicts(r region, write bool) []region {
	var out []region
	for _, hb := range m.held {
		if overlaps(r, hb.r) && (write || hb.r.Mutable) {
			out = append(out, hb.r)
		}
	}
	return out
}

func (m *model) nonzero() int {
	n := 0
	for _, hb := range m.held {
		if hb.r.Len > 0 {
			n++
		}
	}
	return n
}

// checkRefusal checks that err is a *BorrowError for request r that names
// one of the conflicting regions want.
func checkRefusal(t *testing.T, step int, err error, r region, write bool, want []region) {
	t.Helper()
	var be *memory.BorrowError
	if !errors.As(err, &be) || !errors.Is(err, memory.ErrBorrowed) {
		t.Fatalf("step %d: refusal %v is not a *BorrowError matching ErrBorrowed", step, err)
	}
	if be.Addr != r.Addr || be.Len != r.Len || be.Write != write {
		t.Fatalf("step %d: BorrowError %+v does not describe the request %+v (write %v)", step, be, r, write)
	}
	for _, w := range want {
		if be.HeldAddr == w.Addr && be.HeldLen == w.Len && be.HeldMutable == w.Mutable {
			return
		}
	}
	t.Fatalf("step %d: BorrowError %+v names no conflicting region of %+v", step, be, want)
}

// TestBorrowsAgainstModel runs thousands of random takes, releases and
// access checks on a small address space, so that overlaps are frequent, and
// checks every answer against the model.
func TestBorrowsAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		var (
			b     memory.Borrows
			m     model
			stale []memory.Borrow
		)
		randRegion := func() region {
			addr := rng.Uint64N(256)
			n := rng.Uint64N(24)
			if rng.IntN(10) == 0 {
				n = 0
			}
			return region{Addr: addr, Len: n, Mutable: rng.IntN(3) == 0}
		}
		var granted, refused int
		for step := range 4000 {
			switch op := rng.IntN(10); {
			case op < 5: // take
				r := randRegion()
				want := m.conflicts(r, r.Mutable)
				h, err := take(&b, r)
				if len(want) == 0 {
					if err != nil {
						t.Fatalf("seed %d step %d: take %+v = %v, model sees no conflict", seed, step, r, err)
					}
					m.held = append(m.held, modelBorrow{r, h})
					granted++
				} else {
					if err == nil {
						t.Fatalf("seed %d step %d: take %+v granted, model conflicts with %+v", seed, step, r, want)
					}
					checkRefusal(t, step, err, r, r.Mutable, want)
					refused++
				}
			case op < 8: // release
				if len(m.held) == 0 {
					continue
				}
				i := rng.IntN(len(m.held))
				hb := m.held[i]
				m.held = append(m.held[:i], m.held[i+1:]...)
				if err := hb.h.Release(); err != nil {
					t.Fatalf("seed %d step %d: Release %+v: %v", seed, step, hb.r, err)
				}
				stale = append(stale, hb.h)
			case op < 9: // a released handle stays released
				if len(stale) == 0 {
					continue
				}
				h := stale[rng.IntN(len(stale))]
				if h.Held() {
					t.Fatalf("seed %d step %d: a released handle reports Held", seed, step)
				}
				if err := h.Release(); !errors.Is(err, memory.ErrReleased) {
					t.Fatalf("seed %d step %d: Release of a released handle = %v", seed, step, err)
				}
			default: // access check
				r := randRegion()
				write := r.Mutable
				want := m.conflicts(r, write)
				acc, err := begin(&b, r.Addr, r.Len, write)
				acc.End()
				if len(want) == 0 && err != nil {
					t.Fatalf("seed %d step %d: access %+v = %v, model sees no conflict", seed, step, r, err)
				}
				if len(want) > 0 {
					if err == nil {
						t.Fatalf("seed %d step %d: access %+v allowed, model conflicts with %+v", seed, step, r, want)
					}
					checkRefusal(t, step, err, r, write, want)
				}
			}
			if got, want := b.Held(), m.nonzero(); got != want {
				t.Fatalf("seed %d step %d: Held() = %d, model holds %d", seed, step, got, want)
			}
			for _, hb := range m.held {
				if !hb.h.Held() {
					t.Fatalf("seed %d step %d: held borrow %+v reports not Held", seed, step, hb.r)
				}
			}
		}
		// Both outcomes must have been exercised for the run to mean much.
		if granted < 500 || refused < 500 {
			t.Errorf("seed %d: %d granted, %d refused: too few of one kind", seed, granted, refused)
		}
		for _, hb := range m.held {
			if err := hb.h.Release(); err != nil {
				t.Fatal(err)
			}
		}
		if b.Held() != 0 {
			t.Errorf("seed %d: Held() = %d after releasing everything", seed, b.Held())
		}
	}
}
