package marshal

import "unsafe"

// Guest bytes are reached through unsafe pointers: the caller checks once
// that the whole value is in bounds, and every field lies inside the value
// by construction of the layout. Loads and stores are spelled byte by byte;
// the compiler turns them into single (unaligned) moves where the CPU
// allows.

func ld8(p unsafe.Pointer) uint64 { return uint64(*(*byte)(p)) }

func ld16(p unsafe.Pointer) uint64 {
	b := (*[2]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8
}

func ld32(p unsafe.Pointer) uint64 {
	b := (*[4]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
}

func ld64(p unsafe.Pointer) uint64 {
	b := (*[8]byte)(p)
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

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
		*(*byte)(p) = byte(v)
	case 2:
		b := (*[2]byte)(p)
		b[0], b[1] = byte(v), byte(v>>8)
	case 4:
		b := (*[4]byte)(p)
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	default:
		b := (*[8]byte)(p)
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		b[4], b[5], b[6], b[7] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
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
