package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// Where the in-process test request lives.
const (
	reqAddr      = 0x100
	outAddr      = 0x200
	ownerAddr    = 0x300
	favAddr      = 0x340
	itemsAddr    = 0x400
	nameAddr     = 0x500
	ownerName    = 0x540
	squaresAddr  = 0x600
	squaresLen   = 16
	greetingAddr = 0x700
	greetingCap  = 64
	memPages     = 1
	sentinel     = 0xaa
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newRequest returns an in-process wasm64 memory holding the request the C
// guest sends, written through guestptr, and the reply's inputs.
func newRequest(t *testing.T) *memory.Memory {
	t.Helper()
	mem := memory.NewWasm64(memPages * memory.PageSize)
	b := mem.Bytes()
	for i := outAddr; i < greetingAddr+greetingCap; i++ {
		b[i] = sentinel
	}
	copy(b[nameAddr:], "memory64 guest")
	copy(b[ownerName:], "wasmtime")
	must(t, guestptr.New[Item](mem, favAddr).Write(Item{ID: 42, Color: Blue, Count: 1, Weight: 0.25}))
	items := []Item{{1, Red, 2, 0.5}, {2, Green, 3, 1.25}, {3, Blue, 4, 2}}
	must(t, guestptr.NewSlice[Item](mem, itemsAddr, 3).CopyFromSlice(items))
	must(t, guestptr.New[Owner](mem, ownerAddr).Write(Owner{
		Name: guestptr.NewString(mem, ownerName, 8), Favorite: guestptr.New[Item](mem, favAddr), Level: 7}))
	req := Request{Version: 1, Owner: guestptr.New[Owner](mem, ownerAddr), Name: guestptr.NewString(mem, nameAddr, 14),
		Items: guestptr.NewSlice[Item](mem, itemsAddr, 3), Urgent: true, GrowPages: 3}
	req.Shape.Kind = ShapeRect
	req.Shape.Rect.Min, req.Shape.Rect.Max = Point{-1, -2}, Point{3, 4}
	must(t, guestptr.New[Request](mem, reqAddr).Write(req))
	out := guestptr.New[Reply](mem, outAddr)
	sq, err := guestptr.Field[guestptr.Slice[uint32]](out, "Squares")
	must(t, err)
	must(t, sq.Write(guestptr.NewSlice[uint32](mem, squaresAddr, squaresLen)))
	gr, err := guestptr.Field[guestptr.Slice[byte]](out, "Greeting")
	must(t, err)
	must(t, gr.Write(guestptr.NewSlice[byte](mem, greetingAddr, greetingCap)))
	return mem
}

// TestHostMovingMemory runs the host on an in-process memory whose Grow
// moves the bytes, as a runtime may: the squares written through the view
// held across the move must be in the new memory (MutView.Release writes
// them through), and the reply must be what the guest expects.
func TestHostMovingMemory(t *testing.T) {
	mem := newRequest(t)
	oldBytes := mem.Bytes()
	var report strings.Builder
	h := &host{out: &report}
	grow := func(pages uint64) (uint64, error) { return mem.Grow(pages) }
	if status := h.serve(mem, grow, reqAddr, outAddr); status != 0 {
		t.Fatalf("status %d: %v", status, h.err)
	}
	if !h.moved || &oldBytes[0] == &mem.Bytes()[0] {
		t.Fatalf("the memory did not move (moved=%v): the test tests nothing", h.moved)
	}
	got, err := guestptr.New[Reply](mem, outAddr).Read()
	must(t, err)
	want := Reply{ShapeKind: ShapeRect, Checksum: fnv1a64("memory64 guest"), TotalWeight: 12.75, ItemsSeen: 3, Area: 24,
		OwnerLevel: 7, Squares: guestptr.NewSlice[uint32](mem, squaresAddr, squaresLen), GrownFrom: memPages, GrownTo: memPages + 3,
		Greeting: guestptr.NewSlice[byte](mem, greetingAddr, greetingCap), GreetingLen: 21}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	squares, err := guestptr.NewSlice[uint32](mem, squaresAddr, squaresLen).ToSlice()
	must(t, err)
	wantSquares := make([]uint32, squaresLen)
	for i := range wantSquares {
		wantSquares[i] = uint32(i*i) + 42
	}
	if diff := cmp.Diff(wantSquares, squares); diff != "" {
		t.Errorf("squares in the moved memory (-want +got):\n%s", diff)
	}
	if !strings.Contains(report.String(), "grew   1 -> 4 pages while holding a view of 16 squares (moved: true)") {
		t.Errorf("report:\n%s", report.String())
	}
}

// TestHostBadRequest corrupts the request one way at a time: the call
// fails with the errno, grows nothing and changes no byte.
func TestHostBadRequest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, mem *memory.Memory)
		growErr error
		err     error
		status  int32
	}{
		{name: "version", err: errVersion, status: errnoNotsup, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[uint32](mem, reqAddr).Write(2))
		}},
		{name: "owner's name not UTF-8", err: guestptr.ErrInvalidUTF8, status: errnoIlseq, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[byte](mem, ownerName+1).Write(0xff))
		}},
		{name: "shape kind", err: guestptr.ErrInvalidTag, status: errnoInval, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[byte](mem, reqAddr+32).Write(9))
		}},
		{name: "owner above 4 GiB", err: guestptr.ErrOutOfBounds, status: errnoFault, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[uint64](mem, reqAddr+8).Write(1<<33))
		}},
		{name: "items length wraps", err: guestptr.ErrOverflow, status: errnoFault, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[uint64](mem, reqAddr+64).Write(1<<62))
		}},
		{name: "greeting past memory", err: guestptr.ErrOutOfBounds, status: errnoFault, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[uint64](mem, outAddr+80).Write(memPages*memory.PageSize-8))
		}},
		{name: "squares misaligned", err: guestptr.ErrMisaligned, status: errnoFault, corrupt: func(t *testing.T, mem *memory.Memory) {
			must(t, guestptr.New[uint64](mem, outAddr+48).Write(squaresAddr+2))
		}},
		{name: "squares borrowed", err: guestptr.ErrBorrowed, status: errnoBusy, corrupt: func(t *testing.T, mem *memory.Memory) {
			v, err := guestptr.NewSlice[byte](mem, squaresAddr+4, 4).AsSlice()
			must(t, err)
			t.Cleanup(func() { v.Release() })
		}},
		{name: "growth fails", growErr: errors.New("no"), err: errGrow, status: errnoNomem},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newRequest(t)
			if tc.corrupt != nil {
				tc.corrupt(t, mem)
			}
			before := bytes.Clone(mem.Bytes())
			grew := false
			grow := func(pages uint64) (uint64, error) {
				if tc.growErr != nil {
					return 0, tc.growErr
				}
				grew = true
				return mem.Grow(pages)
			}
			h := &host{out: new(strings.Builder)}
			status := h.serve(mem, grow, reqAddr, outAddr)
			if status != tc.status || h.served != 0 || !errors.Is(h.err, tc.err) {
				t.Errorf("status %d, served %d, err %v; want status %d, an error matching %v", status, h.served, h.err, tc.status, tc.err)
			}
			if grew {
				t.Errorf("the memory grew")
			}
			if !bytes.Equal(before, mem.Bytes()) {
				t.Errorf("a failed call changed guest memory")
			}
			// No view is left behind: the squares can be borrowed.
			if tc.name != "squares borrowed" {
				v, err := guestptr.NewSlice[uint32](mem, squaresAddr, squaresLen).AsSliceMut()
				if err != nil {
					t.Errorf("after the call: %v", err)
				} else {
					must(t, v.Release())
				}
			}
		})
	}
}

// TestLogLine checks guestkit.log on a good and a bad line.
func TestLogLine(t *testing.T) {
	mem := newRequest(t)
	var out strings.Builder
	logLine(&out, mem, nameAddr, 14)
	logLine(&out, mem, 1<<40, 14)
	want := "memory64 guest\nbad log line: read guestptr.String at 0x10000000000: out of bounds: [0x10000000000, 0x1000000000e) is past the end of memory (0x10000 bytes)\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
