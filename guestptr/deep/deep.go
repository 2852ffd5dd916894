package deep

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Limits bound what one Load may allocate on the host, and what one Store
// may allocate in the guest. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	// Bytes bounds the bytes allocated in total: Load counts the Go size
	// of every string, slice and pointee it makes; Store the guest bytes
	// of every block it allocates.
	Bytes uint64
	// Elements bounds the list elements in total, over every list.
	Elements uint64
	// Depth bounds the nesting of pointers and lists: the root's own
	// fields are at depth 0, a list's elements or a pointer's target one
	// deeper than the field that holds it.
	Depth int
}

// DefaultLimits are the limits of the zero Limits: 1 MiB, 65536
// elements, depth 64. A hostile guest can make a Load allocate at most
// about Bytes, whatever its lengths say.
var DefaultLimits = Limits{Bytes: 1 << 20, Elements: 1 << 16, Depth: 64}

func (l Limits) orDefault() Limits {
	if l.Bytes == 0 {
		l.Bytes = DefaultLimits.Bytes
	}
	if l.Elements == 0 {
		l.Elements = DefaultLimits.Elements
	}
	if l.Depth == 0 {
		l.Depth = DefaultLimits.Depth
	}
	return l
}

// Codec loads and stores values of the native type T under one ABI. Get
// one with For; it is a small handle, safe to copy and share.
type Codec[T any] struct {
	p   *plan
	abi layout.ABI
}

// For returns the codec of T under abi, compiling it on first use.
func For[T any](abi layout.ABI) (Codec[T], error) {
	p, err := planFor(reflect.TypeFor[T](), abi)
	if err != nil {
		return Codec[T]{}, err
	}
	return Codec[T]{p, abi}, nil
}

// Layout returns T's guest layout: the layout of its mirror (see Mirror).
func (c Codec[T]) Layout() *layout.Layout { return c.p.l }

// Load reads the T at addr in mem, with every string, list and pointer
// followed, under lim (the zero Limits for DefaultLimits).
func Load[T any](mem *memory.Memory, addr uint64, lim Limits) (T, error) {
	var v T
	if mem == nil {
		return v, finish("load", reflect.TypeFor[T](), addr, guestptr.ErrNoMemory)
	}
	c, err := For[T](mem.ABI())
	if err != nil {
		return v, finish("load", reflect.TypeFor[T](), addr, err)
	}
	err = c.LoadInto(mem, addr, &v, lim)
	return v, err
}

// Store writes v as the T at addr in mem, allocating its strings, lists
// and pointees in the guest through a, under lim. It is all or nothing; see
// the package documentation.
func Store[T any](mem *memory.Memory, addr uint64, v *T, a memory.Allocator, lim Limits) error {
	if mem == nil {
		return finish("store", reflect.TypeFor[T](), addr, guestptr.ErrNoMemory)
	}
	c, err := For[T](mem.ABI())
	if err != nil {
		return finish("store", reflect.TypeFor[T](), addr, err)
	}
	return c.Store(mem, addr, v, a, lim)
}

// New allocates a T in the guest through a, stores v there as Store does,
// and returns its address.
func New[T any](mem *memory.Memory, v *T, a memory.Allocator, lim Limits) (uint64, error) {
	if mem == nil {
		return 0, finish("new", reflect.TypeFor[T](), 0, guestptr.ErrNoMemory)
	}
	c, err := For[T](mem.ABI())
	if err != nil {
		return 0, finish("new", reflect.TypeFor[T](), 0, err)
	}
	return c.New(mem, v, a, lim)
}

// loader is the state of one Load.
type loader struct {
	mem       *memory.Memory
	b         []byte
	w         uint64
	lim       Limits
	bytesLeft uint64
	elemsLeft uint64
}

// region returns the bytes of n elements of size bytes at addr, after
// checking bounds, wrap-around, alignment and borrows.
func (ld *loader) region(addr, n, size, align uint64) ([]byte, error) {
	total := n * size // callers bound n by the limits: no overflow
	if addr > uint64(len(ld.b)) || uint64(len(ld.b))-addr < total || addr&(align-1) != 0 || n != 0 && total/n != size {
		return nil, guestptr.CheckRegion(ld.mem, addr, n, size, align)
	}
	if total == 0 {
		return nil, nil
	}
	acc, err := ld.mem.Borrows().BeginRead(addr, total)
	if err != nil {
		return nil, err
	}
	acc.End()
	return ld.b[addr : addr+total : addr+total], nil
}

