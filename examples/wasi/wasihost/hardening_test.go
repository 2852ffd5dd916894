package wasihost

import (
	"bytes"
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Regression tests of the hardening findings of issue 10 (items 4, 5, 6
// and 10).

// snapshot returns a copy of the first n bytes of the fixture's memory.
func (f *fixture) snapshot(n uint64) []byte {
	f.t.Helper()
	b, err := guestptr.NewSlice[byte](f.mem, 0, n).ToSlice()
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// TestBorrowsSharedWithOf: a MutView taken through wazeromem.Of is seen by
// the host's calls, which then fail without writing (issue 10, item 4).
func TestBorrowsSharedWithOf(t *testing.T) {
	f := newFixture(t, Config{Stdin: zeros{}, Rand: bytes.NewReader(bytes.Repeat([]byte{9}, 64))})
	ones := bytes.Repeat([]byte{1}, 16)
	f.bytes(0x200, ones)
	write(f, 0x1000, Iovec{guestptr.NewSlice[byte](f.mem, 0x200, 16)})

	v, err := guestptr.NewSlice[byte](wazeromem.Of(f.mod.Memory()), 0x200, 16).AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Errno{
		"fd_read":    f.call("fd_read", 0, 0x1000, 1, 0x2000),
		"random_get": f.call("random_get", 0x200, 16),
	}
	held := bytes.Clone(v.Slice())
	if err := v.Release(); err != nil {
		t.Fatal(err)
	}
	want := map[string]Errno{"fd_read": ErrnoFault, "random_get": ErrnoFault}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errnos while a MutView is held (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ones, held); diff != "" {
		t.Errorf("the viewed bytes changed while borrowed (-want +got):\n%s", diff)
	}
}

// TestPollOneoffLargeCount: as many subscriptions as memory holds, the
// events written over them, succeed; poll_oneoff's Go copies no longer
// exceed what ToSlice allows (issue 10, item 5).
func TestPollOneoffLargeCount(t *testing.T) {
	f := newFixtureSize(t, Config{Sleep: func(_ context.Context, _ time.Duration) {}}, 16)
	size := uint64(len(f.mem.Bytes()))
	n := size / 48
	sub := Subscription{Userdata: 5, U: SubscriptionU{Tag: EventtypeClock, Clock: SubscriptionClock{ID: ClockMonotonic}}}
	subs := guestptr.NewSlice[Subscription](f.mem, 0, n)
	for i := range n {
		p, _ := subs.Get(i)
		sub.Userdata = Userdata(i)
		if err := p.Write(sub); err != nil {
			t.Fatal(err)
		}
	}
	// nevents goes in the last 4 bytes, which no subscription uses.
	nevents := size - 4
	if got := f.call("poll_oneoff", 0, 0, n, nevents); got != ErrnoSuccess {
		t.Fatalf("poll_oneoff(%d subscriptions) = %v, want ESUCCESS", n, got)
	}
	if got := read[Size](f, nevents); uint64(got) != n {
		t.Errorf("nevents %d, want %d", got, n)
	}
	last := read[Event](f, (n-1)*32)
	if diff := cmp.Diff(Event{Userdata: Userdata(n - 1), Type: EventtypeClock}, last); diff != "" {
		t.Errorf("last event (-want +got):\n%s", diff)
	}
}

// TestFdWriteCountOverflow: iovecs whose lengths add up past what the u32
// nwritten holds are EINVAL before anything is written (issue 10, item 6).
func TestFdWriteCountOverflow(t *testing.T) {
	var out counter
	f := newFixtureSize(t, Config{Stdout: &out}, 16)
	// The same 48 KiB buffer, 2^32/48Ki + 1 times: it all lies in memory,
	// but the total does not fit a u32.
	const bufLen = 48 << 10
	const at = 0x1000 + bufLen // the iovecs, after the buffer
	n := uint64(math.MaxUint32/bufLen + 1)
	iovs := make([]Ciovec, n)
	for i := range iovs {
		iovs[i].Buf = guestptr.NewSlice[byte](f.mem, 0x1000, bufLen)
	}
	if err := guestptr.NewSlice[Ciovec](f.mem, at, n).CopyFromSlice(iovs); err != nil {
		t.Fatal(err)
	}
	write[Size](f, 0x10, 77)
	if got := f.call("fd_write", 1, at, n, 0x10); got != ErrnoInval {
		t.Errorf("fd_write of %d×%d bytes = %v, want EINVAL", n, bufLen, got)
	}
	if out != 0 {
		t.Errorf("wrote %d bytes before refusing", out)
	}
	if got := read[Size](f, 0x10); got != 77 {
		t.Errorf("nwritten written: %d", got)
	}
}

// TestArgsGetNoPartialWrite: args_get and environ_get with argv out of
// bounds but argv_buf in bounds write nothing (issue 10, item 10).
func TestArgsGetNoPartialWrite(t *testing.T) {
	f := newFixture(t, Config{Args: []string{"prog", "arg"}, Env: []string{"A=1"}})
	before := f.snapshot(memory.PageSize)
	for _, fn := range []string{"args_get", "environ_get"} {
		for _, argv := range []uint64{memory.PageSize - 2, memory.PageSize, 0x102} {
			if got := f.call(fn, argv, 0x300); got != ErrnoFault {
				t.Errorf("%s(argv=%#x) = %v, want EFAULT", fn, argv, got)
			}
		}
	}
	if diff := cmp.Diff(before, f.snapshot(memory.PageSize)); diff != "" {
		t.Errorf("memory changed by failed calls (-before +after):\n%s", diff)
	}
}

// counter is a writer that counts the bytes written to it.
type counter int64

func (c *counter) Write(b []byte) (int, error) { *c += counter(len(b)); return len(b), nil }
