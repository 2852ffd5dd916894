package wasmtimemem

import (
	"errors"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/guestkit/guestkit/memory"
)

// ErrNoAllocator is returned by Malloc when the instance exports no
// malloc.
var ErrNoAllocator = errors.New("wasmtimemem: the guest exports no malloc")

// Allocator calls a guest's exported malloc and free through wasmtime, as
// a memory.Allocator for guestptr.Batch and guestptr/deep.Store. What the
// guest returns is checked by the caller (guestptr.Batch), not here. Use
// it where the store may be used, like the memory.
type Allocator struct {
	store        wasmtime.Storelike
	malloc, free *wasmtime.Func
}

var _ memory.Allocator = (*Allocator)(nil)

// Malloc returns the allocator of inst: its exported malloc(size) -> ptr,
// and free(ptr) when it exports one (without it Free reports
// memory.ErrCannotFree).
func Malloc(store wasmtime.Storelike, inst *wasmtime.Instance) (*Allocator, error) {
	a := &Allocator{store: store, malloc: inst.GetFunc(store, "malloc"), free: inst.GetFunc(store, "free")}
	if a.malloc == nil {
		return nil, ErrNoAllocator
	}
	return a, nil
}

// Alloc calls malloc(size). align is left to the guest's malloc, which
// aligns to 16 on wasm32; the caller checks the block's alignment.
func (a *Allocator) Alloc(size, align uint64) (uint64, error) {
	if size > 1<<32-1 {
		return 0, fmt.Errorf("wasmtimemem: %d bytes do not fit wasm32", size)
	}
	v, err := a.malloc.Call(a.store, int32(uint32(size)))
	if err != nil {
		return 0, fmt.Errorf("wasmtimemem: the guest's malloc trapped: %w", err)
	}
	p, ok := v.(int32)
	if !ok {
		return 0, fmt.Errorf("wasmtimemem: the guest's malloc returned %T, want i32", v)
	}
	return uint64(uint32(p)), nil
}

// Free calls free(addr), or reports memory.ErrCannotFree without one.
func (a *Allocator) Free(addr, _, _ uint64) error {
	if a.free == nil {
		return memory.ErrCannotFree
	}
	if _, err := a.free.Call(a.store, int32(uint32(addr))); err != nil {
		return fmt.Errorf("wasmtimemem: the guest's free trapped: %w", err)
	}
	return nil
}
