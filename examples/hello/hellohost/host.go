package hellohost

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"text/tabwriter"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/guestptr/deep"
	"github.com/guestkit/guestkit/memory"
)

// The errno-like statuses guestkit.hello returns (WASI preview1 numbering).
const (
	errnoSuccess = 0
	errnoBusy    = 10 // a view holds the region
	errnoFault   = 21 // a pointer or length leaves memory, or is misaligned
	errnoIlseq   = 25 // the name is not UTF-8
	errnoInval   = 28 // a bool, enum, flags or shape kind is out of range
	errnoNomem   = 48 // the guest's malloc failed, or a reply passes the limits
	errnoIO      = 29 // anything else
	ErrnoNosys   = 52 // the guest exports no malloc (exported: the bindings return it)
	errnoNotsup  = 58 // a request version other than 1
)

// errVersion reports a request version this host does not speak.
var errVersion = errors.New("unsupported request version")

// Host implements guestkit.hello(req, out) -> i32 and guestkit.replies. It
// touches guest memory only through guestptr: every offset comes from the
// Go types' layouts. Runtime bindings (examples/hello on wazero,
// memory/wasmtimemem/examples/hello on wasmtime) call its methods.
type Host struct {
	// Out receives the host's report of each request.
	Out io.Writer
	// Calls counts calls; Valid is set once a request was read in full and
	// its reply written; Err is the last error.
	Calls int
	Valid bool
	Err   error
}

// Hello serves one call of guestkit.hello: it reads the request at reqAddr, reports it, and
// writes the reply at outAddr and the greeting into the guest's buffer. On
// error it reports the error and returns a nonzero errno; every check comes
// before the first write, so guest memory is unchanged.
func (h *Host) Hello(mem *memory.Memory, reqAddr, outAddr uint64) int32 {
	h.Calls++
	if err := h.serve(mem, reqAddr, outAddr); err != nil {
		h.Err = err
		fmt.Fprintf(h.Out, "error: %v\n", err)
		return errno(err)
	}
	h.Valid = true
	return errnoSuccess
}

// readRequest reads the request at reqAddr and follows its pointers.
// Follow puts the request's field in front of an error from following it:
// "read guestptr.Ptr[hellohost.Request] at 0x100: field Items: read ...".
func readRequest(mem *memory.Memory, reqAddr uint64) (req Request, owner Item, name string, items []Item, err error) {
	p := guestptr.New[Request](mem, reqAddr)
	if req, err = p.Read(); err != nil {
		return
	}
	if req.Version != 1 {
		err = fmt.Errorf("%w %d", errVersion, req.Version)
		return
	}
	if owner, err = guestptr.Follow(p, &req, func(r *Request) *guestptr.Ptr[Item] { return &r.Owner }, guestptr.Ptr[Item].Read); err != nil {
		return
	}
	if name, err = guestptr.Follow(p, &req, func(r *Request) *guestptr.String { return &r.Name }, guestptr.String.Read); err != nil {
		return
	}
	items, err = guestptr.Follow(p, &req, func(r *Request) *guestptr.Slice[Item] { return &r.Items }, guestptr.Slice[Item].ToSlice)
	return
}

func (h *Host) serve(mem *memory.Memory, reqAddr, outAddr uint64) error {
	req, owner, name, items, err := readRequest(mem, reqAddr)
	if err != nil {
		return err
	}
	h.report(req, owner, name, items)

	// The guest's greeting buffer is an input inside the reply; the rest
	// of the reply is still garbage, so read just that field.
	out := guestptr.New[Reply](mem, outAddr)
	bufField, err := guestptr.FieldOf(out, func(r *Reply) *guestptr.Slice[byte] { return &r.Greeting })
	if err != nil {
		return err
	}
	buf, err := bufField.Read()
	if err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	greeting := "hello, " + name
	greeting = greeting[:guestptr.FitUTF8(greeting, buf.Len())]
	// Check the greeting's region before writing anything, so that a bad
	// buffer leaves the reply untouched too.
	if err := buf.CheckWritable(); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}

	rep := Reply{
		Status:       0,
		ColorEcho:    req.Color,
		PermsGranted: req.Perms & (PermRead | PermWrite),
		Checksum:     fnv1a64(name),
		ItemsSeen:    uint32(len(items)),
		Greeting:     buf,
		GreetingLen:  uint32(len(greeting)),
	}
	for _, it := range items {
		rep.TotalWeight += float64(it.Count) * it.Weight
	}
	if err := out.Write(rep); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	if _, err := guestptr.WriteString(buf, greeting); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	fmt.Fprintf(h.Out, "reply status=%d color=%s perms=%s checksum=0x%016x total_weight=%g items_seen=%d greeting=%q\n",
		rep.Status, rep.ColorEcho, rep.PermsGranted, rep.Checksum, rep.TotalWeight, rep.ItemsSeen, greeting)
	return nil
}