func (ld *loader) limit(which, what string, need, left uint64) error {
	return &LimitError{Limit: which, Max: map[string]uint64{"Bytes": ld.lim.Bytes, "Elements": ld.lim.Elements}[which], Need: need, Left: left, What: what}
}

func (ld *loader) depth(what string, d int) error {
	return &LimitError{Limit: "Depth", Max: uint64(ld.lim.Depth), Need: uint64(d), What: what}
}

// LoadInto reads the T at addr in mem into *v, as Load does. On error *v
// may be partly written.
func (c Codec[T]) LoadInto(mem *memory.Memory, addr uint64, v *T, lim Limits) error {
	t := reflect.TypeFor[T]()
	if mem == nil {
		return finish("load", t, addr, guestptr.ErrNoMemory)
	}
	if mem.ABI() != c.abi {
		return finish("load", t, addr, fmt.Errorf("deep: a %s codec used on a %s memory", c.abi, mem.ABI()))
	}
	lim = lim.orDefault()
	ld := loader{mem: mem, b: mem.Bytes(), w: c.abi.PointerSize(), lim: lim, bytesLeft: lim.Bytes, elemsLeft: lim.Elements}
	b, err := ld.region(addr, 1, c.p.size, c.p.align)
	if err != nil {
		return finish("load", t, addr, err)
	}
	if c.p.size == 0 {
		return nil
	}
	if err := c.p.load(&ld, unsafe.Pointer(unsafe.SliceData(b)), unsafe.Pointer(v), 0); err != nil {
		return finish("load", t, addr, err)
	}
	return nil
}

// Load reads the T at addr in mem, as the function Load does.
func (c Codec[T]) Load(mem *memory.Memory, addr uint64, lim Limits) (T, error) {
	var v T
	err := c.LoadInto(mem, addr, &v, lim)
	return v, err
}

// storer is the state of one Store: the blocks the value needs, in the
// order the walk meets them, then their addresses and scratch bytes.
type storer struct {
	w         uint64
	lim       Limits
	bytesLeft uint64
	elemsLeft uint64
	blocks    []blk
	scratch   []byte
	cur       int // the next block to hand out while encoding
	batch     guestptr.Batch
}

type blk struct {
	size, align uint64
	addr        uint64
	off         uint64 // in scratch
}

var storers = sync.Pool{New: func() any { return new(storer) }}

// block notes a block the value needs; a value of 0 bytes needs none (its
// address is 0).
func (st *storer) block(size, align uint64, what string) error {
	if size == 0 {
		return nil
	}
	if size > st.bytesLeft {
		return &LimitError{Limit: "Bytes", Max: st.lim.Bytes, Need: size, Left: st.bytesLeft, What: what}
	}
	st.bytesLeft -= size
	st.blocks = append(st.blocks, blk{size: size, align: align})
	return nil
}

func (st *storer) limit(which, what string, need, left uint64) error {
	return &LimitError{Limit: which, Max: st.lim.Elements, Need: need, Left: left, What: what}
}

func (st *storer) depth(what string, d int) error {
	return &LimitError{Limit: "Depth", Max: uint64(st.lim.Depth), Need: uint64(d), What: what}
}

// next hands out the next block while encoding: its guest address and its
// scratch bytes.
func (st *storer) next(size uint64) (uint64, []byte) {
	if size == 0 {
		return 0, nil
	}
	k := &st.blocks[st.cur]
	st.cur++
	return k.addr, st.scratch[k.off : k.off+k.size : k.off+k.size]
}

// Store writes v as the T at addr, as the function Store does.
func (c Codec[T]) Store(mem *memory.Memory, addr uint64, v *T, a memory.Allocator, lim Limits) error {
	return c.store("store", mem, addr, false, v, a, lim)
}

