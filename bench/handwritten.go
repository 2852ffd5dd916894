package bench

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/memory"
)

// Handwritten is what a careful host writes without guestkit:
// encoding/binary.LittleEndian over the memory's bytes, fetched for every
// operation as guestptr does, with the checks guestptr makes: the region in
// bounds, the address aligned to the type's guest alignment, enums below
// their case count, flags inside their mask, the tag a case, strings UTF-8,
// and each iovec's bytes in bounds. It tracks no borrows.
type Handwritten struct {
	Mem *memory.Memory // the memory read and written
}

// region returns the n bytes at addr aligned to align, or an error.
func region(b []byte, addr uint32, n uint64, align uint32) ([]byte, error) {
	if addr&(align-1) != 0 {
		return nil, ErrMisaligned
	}
	end := uint64(addr) + n
	if end > uint64(len(b)) {
		return nil, ErrOutOfBounds
	}
	return b[addr:end], nil
}

// decodeFdstat reads and checks an fdstat from 24 bytes.
func decodeFdstat(b []byte) (Fdstat, error) {
	le := binary.LittleEndian
	b = b[:fdstatSize]
	ft, fl := b[0], le.Uint16(b[2:])
	base, inh := le.Uint64(b[8:]), le.Uint64(b[16:])
	if ft >= FiletypeCases || fl&^FdflagsMask != 0 || base&^RightsMask != 0 || inh&^RightsMask != 0 {
		return Fdstat{}, ErrInvalid
	}
	return Fdstat{Filetype(ft), Fdflags(fl), Rights(base), Rights(inh)}, nil
}

// validFdstat checks a value before it is written.
func validFdstat(v Fdstat) bool {
	return v.FsFiletype < FiletypeCases && v.FsFlags&^FdflagsMask == 0 &&
		v.FsRightsBase&^RightsMask == 0 && v.FsRightsInheriting&^RightsMask == 0
}

// ReadFdstat reads the fdstat at addr.
func (h Handwritten) ReadFdstat(addr uint32) (Fdstat, error) {
	b, err := region(h.Mem.Bytes(), addr, fdstatSize, fdstatAlign)
	if err != nil {
		return Fdstat{}, err
	}
	return decodeFdstat(b)
}

// WriteFdstat writes v at addr; on error memory is unchanged.
func (h Handwritten) WriteFdstat(addr uint32, v Fdstat) error {
	b, err := region(h.Mem.Bytes(), addr, fdstatSize, fdstatAlign)
	if err != nil {
		return err
	}
	if !validFdstat(v) {
		return ErrInvalid
	}
	le := binary.LittleEndian
	b = b[:fdstatSize]
	b[0] = byte(v.FsFiletype)
	le.PutUint16(b[2:], uint16(v.FsFlags))
	le.PutUint64(b[8:], uint64(v.FsRightsBase))
	le.PutUint64(b[16:], uint64(v.FsRightsInheriting))
	return nil
}

// decodeSubscription reads and checks a subscription from 48 bytes.
func decodeSubscription(b []byte) (Subscription, error) {
	le := binary.LittleEndian
	b = b[:subscriptionSize]
	s := Subscription{Userdata: le.Uint64(b)}
	c := b[subscriptionCase:]
	switch tag := b[subscriptionUnion]; tag {
	case eventtypeClock:
		id, flags := le.Uint32(c), le.Uint16(c[24:])
		if id >= ClockidCases || flags&^SubclockflagsMask != 0 {
			return Subscription{}, ErrInvalid
		}
		s.U = SubscriptionU{Tag: eventtypeClock, Clock: SubscriptionClock{
			ID: Clockid(id), Timeout: le.Uint64(c[8:]), Precision: le.Uint64(c[16:]), Flags: Subclockflags(flags)}}
	case eventtypeFdRead:
		s.U = SubscriptionU{Tag: eventtypeFdRead, FdRead: SubscriptionFdReadwrite{le.Uint32(c)}}
	case eventtypeFdWrite:
		s.U = SubscriptionU{Tag: eventtypeFdWrite, FdWrite: SubscriptionFdReadwrite{le.Uint32(c)}}
	default:
		return Subscription{}, ErrInvalid
	}
	return s, nil
}

