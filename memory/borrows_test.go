package memory_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/memory"
)

// region is a borrow request in the tests: [Addr, Addr+Len), shared or
// mutable.
type region struct {
	Addr, Len uint64
	Mutable   bool
}

func take(b *memory.Borrows, r region) (memory.Borrow, error) {
	if r.Mutable {
		return b.Mutable(r.Addr, r.Len)
	}
	return b.Shared(r.Addr, r.Len)
}

func TestBorrowsConflicts(t *testing.T) {
	sh := func(a, n uint64) region { return region{a, n, false} }
	mu := func(a, n uint64) region { return region{a, n, true} }
	tests := []struct {
		name          string
		held, request region
		conflict      bool
	}{
		{"shared over shared, same region", sh(0x10, 0x10), sh(0x10, 0x10), false},
		{"shared over shared, partial overlap", sh(0x10, 0x10), sh(0x18, 0x10), false},
		{"mutable over shared", sh(0x10, 0x10), mu(0x18, 0x10), true},
		{"shared over mutable", mu(0x10, 0x10), sh(0x1f, 1), true},
		{"mutable over mutable", mu(0x10, 0x10), mu(0x0, 0x11), true},
		{"mutable inside mutable", mu(0x10, 0x10), mu(0x14, 4), true},
		{"mutable around shared", sh(0x14, 4), mu(0x10, 0x10), true},
		{"adjacent after mutable", mu(0x10, 0x10), mu(0x20, 0x10), false},
		{"adjacent before mutable", mu(0x10, 0x10), mu(0x0, 0x10), false},
		{"adjacent shared/mutable", sh(0x10, 0x10), mu(0x20, 1), false},
		{"zero-length mutable inside mutable", mu(0x10, 0x10), mu(0x18, 0), false},
		{"zero-length shared inside mutable", mu(0x10, 0x10), sh(0x10, 0), false},
		{"mutable over zero-length mutable", mu(0x18, 0), mu(0x10, 0x10), false},
		{"wrapping request clamps at 2^64", mu(1<<64-0x10, 0x10), sh(1<<64-4, 0x100), true},
		{"disjoint far apart", mu(0, 1), mu(1<<63, 1<<62), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b memory.Borrows
			h, err := take(&b, tt.held)
			if err != nil {
				t.Fatalf("first borrow %+v: %v", tt.held, err)
			}
			h2, err := take(&b, tt.request)
			if got := err != nil; got != tt.conflict {
				t.Fatalf("borrow %+v while holding %+v: err = %v, want conflict %v", tt.request, tt.held, err, tt.conflict)
			}
			if err != nil {
				if !errors.Is(err, memory.ErrBorrowed) {
					t.Errorf("err = %v, want ErrBorrowed", err)
				}
				if h2.Held() {
					t.Error("a refused borrow reports Held")
				}
			} else if !h2.Held() {
				t.Error("a granted borrow does not report Held")
			}
			if err := h.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}
			// With the first borrow gone, the request always succeeds.
			if tt.conflict {
				if h2, err = take(&b, tt.request); err != nil {
					t.Fatalf("borrow %+v after release: %v", tt.request, err)
				}
			}
			if err := h2.Release(); err != nil {
				t.Fatalf("Release of the second borrow: %v", err)
			}
			if n := b.Held(); n != 0 {
				t.Errorf("Held() = %d after releasing everything", n)
			}
		})
	}
}

