package hellohost

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// Where the test request lives: SampleRequest's layout.
const (
	reqAddr   = SampleReqAddr
	outAddr   = SampleOutAddr
	bufAddr   = SampleBufAddr
	bufCap    = SampleBufCap
	ownerAddr = SampleOwnerAddr
	itemsAddr = SampleItemsAddr
	nameAddr  = SampleNameAddr
	sentinel  = SampleSentinel
)

var testItems = SampleItems

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func fieldOf[F, T any](t *testing.T, p guestptr.Ptr[T], name string) guestptr.Ptr[F] {
	t.Helper()
	f, err := guestptr.Field[F](p, name)
	must(t, err)
	return f
}

// reqField returns a pointer to a field of the request in mem.
func reqField[F any](t *testing.T, mem *memory.Memory, name string) guestptr.Ptr[F] {
	t.Helper()
	return fieldOf[F](t, guestptr.New[Request](mem, reqAddr), name)
}

// newRequest returns SampleRequest's memory.
func newRequest(t *testing.T) *memory.Memory {
	t.Helper()
	mem, err := SampleRequest()
	must(t, err)
	return mem
}

func TestHostValidRequest(t *testing.T) {
	mem := newRequest(t)
	before := bytes.Clone(mem.Bytes())
	var out strings.Builder
	h := &Host{Out: &out}
	if status := h.Hello(mem, reqAddr, outAddr); status != 0 || !h.Valid || h.Err != nil {
		t.Fatalf("status %d, valid %v, err %v", status, h.Valid, h.Err)
	}
	got, err := guestptr.New[Reply](mem, outAddr).Read()
	must(t, err)
	want := Reply{
		ColorEcho:    Blue,
		PermsGranted: PermRead,
		Checksum:     0xd68c056964907209, // FNV-1a 64 of "wasm guest"
		TotalWeight:  12.75,
		ItemsSeen:    3,
		Greeting:     guestptr.NewSlice[byte](mem, bufAddr, bufCap),
		GreetingLen:  17,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	wantMem := bytes.Clone(before)
	copy(wantMem[bufAddr:], "hello, wasm guest")
	after := mem.Bytes()
	// Outside the reply, only the greeting's 17 bytes changed.
	copy(wantMem[outAddr:outAddr+40], after[outAddr:outAddr+40])
	if !bytes.Equal(wantMem, after) {
		t.Errorf("memory outside the reply changed beyond the greeting")
	}
	if !strings.Contains(out.String(), `request v1 from "wasm guest" (urgent) color=blue perms=read|exec`) {
		t.Errorf("report:\n%s", out.String())
	}
}

// TestHostBadRequest corrupts one thing at a time in a valid request and
// checks the error, the status, and that guest memory is left unchanged.
func TestHostBadRequest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, mem *memory.Memory)
		req     uint64 // request address, if not reqAddr
		out     uint64 // reply address, if not outAddr
		err     error
		status  int32
		msg     string // the error's text, if set
	}{
		{name: "enum", err: guestptr.ErrInvalidEnum, status: errnoInval,
			msg: "read guestptr.Ptr[hellohost.Request] at 0x100: field Color: invalid enum 7 (hellohost.Color has 3 cases)",
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, guestptr.Cast[uint8](reqField[Color](t, mem, "Color")).Write(7))
			}},
		{name: "flags", err: guestptr.ErrInvalidFlags, status: errnoInval,
			msg: "read guestptr.Ptr[hellohost.Request] at 0x100: field Perms: invalid flags 0xd (unknown bits 0x8)",
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, guestptr.Cast[uint16](reqField[Perms](t, mem, "Perms")).Write(0xd))
			}},
		{name: "shape kind", err: guestptr.ErrInvalidTag, status: errnoInval,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, fieldOf[uint8](t, reqField[Shape](t, mem, "Shape"), "Kind").Write(9))
			}},
		{name: "bool", err: guestptr.ErrInvalidBool, status: errnoInval,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, guestptr.Cast[uint8](reqField[bool](t, mem, "Urgent")).Write(2))
			}},
		{name: "version", err: errVersion, status: errnoNotsup,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, reqField[uint32](t, mem, "Version").Write(2))
			}},
		{name: "owner's enum", err: guestptr.ErrInvalidEnum, status: errnoInval,
			msg: "read guestptr.Ptr[hellohost.Request] at 0x100: field Owner: read guestptr.Ptr[hellohost.Item] at 0x400: field Color: invalid enum 3 (hellohost.Color has 3 cases)",
			corrupt: func(t *testing.T, mem *memory.Memory) {
				owner := guestptr.New[Item](mem, ownerAddr)
				must(t, guestptr.Cast[uint8](fieldOf[Color](t, owner, "Color")).Write(3))
			}},
		{name: "owner past memory", err: guestptr.ErrOutOfBounds, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, reqField[guestptr.Ptr[Item]](t, mem, "Owner").Write(guestptr.New[Item](mem, SampleMemSize-8)))
			}},
		{name: "owner misaligned", err: guestptr.ErrMisaligned, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, reqField[guestptr.Ptr[Item]](t, mem, "Owner").Write(guestptr.New[Item](mem, ownerAddr+4)))
			}},
		{name: "name not UTF-8", err: guestptr.ErrInvalidUTF8, status: errnoIlseq,
			msg: "read guestptr.Ptr[hellohost.Request] at 0x100: field Name: read guestptr.String at 0x600: invalid UTF-8 at byte 4 (0xff)",
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, guestptr.New[byte](mem, nameAddr+4).Write(0xff))
			}},
		{name: "name length", err: guestptr.ErrOutOfBounds, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, reqField[guestptr.String](t, mem, "Name").Write(guestptr.NewString(mem, nameAddr, SampleMemSize)))
			}},
		{name: "name length overflows", err: guestptr.ErrOverflow, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, reqField[guestptr.String](t, mem, "Name").Write(guestptr.NewString(mem, nameAddr, 1<<32-1)))
			}},
		{name: "items length", err: guestptr.ErrOutOfBounds, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				must(t, reqField[guestptr.Slice[Item]](t, mem, "Items").Write(guestptr.NewSlice[Item](mem, itemsAddr, 1<<20)))
			}},
		{name: "item's enum", err: guestptr.ErrInvalidEnum, status: errnoInval,
			msg: "read guestptr.Ptr[hellohost.Request] at 0x100: field Items: read guestptr.Slice[hellohost.Item] at 0x500: field [2].Color: invalid enum 200 (hellohost.Color has 3 cases)",
			corrupt: func(t *testing.T, mem *memory.Memory) {
				third, _ := guestptr.NewSlice[Item](mem, itemsAddr, 3).Get(2)
				must(t, guestptr.Cast[uint8](fieldOf[Color](t, third, "Color")).Write(200))
			}},
		{name: "request past memory", req: SampleMemSize - 4, err: guestptr.ErrOutOfBounds, status: errnoFault},
		{name: "request misaligned", req: reqAddr + 2, err: guestptr.ErrMisaligned, status: errnoFault},
		{name: "reply misaligned", out: outAddr + 4, err: guestptr.ErrMisaligned, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				// A good greeting buffer where the misaligned reply has one.
				reply := guestptr.New[Reply](mem, outAddr+4)
				must(t, fieldOf[guestptr.Slice[byte]](t, reply, "Greeting").Write(guestptr.NewSlice[byte](mem, bufAddr, bufCap)))
			}},
		{name: "greeting past memory", err: guestptr.ErrOutOfBounds, status: errnoFault,
			corrupt: func(t *testing.T, mem *memory.Memory) {
				reply := guestptr.New[Reply](mem, outAddr)
				must(t, fieldOf[guestptr.Slice[byte]](t, reply, "Greeting").Write(guestptr.NewSlice[byte](mem, SampleMemSize-8, bufCap)))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newRequest(t)
			if tc.corrupt != nil {
				tc.corrupt(t, mem)
			}
			req, out := uint64(reqAddr), uint64(outAddr)
			if tc.req != 0 {
				req = tc.req
			}
			if tc.out != 0 {
				out = tc.out
			}
			before := bytes.Clone(mem.Bytes())
			var report strings.Builder
			h := &Host{Out: &report}
			status := h.Hello(mem, req, out)
			if status != tc.status || h.Valid || !errors.Is(h.Err, tc.err) {
				t.Errorf("status %d, valid %v, err %v; want status %d, an error matching %v", status, h.Valid, h.Err, tc.status, tc.err)
			}
			if tc.msg != "" && h.Err != nil && h.Err.Error() != tc.msg {
				t.Errorf("error %q, want %q", h.Err, tc.msg)
			}
			if got := report.String(); !strings.HasSuffix(got, "error: "+h.Err.Error()+"\n") {
				t.Errorf("report does not end with the error:\n%s", got)
			}
			if !bytes.Equal(before, mem.Bytes()) {
				t.Errorf("a failed call changed guest memory")
			}
		})
	}
}

// TestHostBorrowedBuffer checks that a mutable view of the guest's greeting
// buffer, held by other host code, makes the call fail with EBUSY and
// write nothing.
func TestHostBorrowedBuffer(t *testing.T) {
	mem := newRequest(t)
	view, err := guestptr.NewSlice[byte](mem, bufAddr+8, 8).AsSliceMut()
	must(t, err)
	before := bytes.Clone(mem.Bytes())
	h := &Host{Out: new(strings.Builder)}
	if status := h.Hello(mem, reqAddr, outAddr); status != errnoBusy || !errors.Is(h.Err, guestptr.ErrBorrowed) {
		t.Errorf("status %d, err %v; want %d, an error matching ErrBorrowed", status, h.Err, errnoBusy)
	}
	must(t, view.Release())
	if !bytes.Equal(before, mem.Bytes()) {
		t.Errorf("a failed call changed guest memory")
	}
	if status := h.Hello(mem, reqAddr, outAddr); status != 0 {
		t.Errorf("after Release: status %d, err %v", status, h.Err)
	}
}
