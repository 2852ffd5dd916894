package guestptr

import (
	"math/bits"
	"unsafe"

	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// This file is the one access path: every read, write, copy and view of
// guest memory checks its region here, then borrows or begins the access,
// then hands the region's bytes to the codec.

// Read reads the T at p.
func (p Ptr[T]) Read() (v T, err error) {
	if x := marshal.Peek[T](p.ref); x != nil {
		return *x, nil
	}
	if marshal.Load(p.ref, &v) {
		return v, nil
	}
	if err = p.read(&v); err != nil {
		v = *new(T)
	}
	return v, err
}

// read is Read past its fast paths, into *v: every case, and every error.
func (p Ptr[T]) read(v *T) error {
	c, err := marshal.Pointee[T](p.ref)
	if err != nil || !c.Valid() {
		return p.noCodec("read", err)
	}
	mem, addr, size := p.ref.Mem, p.ref.Addr, c.Size()
	src, acc, err := begin(mem, addr, 1, size, c.Align(), false)
	if err != nil {
		return fail[Ptr[T]]("read", addr, size, err)
	}
	err = c.Decode(src, v, mem)
	acc.End()
	if err != nil {
		return fail[Ptr[T]]("read", addr, size, err)
	}
	return nil
}

// Write writes v at p. On error memory is unchanged.
func (p Ptr[T]) Write(v T) error {
	if marshal.Poke(p.ref, &v) {
		return nil
	}
	return p.write(&v)
}

// write is Write past its fast path: every case, and every error.
func (p Ptr[T]) write(v *T) error {
	c, err := marshal.Pointee[T](p.ref)
	if err != nil || !c.Valid() {
		return p.noCodec("write", err)
	}
	mem, addr, size := p.ref.Mem, p.ref.Addr, c.Size()
	if err := foreignIn(c.Layout(), unsafe.Pointer(v), 1, 0, mem, false); err != nil {
		return fail[Ptr[T]]("write", addr, size, err)
	}
	dst, acc, err := begin(mem, addr, 1, size, c.Align(), true)
	if err != nil {
		return fail[Ptr[T]]("write", addr, size, err)
	}
	err = c.Encode(dst, v)
	acc.End()
	if err != nil {
		return fail[Ptr[T]]("write", addr, size, err)
	}
	return nil
}

// noCodec is the error of an access through a pointer with no memory or a
// type without a guest layout.
func (p Ptr[T]) noCodec(op string, err error) error {
	if err == nil {
		err = ErrNoMemory
	}
	return fail[Ptr[T]](op, p.ref.Addr, 0, err)
}

// place returns the bytes of count elements of size bytes at addr in
// mem, after checking that they lie inside the memory and that addr is a
// multiple of align (a power of two). It is the one bounds check: overflow
// safe, with the precise error left to regionError. A region inside the
// memory is inside the address space, since no memory is larger.
func place(mem *memory.Memory, addr, count, size, align uint64) ([]byte, uint64, error) {
	b := mem.Bytes()
	total := size
	if count != 1 {
		var hi uint64
		hi, total = bits.Mul64(count, size)
		if hi != 0 {
			return nil, 0, regionError(b, mem.ABI(), addr, count, size, align)
		}
	}
	if addr > uint64(len(b)) || uint64(len(b))-addr < total || addr&(align-1) != 0 {
		return nil, 0, regionError(b, mem.ABI(), addr, count, size, align)
	}
	return b[addr : addr+total : addr+total], total, nil
}

// begin places a region and begins an access to it: a read, or a write
// when write is set. The caller ends the access when done.
func begin(mem *memory.Memory, addr, count, size, align uint64, write bool) ([]byte, memory.Access, error) {
	b, total, err := place(mem, addr, count, size, align)
	if err != nil {
		return nil, memory.Access{}, err
	}
	var acc memory.Access
	if write {
		acc, err = mem.Borrows().BeginWrite(addr, total)
	} else {
		acc, err = mem.Borrows().BeginRead(addr, total)
	}
	return b, acc, err
}
