package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Wazero reads a real wazero memory through its api.Memory accessors, the
// way wazero's own WASI functions do, with the same checks as Handwritten.
// Each accessor checks its own bounds; where the fields read do not cover
// the whole value (a write, which must check before it writes, or a union
// case shorter than the union) the region is checked against Size first.
type Wazero struct {
	Mem api.Memory // the memory read and written
}

// memoryModule is a hand-assembled module that exports a memory of
// MemPages pages named "memory" and nothing else.
var memoryModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
	0x05, 0x03, 0x01, 0x00, MemPages, // memory section: one memory, min MemPages, no max
	0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // export "memory" = memory 0
}

// NewWazeroMemory instantiates memoryModule in rt and fills its memory with
// image. Close the module (or the runtime) when done.
func NewWazeroMemory(ctx context.Context, rt wazero.Runtime, image []byte) (api.Module, error) {
	mod, err := rt.InstantiateWithConfig(ctx, memoryModule, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, err
	}
	if !mod.Memory().Write(0, image) {
		mod.Close(ctx)
		return nil, fmt.Errorf("bench: the memory of %d bytes cannot hold the %d-byte image", mod.Memory().Size(), len(image))
	}
	return mod, nil
}

// fits reports whether n bytes at addr lie inside the memory.
func (w Wazero) fits(addr uint32, n uint64) bool {
	return uint64(addr)+n <= uint64(w.Mem.Size())
}

// ReadFdstat reads the fdstat at addr. The four accessors together cover
// all 24 bytes, so they are the bounds check.
func (w Wazero) ReadFdstat(addr uint32) (Fdstat, error) {
	if addr%fdstatAlign != 0 {
		return Fdstat{}, ErrMisaligned
	}
	ft, ok1 := w.Mem.ReadByte(addr)
	fl, ok2 := w.Mem.ReadUint16Le(addr + 2)
	base, ok3 := w.Mem.ReadUint64Le(addr + 8)
	inh, ok4 := w.Mem.ReadUint64Le(addr + 16)
	if !ok1 || !ok2 || !ok3 || !ok4 || addr > addr+16 {
		return Fdstat{}, ErrOutOfBounds
	}
	if ft >= FiletypeCases || fl&^FdflagsMask != 0 || base&^RightsMask != 0 || inh&^RightsMask != 0 {
		return Fdstat{}, ErrInvalid
	}
	return Fdstat{Filetype(ft), Fdflags(fl), Rights(base), Rights(inh)}, nil
}

// WriteFdstat writes v at addr; on error memory is unchanged.
func (w Wazero) WriteFdstat(addr uint32, v Fdstat) error {
	if addr%fdstatAlign != 0 {
		return ErrMisaligned
	}
	if !w.fits(addr, fdstatSize) {
		return ErrOutOfBounds
	}
	if !validFdstat(v) {
		return ErrInvalid
	}
	ok1 := w.Mem.WriteByte(addr, byte(v.FsFiletype))
	ok2 := w.Mem.WriteUint16Le(addr+2, uint16(v.FsFlags))
	ok3 := w.Mem.WriteUint64Le(addr+8, uint64(v.FsRightsBase))
	ok4 := w.Mem.WriteUint64Le(addr+16, uint64(v.FsRightsInheriting))
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return ErrOutOfBounds
	}
	return nil
}