// Replies serves guestkit.replies(req, out): it reads the request and
// stores the replies at outAddr, allocating the message and the records
// (names included) in the guest through alloc, the guest's malloc, and
// writing as much of the motto as fits into the guest's buffer. Every
// check comes before the first write: deep.Store is all or nothing, and the
// motto buffer is checked before it.
func (h *Host) Replies(mem *memory.Memory, alloc memory.Allocator, reqAddr, outAddr uint64) int32 {
	h.Calls++
	if err := h.serveReplies(mem, alloc, reqAddr, outAddr); err != nil {
		h.Err = err
		fmt.Fprintf(h.Out, "error: %v\n", err)
		return errno(err)
	}
	return errnoSuccess
}

func (h *Host) serveReplies(mem *memory.Memory, alloc memory.Allocator, reqAddr, outAddr uint64) error {
	_, _, name, items, err := readRequest(mem, reqAddr)
	if err != nil {
		return err
	}
	// The guest's motto buffer is an input inside the replies.
	mottoField, err := deep.FieldOf(mem, outAddr, func(r *Replies) *guestptr.String { return &r.Motto })
	if err != nil {
		return err
	}
	motto, err := mottoField.Read()
	if err != nil {
		return fmt.Errorf("replies: %w", err)
	}
	if err := motto.Bytes().CheckWritable(); err != nil {
		return fmt.Errorf("motto: %w", err)
	}
	rep := Replies{
		Message:  fmt.Sprintf("hello, %s: %d items", name, len(items)),
		Records:  make([]Record, len(items)),
		Motto:    motto,
		MottoLen: uint32(guestptr.FitUTF8(Motto, motto.Len())),
	}
	for i, it := range items {
		rep.Records[i] = Record{Name: fmt.Sprintf("item %d × %d", it.ID, it.Count), Value: uint32(it.Count)*100 + uint32(it.Color)}
	}
	if err := deep.Store(mem, outAddr, &rep, alloc, deep.Limits{}); err != nil {
		return err
	}
	n, err := motto.WriteString(Motto)
	if err != nil {
		return fmt.Errorf("motto: %w", err)
	}
	fmt.Fprintf(h.Out, "replies message=%q records=%d motto=%q (%d of %d bytes)\n", rep.Message, len(rep.Records), Motto[:n], n, len(Motto))
	return nil
}

// report prints a request readably.
func (h *Host) report(req Request, owner Item, name string, items []Item) {
	urgent := ""
	if req.Urgent {
		urgent = " (urgent)"
	}
	fmt.Fprintf(h.Out, "request v%d from %q%s color=%s perms=%s\n", req.Version, name, urgent, req.Color, req.Perms)
	fmt.Fprintf(h.Out, "  owner  item %d, %s, count %d, weight %g\n", owner.ID, owner.Color, owner.Count, owner.Weight)
	fmt.Fprintf(h.Out, "  shape  %s\n", req.Shape)
	fmt.Fprintf(h.Out, "  items  %d:\n", len(items))
	tw := tabwriter.NewWriter(h.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tid\tcolor\tcount\tweight\t\n")
	for _, it := range items {
		fmt.Fprintf(tw, "\t%d\t%s\t%d\t%g\t\n", it.ID, it.Color, it.Count, it.Weight)
	}
	tw.Flush()
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
	case errors.Is(err, guestptr.ErrBadPointer), errors.Is(err, guestptr.ErrNoMemory):
		return errnoFault
	case errors.Is(err, guestptr.ErrAlloc), errors.Is(err, deep.ErrLimit):
		return errnoNomem
	case errors.Is(err, guestptr.ErrInvalidUTF8):
		return errnoIlseq
	case errors.Is(err, guestptr.ErrInvalidBool), errors.Is(err, guestptr.ErrInvalidEnum),
		errors.Is(err, guestptr.ErrInvalidFlags), errors.Is(err, guestptr.ErrInvalidTag):
		return errnoInval
	case errors.Is(err, guestptr.ErrBorrowed):
		return errnoBusy
	case errors.Is(err, errVersion):
		return errnoNotsup
	}
	return errnoIO
}
