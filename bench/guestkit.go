package bench

import (
	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Guestkit is the public guestptr API, written as a host would write it:
// one guestptr call per operation, every check guestptr makes (bounds,
// alignment, borrows, enums, flags, tags, UTF-8).
type Guestkit struct {
	Mem *memory.Memory // the memory read and written
}

// ReadFdstat reads the fdstat at addr.
func (g Guestkit) ReadFdstat(addr uint32) (Fdstat, error) {
	return guestptr.New[Fdstat](g.Mem, uint64(addr)).Read()
}

// WriteFdstat writes v at addr.
func (g Guestkit) WriteFdstat(addr uint32, v Fdstat) error {
	return guestptr.New[Fdstat](g.Mem, uint64(addr)).Write(v)
}

// ReadSubscription reads the subscription at addr.
func (g Guestkit) ReadSubscription(addr uint32) (Subscription, error) {
	return guestptr.New[Subscription](g.Mem, uint64(addr)).Read()
}

// SumIovecs reads n ciovecs at iovs and sums the bytes they point to, the
// way a guestkit fd_write reaches them (as examples/wasi/wasihost does):
// each ciovec read through a Ptr, then a zero-copy view of its bytes,
// released when done.
func (g Guestkit) SumIovecs(iovs, n uint32) (IovecSum, error) {
	var r IovecSum
	for p, err := range guestptr.NewSlice[Ciovec](g.Mem, uint64(iovs), uint64(n)).All() {
		if err != nil {
			return r, err
		}
		iov, err := p.Read()
		if err != nil {
			return r, err
		}
		v, err := iov.Buf.AsSlice()
		if err != nil {
			return r, err
		}
		r.N += uint64(v.Len())
		r.Sum += sumBytes(v.Slice())
		if err := v.Release(); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ReadString copies out the UTF-8 string of n bytes at addr.
func (g Guestkit) ReadString(addr, n uint32) (string, error) {
	return guestptr.NewString(g.Mem, uint64(addr), uint64(n)).Read()
}

// CopyU32 copies out the n uint32s at addr.
func (g Guestkit) CopyU32(addr, n uint32) ([]uint32, error) {
	return guestptr.NewSlice[uint32](g.Mem, uint64(addr), uint64(n)).ToSlice()
}

// ViewSumU32 borrows the n uint32s at addr, sums them and releases them.
func (g Guestkit) ViewSumU32(addr, n uint32) (uint64, error) {
	v, err := guestptr.NewSlice[uint32](g.Mem, uint64(addr), uint64(n)).AsSlice()
	if err != nil {
		return 0, err
	}
	s := sumU32(v.Slice())
	return s, v.Release()
}

// Plan is the codec lookup every guestptr operation makes: a cache hit.
func (Guestkit) Plan() (uint64, error) {
	c, err := marshal.For[Fdstat](layout.Wasm32)
	if err != nil {
		return 0, err
	}
	return c.Size(), nil
}

// LayoutOf is layout.For: the layout cache hit under the codec cache.
func LayoutOf() (uint64, error) {
	l, err := layout.For[Fdstat](layout.Wasm32)
	if err != nil {
		return 0, err
	}
	return l.Size, nil
}

// CopyU32Into copies the n uint32s at addr into dst, which has n elements.
func (g Guestkit) CopyU32Into(addr uint32, dst []uint32) error {
	return guestptr.NewSlice[uint32](g.Mem, uint64(addr), uint64(len(dst))).CopyToSlice(dst)
}
