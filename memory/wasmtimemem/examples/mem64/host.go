package main

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"unsafe"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// The errno-like statuses guestkit.serve returns (WASI preview1 numbering).
const (
	errnoSuccess = 0
	errnoBusy    = 10 // a view holds the region
	errnoFault   = 21 // a pointer or length leaves memory, or is misaligned
	errnoIlseq   = 25 // a string is not UTF-8
	errnoInval   = 28 // an enum or shape kind is out of range
	errnoIO      = 29 // anything else
	errnoNomem   = 48 // the memory could not grow
	errnoNotsup  = 58 // a request version other than 1
)

var (
	errVersion = errors.New("unsupported request version")
	errGrow    = errors.New("the guest's memory did not grow")
)

// grower grows the guest's memory by pages, as the guest's export grow
// does, and returns the previous size in pages.
type grower func(pages uint64) (uint64, error)

// host implements guestkit.serve(req, out) -> i32 over a memory64 guest's
// memory, only through guestptr.
type host struct {
	out io.Writer // the host's report and the guest's log lines
	// calls counts serve calls, served those answered; err is the last
	// error; moved is set when the memory moved while a view was held.
	calls, served int
	err           error
	moved         bool
}

// serve answers one request. On error it reports the error and returns a
// nonzero errno: every check comes before the first side effect (the
// growth, then the writes), so guest memory is unchanged.
func (h *host) serve(mem *memory.Memory, grow grower, reqAddr, outAddr uint64) int32 {
	h.calls++
	if err := h.do(mem, grow, reqAddr, outAddr); err != nil {
		h.err = err
		fmt.Fprintf(h.out, "error: %v\n", err)
		return errno(err)
	}
	h.served++
	return errnoSuccess
}

func (h *host) do(mem *memory.Memory, grow grower, reqAddr, outAddr uint64) error {
	req, err := guestptr.New[Request](mem, reqAddr).Read()
	if err != nil {
		return err
	}
	if req.Version != 1 {
		return fmt.Errorf("%w %d", errVersion, req.Version)
	}
	owner, err := req.Owner.Read()
	if err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	ownerName, err := owner.Name.Read()
	if err != nil {
		return fmt.Errorf("owner's name: %w", err)
	}
	favorite, err := owner.Favorite.Read()
	if err != nil {
		return fmt.Errorf("owner's favorite: %w", err)
	}
	name, err := req.Name.Read()
	if err != nil {
		return fmt.Errorf("name: %w", err)
	}
	items, err := req.Items.ToSlice()
	if err != nil {
		return fmt.Errorf("items: %w", err)
	}

	// The reply: its place (it is still sentinel bytes, which any Reply
	// may hold), then the guest's two buffers inside it.
	out := guestptr.New[Reply](mem, outAddr)
	in, err := out.Read()
	if err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	greeting := []byte("hello, " + name)
	greeting = greeting[:min(uint64(len(greeting)), in.Greeting.Len())]
	dst, _ := in.Greeting.Range(0, uint64(len(greeting))) // cannot fail: 0 <= len <= Len()
	if _, err := dst.ToSlice(); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}

	// Hold a mutable view of the squares while the guest grows its
	// memory, and fill it after: the writes must reach the guest whether
	// or not the growth moved the memory.
	view, err := in.Squares.AsSliceMut()
	if err != nil {
		return fmt.Errorf("squares: %w", err)
	}
	base := unsafe.SliceData(mem.Bytes())
	from, err := grow(uint64(req.GrowPages))
	if err != nil {
		view.Release()
		return fmt.Errorf("%w by %d pages: %v", errGrow, req.GrowPages, err)
	}
	to := uint64(len(mem.Bytes())) / memory.PageSize
	moved := unsafe.SliceData(mem.Bytes()) != base
	h.moved = h.moved || moved
	sq := view.Slice()
	for i := range sq {
		sq[i] = uint32(i*i) + favorite.ID
	}
	if err := view.Release(); err != nil {
		return fmt.Errorf("squares: %w", err)
	}

	rep := Reply{
		ShapeKind:   req.Shape.Kind,
		Checksum:    fnv1a64(name),
		ItemsSeen:   uint64(len(items)),
		OwnerLevel:  owner.Level,
		Squares:     in.Squares,
		GrownFrom:   from,
		GrownTo:     to,
		Greeting:    in.Greeting,
		GreetingLen: uint64(len(greeting)),
	}
	if req.Shape.Kind == ShapeRect {
		r := req.Shape.Rect
		rep.Area = int64(r.Max.X-r.Min.X) * int64(r.Max.Y-r.Min.Y)
	}
	for _, it := range items {
		rep.TotalWeight += float64(it.Count) * it.Weight
	}
	if err := out.Write(rep); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	if err := dst.CopyFromSlice(greeting); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}

	urgent := ""
	if req.Urgent {
		urgent = " (urgent)"
	}
	fmt.Fprintf(h.out, "request v%d from %q%s, owner %q level %d, favorite item %d (%s)\n",
		req.Version, name, urgent, ownerName, owner.Level, favorite.ID, favorite.Color)
	fmt.Fprintf(h.out, "  shape  %s\n", req.Shape)
	var list []string
	for _, it := range items {
		list = append(list, fmt.Sprintf("%d %s %d×%g", it.ID, it.Color, it.Count, it.Weight))
	}
	fmt.Fprintf(h.out, "  items  %s\n", strings.Join(list, ", "))
	fmt.Fprintf(h.out, "  grew   %d -> %d pages while holding a view of %d squares (moved: %v)\n", from, to, len(sq), moved)
	fmt.Fprintf(h.out, "reply checksum=0x%016x total_weight=%g area=%d greeting=%q\n", rep.Checksum, rep.TotalWeight, rep.Area, greeting)
	return nil
}

// logLine implements guestkit.log(s, n): it prints the guest's line of n
// bytes at addr to w.
func logLine(w io.Writer, mem *memory.Memory, addr, n uint64) {
	s, err := guestptr.NewString(mem, addr, n).Read()
	if err != nil {
		fmt.Fprintf(w, "bad log line: %v\n", err)
		return
	}
	fmt.Fprintln(w, s)
}

// fnv1a64 is the FNV-1a 64-bit hash of s.
func fnv1a64(s string) uint64 {
	h := fnv.New64a()
	io.WriteString(h, s)
	return h.Sum64()
}

// errno maps an error to the status returned to the guest.
func errno(err error) int32 {
	switch {
	case errors.Is(err, guestptr.ErrOutOfBounds), errors.Is(err, guestptr.ErrOverflow),
		errors.Is(err, guestptr.ErrMisaligned), errors.Is(err, guestptr.ErrNoMemory):
		return errnoFault
	case errors.Is(err, guestptr.ErrInvalidUTF8):
		return errnoIlseq
	case errors.Is(err, guestptr.ErrInvalidBool), errors.Is(err, guestptr.ErrInvalidEnum),
		errors.Is(err, guestptr.ErrInvalidFlags), errors.Is(err, guestptr.ErrInvalidTag):
		return errnoInval
	case errors.Is(err, guestptr.ErrBorrowed):
		return errnoBusy
	case errors.Is(err, errGrow):
		return errnoNomem
	case errors.Is(err, errVersion):
		return errnoNotsup
	}
	return errnoIO
}
