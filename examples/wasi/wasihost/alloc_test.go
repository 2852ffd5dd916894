package wasihost

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/guestkit/guestkit/guestptr"
)

// bytesPerCall is the mean of the bytes one call of fn with params
// allocates, over runs calls.
func bytesPerCall(f *fixture, name string, params []uint64, runs int) (uint64, Errno) {
	fn := f.fns[name]
	stack := make([]uint64, max(len(params), 1))
	ctx := context.Background()
	copy(stack, params)
	fn(ctx, f.mod, stack) // warm the pools
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	for range runs {
		copy(stack, params)
		fn(ctx, f.mod, stack)
	}
	runtime.ReadMemStats(&ms)
	return (ms.TotalAlloc - before) / uint64(runs), Errno(stack[0])
}

// TestAllocIndependentOfGuestLengths calls each function whose work a
// guest sizes, with a small length or count and with one as large as the
// memory, in memories of 1 MiB and 64 MiB, and requires the large calls
// to allocate no more than the small ones, within 16 KiB: a GC may empty
// the pools, and the next call remakes a 4 KiB scratch buffer. A length
// copied or allocated for would show as megabytes.
func TestAllocIndependentOfGuestLengths(t *testing.T) {
	if raceOn {
		t.Skip("-race instruments allocation")
	}
	for _, pages := range []uint64{16, 1024} {
		f := newFixtureSize(t, Config{Stdin: zeros{}, Stdout: io.Discard, Rand: zeros{},
			Preopens: []Preopen{{GuestPath: "/", Dir: t.TempDir()}}}, pages)
		size := pages << 16
		const base = 0x10000 // big regions start here
		big := size - base - 8
		write(f, 0x1000, Iovec{f.bufAt(base, 16)})
		write(f, 0x1008, Iovec{f.bufAt(base, big)})
		for _, tc := range []struct {
			name       string
			small, big []uint64
		}{
			// Zeroed memory holds iovecs of no bytes and clock
			// subscriptions due at once.
			{"fd_write", []uint64{1, base, 1, 0x100}, []uint64{1, base, big / 8, 0x100}},
			{"fd_read", []uint64{0, 0x1000, 1, 0x100}, []uint64{0, 0x1008, 1, 0x100}},
			{"random_get", []uint64{base, 16}, []uint64{base, big}},
			{"poll_oneoff", []uint64{base, base, 1, 0x100}, []uint64{base, base, big / 48, 0x100}},
			{"fd_readdir", []uint64{3, base, 64, 0, 0x100}, []uint64{3, base, big, 0, 0x100}},
			{"fd_prestat_dir_name", []uint64{3, base, 1}, []uint64{3, base, big}},
			{"path_open", []uint64{3, 0, base, 1, 0, 0, 0, 0, 0x100}, []uint64{3, 0, base, big, 0, 0, 0, 0, 0x100}},
			{"path_readlink", []uint64{3, base, 1, base, 16, 0x100}, []uint64{3, base, 1, base, big, 0x100}},
		} {
			t.Run(fmt.Sprintf("%dMiB/%s", size>>20, tc.name), func(t *testing.T) {
				small, e1 := bytesPerCall(f, tc.name, tc.small, 20)
				large, e2 := bytesPerCall(f, tc.name, tc.big, 3)
				t.Logf("%s: %d B/call (%v), with a length or count as large as memory %d B/call (%v)", tc.name, small, e1, large, e2)
				if large > small+16<<10 {
					t.Errorf("%s allocates %d bytes per call with a large length, %d with a small one", tc.name, large, small)
				}
			})
		}
	}
}

// bufAt is the n bytes at addr, as a slice.
func (f *fixture) bufAt(addr, n uint64) guestptr.Slice[byte] {
	return guestptr.NewSlice[byte](f.mem, addr, n)
}
