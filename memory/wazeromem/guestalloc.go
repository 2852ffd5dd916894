package wazeromem

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/memory"
)

// GuestAllocator allocates memory inside a wazero guest by calling the
// guest's own exported functions: malloc and free ([Malloc]) or the
// Component Model's cabi_realloc ([CABIRealloc]). It is a
// memory.Allocator (guestptr.Allocator) for wasm32 guests; use it through a guestptr.Batch, which checks every
// block the guest returns (null, out of bounds, misaligned, overlapping)
// before the host writes into it.
//
// The guest runs inside Alloc and Free: its allocator may grow its memory,
// which guestkit sees (Of), and may trap, which Alloc returns as an error.
// Host functions make their GuestAllocator with the context they were
// called with; one GuestAllocator serves one call and is not safe for
// concurrent use.
type GuestAllocator struct {
	ctx     context.Context
	alloc   api.Function
	free    api.Function // nil: cannot free
	realloc bool         // alloc is cabi_realloc(old, old_size, align, new_size)
	stack   [4]uint64
}

// ErrNoAllocator is returned by Malloc and CABIRealloc when the module
// does not export the function they call, or exports it with another
// signature.
var ErrNoAllocator = errors.New("wazeromem: the guest exports no allocator")

var _ memory.Allocator = (*GuestAllocator)(nil)

// Malloc returns an allocator that calls the module's exported
// malloc(size) -> ptr, and free(ptr) when it exports one. A C guest built
// with wasi-libc exports them with
//
//	__attribute__((export_name("malloc"))) void *guest_malloc(size_t n) { return malloc(n); }
//	__attribute__((export_name("free"))) void guest_free(void *p) { free(p); }
//
// wasi-libc's malloc aligns every block to 16 bytes, enough for any C
// type; a larger alignment is asked of no C guest's malloc, and a block
// that misses it is refused by the Batch.
func Malloc(ctx context.Context, mod api.Module) (*GuestAllocator, error) {
	alloc, err := export(mod, "malloc", 1, 1)
	if err != nil {
		return nil, err
	}
	a := &GuestAllocator{ctx: ctx, alloc: alloc}
	if free, err := export(mod, "free", 1, 0); err == nil {
		a.free = free
	}
	return a, nil
}

// CABIRealloc returns an allocator that calls the module's exported
// cabi_realloc(old_ptr, old_size, align, new_size) -> ptr, the Component
// Model's allocator: Alloc calls cabi_realloc(0, 0, align, size), Free
// calls cabi_realloc(ptr, size, align, 0), which wit-bindgen's
// implementation treats as a free.
func CABIRealloc(ctx context.Context, mod api.Module) (*GuestAllocator, error) {
	alloc, err := export(mod, "cabi_realloc", 4, 1)
	if err != nil {
		return nil, err
	}
	return &GuestAllocator{ctx: ctx, alloc: alloc, realloc: true}, nil
}

// export finds the exported function name with params parameters and
// results results, all i32 (wasm32) or all i64 (wasm64).
func export(mod api.Module, name string, params, results int) (api.Function, error) {
	if mod == nil {
		return nil, fmt.Errorf("%w: no module", ErrNoAllocator)
	}
	f := mod.ExportedFunction(name)
	if f == nil {
		return nil, fmt.Errorf("%w: %s is not exported", ErrNoAllocator, name)
	}
	d := f.Definition()
	ok := len(d.ParamTypes()) == params && len(d.ResultTypes()) == results
	for _, t := range slices.Concat(d.ParamTypes(), d.ResultTypes()) {
		ok = ok && (t == api.ValueTypeI32 || t == api.ValueTypeI64)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s has type (%v) -> (%v), want %d parameters and %d results of i32 or i64", ErrNoAllocator, name, d.ParamTypes(), d.ResultTypes(), params, results)
	}
	return f, nil
}

// WithContext returns a copy of a that calls the guest with ctx.
func (a *GuestAllocator) WithContext(ctx context.Context) *GuestAllocator {
	b := *a
	b.ctx = ctx
	return &b
}

// Alloc calls the guest's allocator for size bytes aligned to align and
// returns what it returned, unchecked: a Batch checks it. A trap or an
// address that does not fit wasm32 is an error.
func (a *GuestAllocator) Alloc(size, align uint64) (uint64, error) {
	if size > 1<<32-1 || align > 1<<31 {
		return 0, fmt.Errorf("wazeromem: %d bytes aligned to %d do not fit wasm32", size, align)
	}
	s := a.stack[:]
	if a.realloc {
		s[0], s[1], s[2], s[3] = 0, 0, align, size
	} else {
		s[0] = size
	}
	if err := a.alloc.CallWithStack(a.ctx, s); err != nil {
		return 0, fmt.Errorf("wazeromem: the guest's allocator trapped: %w", err)
	}
	return uint64(uint32(s[0])), nil
}

// Free calls the guest's free (or cabi_realloc with a new size of 0) on a
// block Alloc returned. With malloc and no free exported it returns
// memory.ErrCannotFree.
func (a *GuestAllocator) Free(addr, size, align uint64) error {
	s := a.stack[:]
	switch {
	case a.realloc:
		s[0], s[1], s[2], s[3] = addr, size, align, 0
		if err := a.alloc.CallWithStack(a.ctx, s); err != nil {
			return fmt.Errorf("wazeromem: cabi_realloc to free trapped: %w", err)
		}
	case a.free != nil:
		s[0] = addr
		if err := a.free.CallWithStack(a.ctx, s); err != nil {
			return fmt.Errorf("wazeromem: free trapped: %w", err)
		}
	default:
		return memory.ErrCannotFree
	}
	return nil
}
