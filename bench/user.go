package bench

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Hand is a user's hand-written code for one guest type T, to be checked
// and timed against guestkit by a [Checker]. Give any of the four
// functions: the []byte forms run over an in-process memory (mem is the
// whole guest memory), the wazero forms over a real wazero api.Memory.
// Decoders return the value at addr or an error; encoders write v at addr
// or return an error. Any error counts as a failure: the checker compares
// only whether each side failed, and on success the value.
type Hand[T any] struct {
	// Name names the hand-written code in reports; "handwritten" if empty.
	Name string
	// Decode reads a T at addr in mem, a memory's whole bytes.
	Decode func(mem []byte, addr uint32) (T, error)
	// Encode writes v at addr in mem.
	Encode func(mem []byte, addr uint32, v T) error
	// DecodeWazero reads a T at addr in a wazero memory.
	DecodeWazero func(mem api.Memory, addr uint32) (T, error)
	// EncodeWazero writes v at addr in a wazero memory.
	EncodeWazero func(mem api.Memory, addr uint32, v T) error
}

// HandList is hand-written code that reads a list of n Ts at addr, the
// way a host reads an array argument (fd_write's iovecs, poll_oneoff's
// subscriptions). guestkit's side is guestptr.NewSlice[T](mem, addr,
// n).ToSlice(). An empty list and a nil one are equal.
type HandList[T any] struct {
	// Name names the hand-written code in reports; "handwritten" if empty.
	Name string
	// Decode reads the n Ts at addr in mem, a memory's whole bytes.
	Decode func(mem []byte, addr, n uint32) ([]T, error)
	// DecodeWazero reads the n Ts at addr in a wazero memory.
	DecodeWazero func(mem api.Memory, addr, n uint32) ([]T, error)
}

// Options tunes a Checker. The zero value (or nil) is fine.
type Options struct {
	// Pages is the size of each guest memory in 64 KiB pages; 1 if zero.
	Pages int
	// MaxList is the largest list length generated for valid inputs of a
	// list checker; 8 if zero. Timing reads lists of MaxList elements.
	MaxList int
}

// Checker holds a user's hand-written code for T, guestkit's codec and
// layout for T, and the guest memories both run over: an in-process
// memory.Memory for the []byte forms and a wazero memory (allocated by
// guestkit's wazeromem allocator, as a guestkit host would run it) for the
// wazero forms. It generates inputs from T's layout, checks that both
// sides agree on them ([Checker.Check], [Checker.Test], [Checker.Fuzz])
// and times both sides in paired rounds ([Checker.Time]).
//
// A Checker is not safe for concurrent use: its checks share the
// memories. Close it when done.
type Checker[T any] struct {
	name   string // the hand-written side's name
	typ    string // T's name
	lay    *layout.Layout
	codec  marshal.Codec[T]
	list   bool
	maxN   int
	size   uint32 // memory size in bytes
	hand   Hand[T]
	hlist  HandList[T]
	lin    *memory.Memory // the in-process memory
	rt     wazero.Runtime
	wz     api.Memory     // the wazero memory
	wzGk   *memory.Memory // guestkit's view of wz
	ctx    context.Context
	sinkV  T
	sinkL  []T
	sinkE  error
	bufs   [3][]byte // scratch copies of a memory, for encode checks
	closed bool
}

// NewChecker returns a Checker of hand against guestkit on T, under the
// wasm32 ABI. It fails if T has no guest layout or hand has no function.
func NewChecker[T any](hand Hand[T], opts *Options) (*Checker[T], error) {
	if hand.Decode == nil && hand.Encode == nil && hand.DecodeWazero == nil && hand.EncodeWazero == nil {
		return nil, errors.New("bench: NewChecker: the Hand has no function")
	}
	c, err := newChecker[T](hand.Name, opts)
	if err != nil {
		return nil, err
	}
	c.hand = hand
	return c, nil
}

// NewListChecker returns a Checker of hand, a reader of lists of T,
// against guestkit, under the wasm32 ABI.
func NewListChecker[T any](hand HandList[T], opts *Options) (*Checker[T], error) {
	if hand.Decode == nil && hand.DecodeWazero == nil {
		return nil, errors.New("bench: NewListChecker: the HandList has no function")
	}
	c, err := newChecker[T](hand.Name, opts)
	if err != nil {
		return nil, err
	}
	c.list, c.hlist = true, hand
	return c, nil
}

func newChecker[T any](name string, opts *Options) (*Checker[T], error) {
	if opts == nil {
		opts = &Options{}
	}
	pages := opts.Pages
	if pages == 0 {
		pages = 1
	}
	if pages < 1 || pages > 127 {
		return nil, fmt.Errorf("bench: Options.Pages %d: want 1 to 127", pages)
	}
	maxN := opts.MaxList
	if maxN == 0 {
		maxN = 8
	}
	if name == "" {
		name = "handwritten"
	}
	codec, err := marshal.For[T](layout.Wasm32)
	if err != nil {
		return nil, err
	}
	c := &Checker[T]{
		name: name, typ: typeName(reflect.TypeFor[T]()), lay: codec.Layout(), codec: codec,
		maxN: maxN, size: uint32(pages) * memory.PageSize,
	}
	if c.lay.Size == 0 {
		return nil, fmt.Errorf("bench: %s has guest size 0: nothing to check", c.typ)
	}
	if n := uint64(maxN) * c.lay.Size; n > uint64(c.size)/2 {
		return nil, fmt.Errorf("bench: %d bytes of %s (MaxList %d) need more than half of a %d-byte memory: raise Options.Pages", n, c.typ, maxN, c.size)
	}
	c.lin = memory.New(uint64(c.size))
	c.ctx = wazeromem.WithAllocator(context.Background())
	c.rt = wazero.NewRuntime(c.ctx)
	mod, err := c.rt.InstantiateWithConfig(c.ctx, memModule(byte(pages)), wazero.NewModuleConfig().WithName(""))
	if err != nil {
		c.rt.Close(c.ctx)
		return nil, err
	}
	c.wz = mod.Memory()
	c.wzGk = wazeromem.Of(c.wz)
	return c, nil
}

// memModule is a module exporting one memory of pages pages (pages < 128,
// one LEB128 byte).
func memModule(pages byte) []byte {
	return []byte{
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x05, 0x03, 0x01, 0x00, pages,
		0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
	}
}

// Close releases the wazero runtime. The Checker is unusable after.
func (c *Checker[T]) Close() {
	if !c.closed {
		c.closed = true
		c.rt.Close(c.ctx)
	}
}

// Layout returns T's guest layout, from which inputs are generated.
func (c *Checker[T]) Layout() *layout.Layout { return c.lay }

// MemSize returns the size in bytes of each guest memory the checker uses.
func (c *Checker[T]) MemSize() uint32 { return c.size }

// typeName is t's name with its package's last element: "wasi.Fdstat".
func typeName(t reflect.Type) string {
	return t.String()
}
