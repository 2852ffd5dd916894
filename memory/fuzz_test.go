package memory_test

// FuzzBorrows reads its input as a program of borrow operations on small
// address ranges (and, now and then, wide ones near the top of the address
// space) and checks every answer of memory.Borrows against a brute-force
// reference: a list of the borrows held. Names start with mb so the
// package's other tests are free to use plain ones.

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"testing"

	"github.com/guestkit/guestkit/memory"
)

// mbRegion is a requested region and the closed interval [start, last] of
// bytes it stands for. Borrows never wraps an interval: one that would pass
// 2^64 ends at byte 2^64-1, as the tracker documents (callers check bounds
// first).
type mbRegion struct {
	addr, n     uint64
	start, last uint64
	mutable     bool
}

func mbMake(addr, n uint64, mutable bool) mbRegion {
	end, carry := bits.Add64(addr, n, 0)
	last := end - 1
	if carry != 0 {
		last = 1<<64 - 1
	}
	return mbRegion{addr: addr, n: n, start: addr, last: last, mutable: mutable}
}

type mbHandle struct {
	h    memory.Borrow
	r    mbRegion
	live bool
}

// mbModel is the reference: every borrow ever taken, live or not.
type mbModel struct{ handles []*mbHandle }

func (m *mbModel) conflicts(r mbRegion, write bool) []mbRegion {
	if r.n == 0 {
		return nil
	}
	var out []mbRegion
	for _, h := range m.handles {
		if h.live && h.r.n > 0 && r.n > 0 && h.r.start <= r.last && r.start <= h.r.last && (write || h.r.mutable) {
			out = append(out, h.r)
		}
	}
	return out
}

func (m *mbModel) held() int {
	n := 0
	for _, h := range m.handles {
		if h.live && h.r.n > 0 {
			n++
		}
	}
	return n
}

// mbCheck compares an answer with the model's: nil when want is empty,
// else a *BorrowError describing r and naming one region of want.
func mbCheck(err error, r mbRegion, write bool, want []mbRegion) error {
	if len(want) == 0 {
		if err != nil {
			return fmt.Errorf("refused with %v; the model sees no conflict", err)
		}
		return nil
	}
	if err == nil {
		return fmt.Errorf("allowed; the model conflicts with %+v", want)
	}
	var be *memory.BorrowError
	if !errors.As(err, &be) || !errors.Is(err, memory.ErrBorrowed) || be.Error() == "" {
		return fmt.Errorf("refusal %v is not a *BorrowError matching ErrBorrowed", err)
	}
	if be.Addr != r.start || be.Len != r.n || be.Write != write {
		return fmt.Errorf("BorrowError %+v does not describe the request %+v (write %v)", be, r, write)
	}
	for _, w := range want {
		if be.HeldAddr == w.start && be.HeldLen == w.last-w.start+1 && be.HeldMutable == w.mutable {
			return nil
		}
	}
	return fmt.Errorf("BorrowError %+v names none of the conflicting regions %+v", be, want)
}

// mbRegionOf decodes a region from an op byte and two operand bytes: small
// ranges in [0, 80) mostly, wide ones spread over the address space, or
// ranges at its very top that would wrap.
func mbRegionOf(op, a, b byte, mutable bool) mbRegion {
	switch op >> 6 {
	case 2:
		return mbMake(uint64(a)<<56, uint64(b)<<48, mutable)
	case 3:
		return mbMake(1<<64-1-uint64(a%32), uint64(b%40), mutable)
	}
	return mbMake(uint64(a%64), uint64(b%17), mutable)
}