// ReadSubscription reads the subscription at addr.
func (h Handwritten) ReadSubscription(addr uint32) (Subscription, error) {
	b, err := region(h.Mem.Bytes(), addr, subscriptionSize, subscriptionAlign)
	if err != nil {
		return Subscription{}, err
	}
	return decodeSubscription(b)
}

// SumIovecs reads n ciovecs at iovs and sums the bytes they point to.
func (h Handwritten) SumIovecs(iovs, n uint32) (IovecSum, error) {
	mem := h.Mem.Bytes()
	list, err := region(mem, iovs, uint64(n)*iovecSize, iovecAlign)
	if err != nil {
		return IovecSum{}, err
	}
	var r IovecSum
	for len(list) >= iovecSize {
		buf, l := binary.LittleEndian.Uint32(list), binary.LittleEndian.Uint32(list[4:])
		list = list[iovecSize:]
		b, err := region(mem, buf, uint64(l), 1)
		if err != nil {
			return r, err
		}
		r.N += uint64(len(b))
		r.Sum += sumBytes(b)
	}
	return r, nil
}

// ReadString copies out the UTF-8 string of n bytes at addr.
func (h Handwritten) ReadString(addr, n uint32) (string, error) {
	b, err := region(h.Mem.Bytes(), addr, uint64(n), 1)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", ErrInvalidUTF8
	}
	return string(b), nil
}

// CopyU32 copies out the n uint32s at addr, decoding each with
// binary.LittleEndian.
func (h Handwritten) CopyU32(addr, n uint32) ([]uint32, error) {
	b, err := region(h.Mem.Bytes(), addr, uint64(n)*u32Size, u32Align)
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
// memory (unsafe.Slice after the guest and host alignment checks).
func (h Handwritten) ViewSumU32(addr, n uint32) (uint64, error) {
	b, err := region(h.Mem.Bytes(), addr, uint64(n)*u32Size, u32Align)
	if err != nil {
		return 0, err
	}
	v, err := asU32(b, n)
	if err != nil {
		return 0, err
	}
	return sumU32(v), nil
}

// asU32 is b as n uint32s, if its host address is aligned for them.
func asU32(b []byte, n uint32) ([]uint32, error) {
	if n == 0 {
		return nil, nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%unsafe.Alignof(uint32(0)) != 0 {
		return nil, ErrMisaligned
	}
	return unsafe.Slice((*uint32)(p), n), nil
}

// Copy is the floor for CopySlice: the bounds and alignment checks, then
// one copy() of the bytes into a new []uint32 (a memmove; correct on the
// little-endian hosts guestkit supports). No per-element work.
type Copy struct {
	Mem *memory.Memory // the memory read
}

// CopyU32 copies out the n uint32s at addr.
func (c Copy) CopyU32(addr, n uint32) ([]uint32, error) {
	b, err := region(c.Mem.Bytes(), addr, uint64(n)*u32Size, u32Align)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, n)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(out)*u32Size), b)
	return out, nil
}

// CopyU32Into copies the uint32s at addr into dst, decoding each with
// binary.LittleEndian.
func (h Handwritten) CopyU32Into(addr uint32, dst []uint32) error {
	b, err := region(h.Mem.Bytes(), addr, uint64(len(dst))*u32Size, u32Align)
	if err != nil {
		return err
	}
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return nil
}

// CopyU32Into copies the uint32s at addr into dst with one copy().
func (c Copy) CopyU32Into(addr uint32, dst []uint32) error {
	b, err := region(c.Mem.Bytes(), addr, uint64(len(dst))*u32Size, u32Align)
	if err != nil {
		return err
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)*u32Size), b)
	return nil
}
