package memory

import "errors"

// Allocator allocates memory inside the guest, for values whose size the
// host decides: usually by calling the guest's own exported malloc, or the
// Component Model's cabi_realloc (memory/wazeromem binds both for wazero).
//
// What an allocator returns comes from the guest and is not trusted:
// guestptr.Batch checks every block before anything is written into it.
type Allocator interface {
	// Alloc returns the address of size bytes aligned to align, a power of
	// two. size is never 0.
	Alloc(size, align uint64) (uint64, error)
	// Free gives back a block Alloc returned, with the size and alignment
	// it was asked for. An allocator that cannot free returns
	// ErrCannotFree.
	Free(addr, size, align uint64) error
}

// ErrCannotFree is returned by an Allocator's Free when it cannot give a
// block back.
var ErrCannotFree = errors.New("allocator cannot free")