// New allocates a T in the guest and stores v there, as the function New
// does.
func (c Codec[T]) New(mem *memory.Memory, v *T, a memory.Allocator, lim Limits) (uint64, error) {
	var addr uint64
	err := c.store("new", mem, 0, true, v, a, lim, &addr)
	return addr, err
}

func (c Codec[T]) store(op string, mem *memory.Memory, addr uint64, alloc bool, v *T, a memory.Allocator, lim Limits, out ...*uint64) (err error) {
	t := reflect.TypeFor[T]()
	if mem == nil {
		return finish(op, t, addr, guestptr.ErrNoMemory)
	}
	if mem.ABI() != c.abi {
		return finish(op, t, addr, fmt.Errorf("deep: a %s codec used on a %s memory", c.abi, mem.ABI()))
	}
	lim = lim.orDefault()
	st := storers.Get().(*storer)
	st.w, st.lim, st.bytesLeft, st.elemsLeft = c.abi.PointerSize(), lim, lim.Bytes, lim.Elements
	st.blocks, st.scratch, st.cur = st.blocks[:0], st.scratch[:0], 0
	defer func() {
		if cap(st.scratch) <= 1<<20 && cap(st.blocks) <= 1<<12 {
			st.batch.Start(nil, nil)
			storers.Put(st)
		}
	}()
	size := c.p.size

	// 1. Measure and check the whole value; nothing is allocated yet.
	if !alloc {
		if err := guestptr.CheckRegion(mem, addr, 1, size, c.p.align); err != nil {
			return finish(op, t, addr, err)
		}
	}
	if err := c.p.measure(st, unsafe.Pointer(v), 0); err != nil {
		return finish(op, t, addr, err)
	}

	// 2. Allocate every block, checked; on failure free them all.
	batch := &st.batch
	batch.Start(mem, a)
	defer func() {
		if err != nil {
			err = errors.Join(err, batch.Abort())
		}
	}()
	if alloc {
		if addr, err = batch.Alloc(max(size, 1), c.p.align); err != nil {
			return finish(op, t, 0, err)
		}
	}
	var total uint64 = size
	for i := range st.blocks {
		k := &st.blocks[i]
		if k.addr, err = batch.Alloc(k.size, k.align); err != nil {
			return finish(op, t, addr, err)
		}
		if !alloc && k.addr < addr+size && addr < k.addr+k.size {
			return finish(op, t, addr, fmt.Errorf("%w: the block at %#x overlaps the value's own bytes at %#x", guestptr.ErrAlloc, k.addr, addr))
		}
		k.off = total
		total += k.size
	}

	// 3. Encode everything into the scratch buffer: the root over the
	// guest's current bytes (its padding is kept), then the blocks.
	b := mem.Bytes()
	if uint64(len(b)) < addr+size {
		return finish(op, t, addr, guestptr.CheckRegion(mem, addr, 1, size, c.p.align))
	}
	if uint64(cap(st.scratch)) < total {
		st.scratch = make([]byte, total)
	}
	st.scratch = st.scratch[:total]
	copy(st.scratch, b[addr:addr+size])
	clear(st.scratch[size:])
	if size > 0 {
		c.p.store(st, unsafe.Pointer(unsafe.SliceData(st.scratch)), unsafe.Pointer(v))
	}

	// 4. Write: check every region against views first, so the writes
	// cannot fail half way.
	root := blk{size: size, addr: addr}
	if mem.Borrows().Held() != 0 {
		for i := -1; i < len(st.blocks); i++ {
			k := root
			if i >= 0 {
				k = st.blocks[i]
			}
			if k.size == 0 {
				continue
			}
			acc, err := mem.Borrows().BeginWrite(k.addr, k.size)
			if err != nil {
				return finish(op, t, addr, err)
			}
			acc.End()
		}
	}
	b = mem.Bytes()
	copy(b[addr:addr+size], st.scratch[:size])
	for _, k := range st.blocks {
		copy(b[k.addr:k.addr+k.size], st.scratch[k.off:k.off+k.size])
	}
	batch.Reset()
	for _, o := range out {
		*o = addr
	}
	return nil
}