// ReadSubscription reads the subscription at addr.
func (w Wazero) ReadSubscription(addr uint32) (Subscription, error) {
	if addr%subscriptionAlign != 0 {
		return Subscription{}, ErrMisaligned
	}
	if !w.fits(addr, subscriptionSize) {
		return Subscription{}, ErrOutOfBounds
	}
	ud, ok1 := w.Mem.ReadUint64Le(addr)
	tag, ok2 := w.Mem.ReadByte(addr + subscriptionUnion)
	if !ok1 || !ok2 {
		return Subscription{}, ErrOutOfBounds
	}
	s := Subscription{Userdata: ud}
	c := addr + subscriptionCase
	switch tag {
	case eventtypeClock:
		id, ok1 := w.Mem.ReadUint32Le(c)
		timeout, ok2 := w.Mem.ReadUint64Le(c + 8)
		precision, ok3 := w.Mem.ReadUint64Le(c + 16)
		flags, ok4 := w.Mem.ReadUint16Le(c + 24)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return Subscription{}, ErrOutOfBounds
		}
		if id >= ClockidCases || flags&^SubclockflagsMask != 0 {
			return Subscription{}, ErrInvalid
		}
		s.U = SubscriptionU{Tag: eventtypeClock, Clock: SubscriptionClock{
			ID: Clockid(id), Timeout: timeout, Precision: precision, Flags: Subclockflags(flags)}}
	case eventtypeFdRead, eventtypeFdWrite:
		fd, ok := w.Mem.ReadUint32Le(c)
		if !ok {
			return Subscription{}, ErrOutOfBounds
		}
		s.U.Tag = Eventtype(tag)
		if tag == eventtypeFdRead {
			s.U.FdRead.FileDescriptor = fd
		} else {
			s.U.FdWrite.FileDescriptor = fd
		}
	default:
		return Subscription{}, ErrInvalid
	}
	return s, nil
}

// SumIovecs reads n ciovecs at iovs and sums the bytes they point to, as
// wazero's fd_write (writev) does: one Read of the list, binary.LittleEndian
// on it, one Read per iovec.
func (w Wazero) SumIovecs(iovs, n uint32) (IovecSum, error) {
	if iovs%iovecAlign != 0 {
		return IovecSum{}, ErrMisaligned
	}
	if uint64(n)*iovecSize > 1<<32-1 {
		return IovecSum{}, ErrOutOfBounds
	}
	list, ok := w.Mem.Read(iovs, n*iovecSize)
	if !ok {
		return IovecSum{}, ErrOutOfBounds
	}
	var r IovecSum
	for pos := 0; pos+iovecSize <= len(list); pos += iovecSize {
		buf, l := binary.LittleEndian.Uint32(list[pos:]), binary.LittleEndian.Uint32(list[pos+4:])
		b, ok := w.Mem.Read(buf, l)
		if !ok {
			return r, ErrOutOfBounds
		}
		r.N += uint64(len(b))
		r.Sum += sumBytes(b)
	}
	return r, nil
}

// ReadString copies out the UTF-8 string of n bytes at addr.
func (w Wazero) ReadString(addr, n uint32) (string, error) {
	b, ok := w.Mem.Read(addr, n)
	if !ok {
		return "", ErrOutOfBounds
	}
	if !utf8.Valid(b) {
		return "", ErrInvalidUTF8
	}
	return string(b), nil
}

// read returns the n uint32s at addr as bytes.
func (w Wazero) readU32s(addr, n uint32) ([]byte, error) {
	if addr%u32Align != 0 {
		return nil, ErrMisaligned
	}
	if uint64(n)*u32Size > 1<<32-1 {
		return nil, ErrOutOfBounds
	}
	b, ok := w.Mem.Read(addr, n*u32Size)
	if !ok {
		return nil, ErrOutOfBounds
	}
	return b, nil
}

// CopyU32 copies out the n uint32s at addr.
func (w Wazero) CopyU32(addr, n uint32) ([]uint32, error) {
	b, err := w.readU32s(addr, n)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out, nil
}

// ViewSumU32 sums the n uint32s at addr through a []uint32 aliasing the
// memory.
func (w Wazero) ViewSumU32(addr, n uint32) (uint64, error) {
	b, err := w.readU32s(addr, n)
	if err != nil {
		return 0, err
	}
	v, err := asU32(b, n)
	if err != nil {
		return 0, err
	}
	return sumU32(v), nil
}
