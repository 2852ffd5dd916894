package layout

// ABI is the guest's data model: how wide its pointers and lengths are.
// Every ABI is little-endian. The zero ABI is invalid; use [Wasm32] or
// [Wasm64].
type ABI struct {
	pointerSize uint8
}

var (
	// Wasm32 is the 32-bit WebAssembly data model: 4-byte pointers,
	// lengths, size_t and long (clang --target=wasm32, WASI preview1, the
	// canonical ABI on a 32-bit memory).
	Wasm32 = ABI{pointerSize: 4}
	// Wasm64 is the memory64 data model: 8-byte pointers, lengths, size_t
	// and long.
	Wasm64 = ABI{pointerSize: 8}
)

// PointerSize returns the size and alignment of a guest pointer, in bytes.
func (a ABI) PointerSize() uint64 { return uint64(a.pointerSize) }

// MaxAddress returns the largest address the ABI can express: 2^32-1 for
// [Wasm32] and 2^64-1 for [Wasm64]. A region that ends past it wraps.
func (a ABI) MaxAddress() uint64 {
	if a.pointerSize == 4 {
		return 1<<32 - 1
	}
	return 1<<64 - 1
}

// Valid reports whether a is one of the preset ABIs.
func (a ABI) Valid() bool { return a.pointerSize == 4 || a.pointerSize == 8 }

// String returns "wasm32", "wasm64" or "invalid ABI".
func (a ABI) String() string {
	switch a.pointerSize {
	case 4:
		return "wasm32"
	case 8:
		return "wasm64"
	}
	return "invalid ABI"
}

// alignUp rounds off up to a multiple of align, a power of two. ok is false
// when the result does not fit in a uint64.
func alignUp(off, align uint64) (uint64, bool) {
	r := (off + align - 1) &^ (align - 1)
	return r, r >= off
}