func TestBorrowErrorFields(t *testing.T) {
	var b memory.Borrows
	if _, err := b.Mutable(0x10, 0x10); err != nil {
		t.Fatal(err)
	}
	_, err := b.Shared(0x18, 0x10)
	var be *memory.BorrowError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v (%T), want a *memory.BorrowError", err, err)
	}
	want := &memory.BorrowError{Addr: 0x18, Len: 0x10, Write: false, HeldAddr: 0x10, HeldLen: 0x10, HeldMutable: true}
	if diff := cmp.Diff(want, be); diff != "" {
		t.Errorf("BorrowError (-want +got):\n%s", diff)
	}
	const msg = "region is borrowed: [0x18, 0x28) overlaps a mutable borrow of [0x10, 0x20)"
	if err.Error() != msg {
		t.Errorf("Error() = %q, want %q", err.Error(), msg)
	}

	// A mutable request refused by a shared borrow.
	var b2 memory.Borrows
	if _, err := b2.Shared(0x100, 8); err != nil {
		t.Fatal(err)
	}
	_, err = b2.Mutable(0xfc, 8)
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *memory.BorrowError", err)
	}
	want = &memory.BorrowError{Addr: 0xfc, Len: 8, Write: true, HeldAddr: 0x100, HeldLen: 8, HeldMutable: false}
	if diff := cmp.Diff(want, be); diff != "" {
		t.Errorf("BorrowError (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), "region is borrowed: [0xfc, 0x104) overlaps a shared borrow of [0x100, 0x108)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestBorrowRelease(t *testing.T) {
	var b memory.Borrows
	h, err := b.Mutable(0, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Held() || b.Held() != 1 {
		t.Fatalf("after Mutable: h.Held() = %v, b.Held() = %d", h.Held(), b.Held())
	}
	copyOfH := h
	if err := h.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if h.Held() || copyOfH.Held() || b.Held() != 0 {
		t.Fatalf("after Release: h.Held() = %v, copy Held() = %v, b.Held() = %d", h.Held(), copyOfH.Held(), b.Held())
	}
	if err := h.Release(); !errors.Is(err, memory.ErrReleased) {
		t.Errorf("second Release = %v, want ErrReleased", err)
	}
	if err := copyOfH.Release(); !errors.Is(err, memory.ErrReleased) {
		t.Errorf("Release of a copy = %v, want ErrReleased", err)
	}
	if err := (memory.Borrow{}).Release(); !errors.Is(err, memory.ErrReleased) {
		t.Errorf("Release of the zero Borrow = %v, want ErrReleased", err)
	}
	if (memory.Borrow{}).Held() {
		t.Error("the zero Borrow reports Held")
	}

	// Release then borrow again: the region is free.
	h2, err := b.Mutable(0, 8)
	if err != nil {
		t.Fatalf("Mutable after Release: %v", err)
	}
	// The new borrow may reuse the released one's storage; the stale handle
	// must neither report it held nor release it.
	if h.Held() {
		t.Error("a stale handle reports Held after its storage was reused")
	}
	if err := h.Release(); !errors.Is(err, memory.ErrReleased) {
		t.Errorf("stale Release = %v, want ErrReleased", err)
	}
	if !h2.Held() || b.Held() != 1 {
		t.Fatalf("a stale Release ended the new borrow: h2.Held() = %v, b.Held() = %d", h2.Held(), b.Held())
	}
	if _, err := b.Shared(4, 1); !errors.Is(err, memory.ErrBorrowed) {
		t.Errorf("Shared inside the new mutable borrow = %v, want ErrBorrowed", err)
	}
	if err := h2.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestBorrowZeroLength(t *testing.T) {
	var b memory.Borrows
	z, err := b.Mutable(0x10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !z.Held() {
		t.Error("a zero-length borrow does not report Held")
	}
	if n := b.Held(); n != 0 {
		t.Errorf("Held() = %d with only a zero-length borrow, want 0", n)
	}
	if _, err := b.BeginWrite(0x10, 1); err != nil {
		t.Errorf("BeginWrite over a zero-length borrow: %v", err)
	}
	if err := z.Release(); err != nil {
		t.Errorf("Release of a zero-length borrow: %v", err)
	}
	if err := z.Release(); !errors.Is(err, memory.ErrReleased) {
		t.Errorf("second Release of a zero-length borrow = %v, want ErrReleased", err)
	}
}

func TestBorrowsBeginAccess(t *testing.T) {
	var b memory.Borrows
	// Nothing held: every access passes.
	for _, write := range []bool{false, true} {
		acc, err := begin(&b, 0, 8, write)
		if err != nil {
			t.Fatalf("begin(write=%v) with nothing held: %v", write, err)
		}
		acc.End()
	}
	sh, err := b.Shared(0x10, 0x10)
	if err != nil {
		t.Fatal(err)
	}
	mu, err := b.Mutable(0x40, 0x10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr, n uint64
		write   bool
		ok      bool
	}{
		{0x10, 0x10, false, true},   // read under a shared borrow
		{0x18, 4, true, false},      // write under a shared borrow
		{0x44, 4, false, false},     // read under a mutable borrow
		{0x3c, 8, true, false},      // write overlapping a mutable borrow
		{0x20, 0x20, true, true},    // write between the two
		{0x50, 0x100, true, true},   // write right after the mutable one
		{0x44, 0, true, true},       // zero-length access never conflicts
		{0x0, 0x10, false, true},    // read right before the shared one
		{1<<64 - 8, 16, true, true}, // clamped, far from everything
	}
	for _, tt := range tests {
		acc, err := begin(&b, tt.addr, tt.n, tt.write)
		if got := err == nil; got != tt.ok {
			t.Errorf("begin(%#x, %d, write=%v) = %v, want ok %v", tt.addr, tt.n, tt.write, err, tt.ok)
		}
		if err != nil && !errors.Is(err, memory.ErrBorrowed) {
			t.Errorf("begin(%#x, %d, write=%v) = %v, want ErrBorrowed", tt.addr, tt.n, tt.write, err)
		}
		acc.End()
	}
	var be *memory.BorrowError
	if _, err := b.BeginRead(0x48, 4); !errors.As(err, &be) || be.Write || !be.HeldMutable || be.HeldAddr != 0x40 {
		t.Errorf("BeginRead under a mutable borrow = %#v", err)
	}
	if err := sh.Release(); err != nil {
		t.Fatal(err)
	}
	if err := mu.Release(); err != nil {
		t.Fatal(err)
	}
}

func begin(b *memory.Borrows, addr, n uint64, write bool) (memory.Access, error) {
	if write {
		return b.BeginWrite(addr, n)
	}
	return b.BeginRead(addr, n)
}

// TestAccessExcludesBorrowing checks that a borrow cannot be taken while an
// access that began with something held is in progress.
func TestAccessExcludesBorrowing(t *testing.T) {
	var b memory.Borrows
	keep, err := b.Shared(0x1000, 8) // makes every access take the checked path
	if err != nil {
		t.Fatal(err)
	}
	acc, err := b.BeginWrite(0, 8)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		h, err := b.Mutable(0x100, 8) // disjoint, but must wait for End
		if err == nil {
			err = h.Release()
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a borrow was taken in the middle of an access (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	acc.End()
	if err := <-done; err != nil {
		t.Fatalf("borrow after End: %v", err)
	}
	if err := keep.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestBorrowTopOfAddressSpace takes borrows that end exactly at 2^64: the
// last byte, 2^64-1, is part of the region and must conflict like any
// other. (No memory is that large, so guestptr never asks; the Borrows API
// does not say so.)
func TestBorrowTopOfAddressSpace(t *testing.T) {
	const last = 1<<64 - 1
	var b memory.Borrows
	h, err := b.Mutable(last, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Mutable(last, 1); !errors.Is(err, memory.ErrBorrowed) {
		t.Errorf("second mutable borrow of byte 2^64-1 = %v, want ErrBorrowed", err)
	}
	if _, err := b.Shared(last-15, 16); !errors.Is(err, memory.ErrBorrowed) {
		t.Errorf("shared borrow of [2^64-16, 2^64) over a mutable borrow of its last byte = %v, want ErrBorrowed", err)
	}
	acc, err := b.BeginWrite(last, 1)
	acc.End()
	if !errors.Is(err, memory.ErrBorrowed) {
		t.Errorf("BeginWrite of byte 2^64-1 under a mutable borrow = %v, want ErrBorrowed", err)
	}
	if err := h.Release(); err != nil {
		t.Fatal(err)
	}
}
