//go:build !race

// The guest thread of this test writes memory the host reads, as a threaded
// guest does; in Go terms that is a data race by design, so the test is
// left out of -race builds.

package guestptr_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

type flipRecord struct {
	A bool
	B uint8
}

type flipEnum uint8

func (flipEnum) GuestEnumCases() uint64 { return 3 }

// TestSharedMemoryFetchesOnce flips bytes of a shared memory between valid
// and invalid values from another goroutine while every read path runs:
// copyable records were checked in guest memory and then copied again, and
// strings checked then copied, so a flip in between let a bool of 2, an
// enum of 5 or invalid UTF-8 through with a nil error. Every path now copies
// first and checks the copy: no value that a check rejects is returned.
func TestSharedMemoryFetchesOnce(t *testing.T) {
	calls := 1_000_000
	if testing.Short() {
		calls = 100_000
	}
	m := memory.NewShared(0x1000)
	b := m.Bytes()
	const recAddr, enumAddr, strAddr = 0x100, 0x200, 0x300
	copy(b[strAddr:], "héllo")
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the guest thread
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			v := byte(i)
			b[recAddr] = v & 3               // bool: 0, 1, 2, 3
			b[enumAddr+i%16] = v % 6         // enum: 0..5
			b[strAddr+1] = 0xc3 ^ (v & 0x40) // é's lead byte, or not
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()

	rec := guestptr.New[flipRecord](m, recAddr)
	enums := guestptr.NewSlice[flipEnum](m, enumAddr, 16)
	str := guestptr.NewString(m, strAddr, 6)
	buf := make([]flipEnum, 16)
	validBool := func(v *bool) bool { return *(*byte)(unsafe.Pointer(v)) <= 1 }
	var oks [5]int
	for i := range calls {
		switch i % 5 {
		case 0:
			if v, err := rec.Read(); err == nil {
				oks[0]++
				if !validBool(&v.A) {
					t.Fatalf("Read returned a bool whose byte is %d", *(*byte)(unsafe.Pointer(&v.A)))
				}
			}
		case 1:
			if vs, err := enums.ToSlice(); err == nil {
				oks[1]++
				for _, e := range vs {
					if e >= 3 {
						t.Fatalf("ToSlice returned enum %d", e)
					}
				}
			}
		case 2:
			if err := enums.CopyToSlice(buf); err == nil {
				oks[2]++
				for _, e := range buf {
					if e >= 3 {
						t.Fatalf("CopyToSlice returned enum %d", e)
					}
				}
			}
		case 3:
			if s, err := str.Read(); err == nil {
				oks[3]++
				if !utf8.ValidString(s) {
					t.Fatalf("String.Read returned invalid UTF-8 %q", s)
				}
			}
		case 4:
			var v flipRecord
			if err := marshal.Decode(layout.Wasm32, b[recAddr:recAddr+2], &v); err == nil {
				oks[4]++
				if !validBool(&v.A) {
					t.Fatalf("marshal.Decode returned a bool whose byte is %d", *(*byte)(unsafe.Pointer(&v.A)))
				}
			}
		}
	}
	// Views of a shared memory are refused outright.
	if _, err := enums.AsSlice(); err == nil {
		t.Error("a view of a shared memory was granted")
	}
	for i, n := range oks {
		if n == 0 {
			t.Errorf("read path %d never succeeded: the flips never left a valid value", i)
		}
	}
	t.Logf("%d calls; successful reads per path: %v", calls, oks)
}
