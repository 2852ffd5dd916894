// Package wasmtimebench times guestkit over wasmtime memories against the
// code a wasmtime-go host writes without it, on package bench's fixture
// and cases:
//
//   - guestkit: bench.Guestkit (guestptr.New[T](mem, addr).Read() and
//     Write) over the memory wasmtimemem.New makes.
//   - guestkit-unsafedata: bench.Guestkit over memory.Wrap of
//     mem.UnsafeData(store), the adapter written with wasmtime-go's public
//     API only (four cgo calls per access where wasmtimemem.New makes one):
//     guestkit's own cost over the same fetch as handwritten.
//   - handwritten: [Handwritten], wasmtime's own memory API as a
//     wasmtime-go user writes it: mem.UnsafeData(store) for every
//     operation, then encoding/binary.LittleEndian, with guestptr's
//     checks (bounds, alignment, enums, flags, tags) written out.
//
// Cases (ReadRecord, WriteRecord, ReadNested, as package bench defines
// them) run over a wasm32 and a memory64 memory holding bench's fixture.
//
//	go test ./bench                          # correctness only
//	go run ./bench/cmd/compare               # paired ratios (bench.Compare)
//	go test -run '^$' -bench . -benchmem ./bench
//
// (from memory/wasmtimemem). Every impl's result is checked against the
// fixture before it is timed, and errors are kept in sinks checked after.
package wasmtimebench

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/bench"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wasmtimemem"
)

// The guest layouts of the fixture's values (as in package bench).
const (
	fdstatSize       = 24
	fdstatAlign      = 8
	subscriptionSize = 48
	subscriptionTag  = 8
	subscriptionCase = 16
	subscriptionAlgn = 8
)

// Handwritten reads and writes a wasmtime memory through wasmtime-go's own
// API, as a wasmtime-go host does without guestkit: the bytes fetched with
// UnsafeData for every operation, decoded with encoding/binary, with the
// checks guestptr makes.
type Handwritten struct {
	Store *wasmtime.Store  // the memory's store
	Mem   *wasmtime.Memory // the memory read and written
}

// region returns the n bytes at addr, aligned to align, of the memory.
func (h Handwritten) region(addr, n, align uint64) ([]byte, error) {
	b := h.Mem.UnsafeData(h.Store)
	if addr&(align-1) != 0 {
		return nil, bench.ErrMisaligned
	}
	if addr > uint64(len(b)) || uint64(len(b))-addr < n {
		return nil, bench.ErrOutOfBounds
	}
	return b[addr : addr+n], nil
}

// ReadFdstat reads the fdstat at addr.
func (h Handwritten) ReadFdstat(addr uint64) (bench.Fdstat, error) {
	b, err := h.region(addr, fdstatSize, fdstatAlign)
	if err != nil {
		return bench.Fdstat{}, err
	}
	le := binary.LittleEndian
	ft, fl := b[0], le.Uint16(b[2:])
	base, inh := le.Uint64(b[8:]), le.Uint64(b[16:])
	if ft >= bench.FiletypeCases || fl&^bench.FdflagsMask != 0 || base&^bench.RightsMask != 0 || inh&^bench.RightsMask != 0 {
		return bench.Fdstat{}, bench.ErrInvalid
	}
	return bench.Fdstat{FsFiletype: bench.Filetype(ft), FsFlags: bench.Fdflags(fl), FsRightsBase: bench.Rights(base), FsRightsInheriting: bench.Rights(inh)}, nil
}

// WriteFdstat writes v at addr; on error memory is unchanged. Like
// bench.Handwritten, it leaves the padding bytes alone.
func (h Handwritten) WriteFdstat(addr uint64, v bench.Fdstat) error {
	b, err := h.region(addr, fdstatSize, fdstatAlign)
	if err != nil {
		return err
	}
	if v.FsFiletype >= bench.FiletypeCases || v.FsFlags&^bench.FdflagsMask != 0 ||
		v.FsRightsBase&^bench.RightsMask != 0 || v.FsRightsInheriting&^bench.RightsMask != 0 {
		return bench.ErrInvalid
	}
	le := binary.LittleEndian
	b[0] = byte(v.FsFiletype)
	le.PutUint16(b[2:], uint16(v.FsFlags))
	le.PutUint64(b[8:], uint64(v.FsRightsBase))
	le.PutUint64(b[16:], uint64(v.FsRightsInheriting))
	return nil
}