func FuzzBorrows(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 16, 0, 8, 4, 3, 4, 4, 4, 4, 4, 2, 0, 0, 0, 8, 4})
	f.Add([]byte{0, 0, 16, 0, 8, 16, 1, 4, 4, 3, 0, 1, 4, 0, 1, 2, 1, 0, 5, 0, 0, 2, 0, 0})
	f.Add([]byte{0x81, 1, 2, 0x80, 1, 255, 0x84, 1, 0, 0xc1, 0, 30, 0xc0, 3, 3, 0xc4, 1, 1, 6, 0, 0})
	f.Add([]byte{1, 10, 0, 0, 10, 0, 1, 10, 5, 7, 0, 0, 2, 9, 9, 5, 0, 0, 2, 0, 0, 6, 0, 0})
	f.Add([]byte{0, 0, 4, 0, 2, 4, 0, 4, 4, 1, 1, 1, 1, 6, 2, 4, 2, 2, 2, 1, 0, 1, 1, 1, 3, 3, 3, 4, 3, 3})
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 1500 { // 500 ops: the checks after each op are linear
			prog = prog[:1500]
		}
		var (
			b memory.Borrows
			m mbModel
		)
		pick := func(k byte) *mbHandle { // nil: the zero Borrow
			if i := int(k) % (len(m.handles) + 1); i < len(m.handles) {
				return m.handles[i]
			}
			return nil
		}
		for step := 0; step+3 <= len(prog); step += 3 {
			op, a, c := prog[step], prog[step+1], prog[step+2]
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("op %d (%#x %d %d): %s", step/3, op, a, c, fmt.Sprintf(format, args...))
			}
			// take takes a borrow of r and checks it against the model.
			take := func(r mbRegion) {
				want := m.conflicts(r, r.mutable)
				var (
					h   memory.Borrow
					err error
				)
				if r.mutable {
					h, err = b.Mutable(r.addr, r.n)
				} else {
					h, err = b.Shared(r.addr, r.n)
				}
				if e := mbCheck(err, r, r.mutable, want); e != nil {
					fail("take %+v: %v", r, e)
				}
				if err == nil {
					m.handles = append(m.handles, &mbHandle{h: h, r: r, live: true})
				} else if h.Held() {
					fail("a refused borrow reports Held")
				}
			}
			switch op & 7 {
			case 0, 1: // take a shared or a mutable borrow
				take(mbRegionOf(op, a, c, op&7 == 1))
			case 2, 5: // release a handle (through a copy for 5), or the zero Borrow
				hd := pick(a)
				var h memory.Borrow
				if hd != nil {
					h = hd.h
				}
				if op&7 == 5 {
					h2 := h
					h = h2
				}
				err := h.Release()
				switch {
				case hd == nil || !hd.live:
					if !errors.Is(err, memory.ErrReleased) {
						fail("Release of a released or zero borrow = %v, want ErrReleased", err)
					}
				case err != nil:
					fail("Release of %+v: %v", hd.r, err)
				default:
					hd.live = false
				}
			case 3, 4: // check an access
				write := op&7 == 4
				r := mbRegionOf(op, a, c, false)
				want := m.conflicts(r, write)
				var (
					acc memory.Access
					err error
				)
				if write {
					acc, err = b.BeginWrite(r.addr, r.n)
				} else {
					acc, err = b.BeginRead(r.addr, r.n)
				}
				acc.End()
				if e := mbCheck(err, r, write, want); e != nil {
					fail("access %+v (write %v): %v", r, write, e)
				}
			case 6: // release everything held, in the order given by a
				for k := range m.handles {
					hd := m.handles[(k+int(a))%len(m.handles)]
					if hd.live {
						if err := hd.h.Release(); err != nil {
							fail("Release of %+v: %v", hd.r, err)
						}
						hd.live = false
					}
				}
			case 7: // take the very region of an earlier borrow: equal starts
				hd := pick(a)
				if hd == nil {
					continue
				}
				take(mbMake(hd.r.addr, hd.r.n, c&1 == 1))
			}
			if got, want := b.Held(), m.held(); got != want {
				fail("Held() = %d, the model holds %d", got, want)
			}
			for _, hd := range m.handles {
				if hd.h.Held() != hd.live {
					fail("borrow %+v reports Held %v, the model %v", hd.r, hd.h.Held(), hd.live)
				}
			}
		}
		// Everything released, the tracker is empty and grants anything.
		for _, hd := range m.handles {
			if hd.live {
				if err := hd.h.Release(); err != nil {
					t.Fatalf("final Release of %+v: %v", hd.r, err)
				}
			}
		}
		if b.Held() != 0 {
			t.Fatalf("Held() = %d after releasing everything", b.Held())
		}
		h, err := b.Mutable(0, 1<<63)
		if err != nil {
			t.Fatalf("Mutable over an empty tracker: %v", err)
		}
		if err := h.Release(); err != nil {
			t.Fatal(err)
		}
	})
}

