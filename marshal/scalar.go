package marshal

import "unsafe"

// Guest bytes are reached through unsafe pointers: the caller checks once
// that the whole value is in bounds, and every field lies inside the value
// by construction of the layout.

func ld8(p unsafe.Pointer) uint64 { return uint64(*(*byte)(p)) }

// Wider loads and stores are single unaligned moves: guestkit runs on
// little-endian hosts, and pointer-free values may be unaligned.

func ld16(p unsafe.Pointer) uint64 { return uint64(*(*uint16)(p)) }

func ld32(p unsafe.Pointer) uint64 { return uint64(*(*uint32)(p)) }

func ld64(p unsafe.Pointer) uint64 { return *(*uint64)(p) }

// load reads a little-endian guest integer of w bytes.
func load(p unsafe.Pointer, w uint8) uint64 {
	switch w {
	case 1:
		return ld8(p)
	case 2:
		return ld16(p)
	case 4:
		return ld32(p)
	}
	return ld64(p)
}

// put writes v as a little-endian guest integer of w bytes.
func put(p unsafe.Pointer, w uint8, v uint64) {
	switch w {
	case 1:
		*(*uint8)(p) = uint8(v)
	case 2:
		*(*uint16)(p) = uint16(v)
	case 4:
		*(*uint32)(p) = uint32(v)
	default:
		*(*uint64)(p) = v
	}
}

// loadGo reads a Go integer of w bytes, zero-extended.
func loadGo(p unsafe.Pointer, w uint8) uint64 {
	switch w {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}

// storeGo writes the low w bytes of v to a Go integer.
func storeGo(p unsafe.Pointer, w uint8, v uint64) {
	switch w {
	case 1:
		*(*uint8)(p) = uint8(v)
	case 2:
		*(*uint16)(p) = uint16(v)
	case 4:
		*(*uint32)(p) = uint32(v)
	default:
		*(*uint64)(p) = v
	}
}

// signExtend widens the low w bytes of v as a two's complement number.
func signExtend(v uint64, w uint8) uint64 {
	shift := 64 - 8*uint(w)
	return uint64(int64(v<<shift) >> shift)
}

// bytesAt returns n bytes at p. Only for memory without Go pointers.
func bytesAt(p unsafe.Pointer, n uintptr) []byte { return unsafe.Slice((*byte)(p), n) }

// noescape hides p from escape analysis. The compiled steps are closures,
// and a pointer passed to a closure escapes as far as the compiler can
// tell, which would move every value read onto the heap. No step keeps the
// pointers it is given, so values may stay on the caller's stack.
//
//go:nocheckptr
func noescape(p unsafe.Pointer) unsafe.Pointer {
	return unsafe.Add(nil, uintptr(p))
}