// ReadSubscription reads the subscription at addr.
func (h Handwritten) ReadSubscription(addr uint64) (bench.Subscription, error) {
	b, err := h.region(addr, subscriptionSize, subscriptionAlgn)
	if err != nil {
		return bench.Subscription{}, err
	}
	le := binary.LittleEndian
	s := bench.Subscription{Userdata: le.Uint64(b)}
	c := b[subscriptionCase:]
	switch tag := bench.Eventtype(b[subscriptionTag]); tag {
	case 0:
		id, flags := le.Uint32(c), le.Uint16(c[24:])
		if id >= bench.ClockidCases || flags&^bench.SubclockflagsMask != 0 {
			return bench.Subscription{}, bench.ErrInvalid
		}
		s.U = bench.SubscriptionU{Tag: tag, Clock: bench.SubscriptionClock{
			ID: bench.Clockid(id), Timeout: le.Uint64(c[8:]), Precision: le.Uint64(c[16:]), Flags: bench.Subclockflags(flags)}}
	case 1:
		s.U = bench.SubscriptionU{Tag: tag, FdRead: bench.SubscriptionFdReadwrite{FileDescriptor: le.Uint32(c)}}
	case 2:
		s.U = bench.SubscriptionU{Tag: tag, FdWrite: bench.SubscriptionFdReadwrite{FileDescriptor: le.Uint32(c)}}
	default:
		return bench.Subscription{}, bench.ErrInvalid
	}
	return s, nil
}

// Env is bench's fixture in a wasmtime memory, with both impls bound to it.
type Env struct {
	Fixture     *bench.Fixture   // the image and its values
	Store       *wasmtime.Store  // the store of Mem; close it when done
	Mem         *wasmtime.Memory // the wasmtime memory holding the image
	Guestkit    bench.Guestkit   // over wasmtimemem.New(Store, Mem)
	UnsafeData  bench.Guestkit   // over memory.Wrap of Mem.UnsafeData(Store)
	Handwritten Handwritten      // over Mem, through wasmtime-go's API
}