// mbPrograms are the FuzzBorrows seeds: op, a, b triples (see FuzzBorrows
// for what they do).
var mbPrograms = map[string][]byte{
	// A mutable borrow refuses overlapping borrows and accesses, not
	// adjacent ones, until released.
	"mutable-overlaps": {1, 0, 16, 1, 15, 2, 0, 8, 4, 3, 15, 1, 4, 16, 4, 2, 0, 0, 1, 15, 2},
	// Shared borrows coexist and allow reads, refuse writes and mutable
	// borrows.
	"shared-then-write": {0, 0, 8, 0, 4, 8, 3, 0, 16, 4, 7, 1, 1, 11, 1, 2, 0, 0, 2, 1, 0, 1, 0, 16},
	// Releasing twice, through a copy, or the zero Borrow is ErrReleased.
	"double-release": {0, 1, 1, 2, 0, 0, 2, 0, 0, 5, 0, 0, 2, 1, 0, 1, 1, 1, 5, 1, 0, 5, 1, 0},
	// Zero-length borrows never conflict and are not counted.
	"zero-length": {1, 5, 0, 1, 5, 0, 0, 5, 0, 4, 5, 0, 1, 0, 16, 1, 5, 0, 3, 5, 0},
	// Borrows of one region: equal starts in the tree.
	"equal-starts": {0, 8, 8, 7, 0, 0, 7, 0, 1, 7, 1, 0, 2, 0, 0, 7, 1, 1, 2, 1, 0, 2, 2, 0, 7, 0, 1},
	// Regions spread over the whole address space.
	"wide": {0x81, 1, 255, 0x80, 1, 1, 0x80, 2, 0, 0x84, 1, 200, 0x83, 0, 255, 0x82, 0, 0, 0x80, 1, 1},
	// Regions at the top of the address space, which would wrap.
	"top-of-space": {0xc1, 0, 30, 0xc0, 3, 3, 0xc4, 1, 1, 0xc3, 0, 39, 0xc1, 5, 2, 6, 0, 0, 0xc1, 31, 39},
	// Many borrows released all at once, in a rotated order.
	"release-all": {0, 0, 4, 0, 2, 4, 0, 4, 4, 1, 9, 3, 1, 12, 3, 0, 20, 10, 6, 2, 0, 1, 0, 32, 3, 3, 3, 6, 1, 0},
	// A treap of many small disjoint mutable borrows, queried everywhere.
	"many-disjoint": {1, 0, 2, 1, 4, 2, 1, 8, 2, 1, 12, 2, 1, 16, 2, 1, 20, 2, 1, 24, 2, 1, 28, 2, 1, 32, 2,
		3, 2, 2, 3, 3, 2, 4, 6, 3, 4, 30, 4, 3, 34, 10, 2, 3, 0, 3, 6, 2, 4, 6, 3},
}

// TestWriteFuzzCorpus writes mbPrograms under testdata/fuzz when
// GUESTKIT_FUZZ_CORPUS is set.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("GUESTKIT_FUZZ_CORPUS") == "" {
		t.Skip("set GUESTKIT_FUZZ_CORPUS=1 to write the seed corpora")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzBorrows")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, prog := range mbPrograms {
		s := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", prog)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