// NewEnv loads the fixture into a new wasmtime memory of bench.MemPages
// pages: a memory64 memory if is64, else a wasm32 one. Close the store when
// done.
func NewEnv(is64 bool) (*Env, error) {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmMemory64(is64)
	store := wasmtime.NewStore(wasmtime.NewEngineWithConfig(cfg))
	var ty *wasmtime.MemoryType
	var err error
	if is64 {
		ty, err = wasmtime.NewMemoryType64(bench.MemPages, false, 0, false)
	} else {
		ty, err = wasmtime.NewMemoryType(bench.MemPages, false, 0, false)
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	mem, err := wasmtime.NewMemory(store, ty)
	if err != nil {
		store.Close()
		return nil, err
	}
	fx := bench.NewFixture()
	if n := copy(mem.UnsafeData(store), fx.Image); n != len(fx.Image) {
		store.Close()
		return nil, fmt.Errorf("the memory holds %d of the image's %d bytes", n, len(fx.Image))
	}
	return &Env{
		Fixture:  fx,
		Store:    store,
		Mem:      mem,
		Guestkit: bench.Guestkit{Mem: wasmtimemem.New(store, mem)},
		UnsafeData: bench.Guestkit{Mem: memory.Wrap(func() []byte { return mem.UnsafeData(store) },
			wasmtimemem.New(store, mem).ABI(), false)},
		Handwritten: Handwritten{Store: store, Mem: mem},
	}, nil
}

// Addresses come from variables, as from a guest's call, so that no
// impl's checks are folded away.
var (
	fdstatAddr uint64 = bench.FdstatAddr
	writeAddr  uint64 = bench.WriteAddr
	subAddr    uint64 = bench.SubscriptionAddr
)

// Sinks: each op stores its result and error here.
var (
	sinkFdstat bench.Fdstat
	sinkSub    bench.Subscription
	sinkErr    error
)

// keep records the first error an impl returned while timed.
func keep(err error) {
	if err != nil && sinkErr == nil {
		sinkErr = err
	}
}

// Err returns the first error an op returned, and forgets it.
func Err() error {
	err := sinkErr
	sinkErr = nil
	return err
}

// Cases returns the cases over env, ReadRecord, WriteRecord and
// ReadNested, each with its guestkit and handwritten impls, after checking
// that every impl produces the fixture's values.
func Cases(env *Env) ([]bench.Case, error) {
	if err := Verify(env); err != nil {
		return nil, err
	}
	g, u, h, fx := env.Guestkit, env.UnsafeData, env.Handwritten, env.Fixture
	w := fx.WriteFdstat
	return []bench.Case{
		{Name: "ReadRecord", Baseline: "handwritten", Impls: []bench.Impl{
			{Name: "guestkit", Op: func() { v, err := g.ReadFdstat(uint32(fdstatAddr)); sinkFdstat = v; keep(err) }},
			{Name: "guestkit-unsafedata", Op: func() { v, err := u.ReadFdstat(uint32(fdstatAddr)); sinkFdstat = v; keep(err) }},
			{Name: "handwritten", Op: func() { v, err := h.ReadFdstat(fdstatAddr); sinkFdstat = v; keep(err) }},
		}},
		{Name: "WriteRecord", Baseline: "handwritten", Impls: []bench.Impl{
			{Name: "guestkit", Op: func() { keep(g.WriteFdstat(uint32(writeAddr), w)) }},
			{Name: "guestkit-unsafedata", Op: func() { keep(u.WriteFdstat(uint32(writeAddr), w)) }},
			{Name: "handwritten", Op: func() { keep(h.WriteFdstat(writeAddr, w)) }},
		}},
		{Name: "ReadNested", Baseline: "handwritten", Impls: []bench.Impl{
			{Name: "guestkit", Op: func() { v, err := g.ReadSubscription(uint32(subAddr)); sinkSub = v; keep(err) }},
			{Name: "guestkit-unsafedata", Op: func() { v, err := u.ReadSubscription(uint32(subAddr)); sinkSub = v; keep(err) }},
			{Name: "handwritten", Op: func() { v, err := h.ReadSubscription(subAddr); sinkSub = v; keep(err) }},
		}},
	}, nil
}

// Verify checks that every impl reads the fixture's values and writes its
// bytes.
func Verify(env *Env) error {
	g, u, h, fx := env.Guestkit, env.UnsafeData, env.Handwritten, env.Fixture
	var errs []error
	check := func(what string, want, got any, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		} else if diff := cmp.Diff(want, got); diff != "" {
			errs = append(errs, fmt.Errorf("%s (-want +got):\n%s", what, diff))
		}
	}
	v, err := g.ReadFdstat(bench.FdstatAddr)
	check("guestkit ReadFdstat", fx.Fdstat, v, err)
	v, err = u.ReadFdstat(bench.FdstatAddr)
	check("guestkit-unsafedata ReadFdstat", fx.Fdstat, v, err)
	v, err = h.ReadFdstat(bench.FdstatAddr)
	check("handwritten ReadFdstat", fx.Fdstat, v, err)
	for _, s := range []struct {
		addr uint64
		want bench.Subscription
	}{{bench.SubscriptionAddr, fx.Subscription}, {bench.SubFdReadAddr, fx.SubFdRead}} {
		sg, err := g.ReadSubscription(uint32(s.addr))
		check("guestkit ReadSubscription", s.want, sg, err)
		su, err := u.ReadSubscription(uint32(s.addr))
		check("guestkit-unsafedata ReadSubscription", s.want, su, err)
		sh, err := h.ReadSubscription(s.addr)
		check("handwritten ReadSubscription", s.want, sh, err)
	}
	raw := env.Mem.UnsafeData(env.Store)
	for _, impl := range []struct {
		name  string
		write func() error
	}{
		{"guestkit", func() error { return g.WriteFdstat(bench.WriteAddr, fx.WriteFdstat) }},
		{"guestkit-unsafedata", func() error { return u.WriteFdstat(bench.WriteAddr, fx.WriteFdstat) }},
		{"handwritten", func() error { return h.WriteFdstat(bench.WriteAddr, fx.WriteFdstat) }},
	} {
		clear(raw[bench.WriteAddr : bench.WriteAddr+fdstatSize])
		err := impl.write()
		check(impl.name+" WriteFdstat", fx.WriteBytes, raw[bench.WriteAddr:bench.WriteAddr+fdstatSize], err)
	}
	return errors.Join(errs...)
}
