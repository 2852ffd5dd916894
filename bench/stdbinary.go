package bench

import (
	"encoding/binary"

	"github.com/guestkit/guestkit/memory"
)

// Stdbinary decodes with encoding/binary.Decode and Encode (reflection)
// into structs that spell the guest padding out as blank fields, then makes
// the same checks as Handwritten. Decode skips blank fields; Encode writes
// them as zeros, so a write also zeroes the padding.
type Stdbinary struct {
	Mem *memory.Memory // the memory read and written
}

type fdstatBin struct {
	Filetype         uint8
	_                uint8
	Flags            uint16
	_                [4]byte
	RightsBase       uint64
	RightsInheriting uint64
}

type subscriptionHead struct {
	Userdata uint64
	Tag      uint8
	_        [7]byte
}

type subscriptionClockBin struct {
	ID        uint32
	_         [4]byte
	Timeout   uint64
	Precision uint64
	Flags     uint16
	_         [6]byte
}

type iovecBin struct {
	Buf, Len uint32
}

// ReadFdstat reads the fdstat at addr.
func (s Stdbinary) ReadFdstat(addr uint32) (Fdstat, error) {
	b, err := region(s.Mem.Bytes(), addr, fdstatSize, fdstatAlign)
	if err != nil {
		return Fdstat{}, err
	}
	var v fdstatBin
	if _, err := binary.Decode(b, binary.LittleEndian, &v); err != nil {
		return Fdstat{}, err
	}
	out := Fdstat{Filetype(v.Filetype), Fdflags(v.Flags), Rights(v.RightsBase), Rights(v.RightsInheriting)}
	if !validFdstat(out) {
		return Fdstat{}, ErrInvalid
	}
	return out, nil
}

// WriteFdstat writes v at addr; on error memory is unchanged.
func (s Stdbinary) WriteFdstat(addr uint32, v Fdstat) error {
	b, err := region(s.Mem.Bytes(), addr, fdstatSize, fdstatAlign)
	if err != nil {
		return err
	}
	if !validFdstat(v) {
		return ErrInvalid
	}
	bin := fdstatBin{Filetype: uint8(v.FsFiletype), Flags: uint16(v.FsFlags), RightsBase: uint64(v.FsRightsBase), RightsInheriting: uint64(v.FsRightsInheriting)}
	_, err = binary.Encode(b, binary.LittleEndian, &bin)
	return err
}

// ReadSubscription reads the subscription at addr: the head, then the case
// its tag selects.
func (s Stdbinary) ReadSubscription(addr uint32) (Subscription, error) {
	b, err := region(s.Mem.Bytes(), addr, subscriptionSize, subscriptionAlign)
	if err != nil {
		return Subscription{}, err
	}
	var head subscriptionHead
	if _, err := binary.Decode(b, binary.LittleEndian, &head); err != nil {
		return Subscription{}, err
	}
	out := Subscription{Userdata: head.Userdata}
	c := b[subscriptionCase:]
	switch head.Tag {
	case eventtypeClock:
		var clock subscriptionClockBin
		if _, err := binary.Decode(c, binary.LittleEndian, &clock); err != nil {
			return Subscription{}, err
		}
		if clock.ID >= ClockidCases || clock.Flags&^SubclockflagsMask != 0 {
			return Subscription{}, ErrInvalid
		}
		out.U = SubscriptionU{Tag: eventtypeClock, Clock: SubscriptionClock{
			ID: Clockid(clock.ID), Timeout: clock.Timeout, Precision: clock.Precision, Flags: Subclockflags(clock.Flags)}}
	case eventtypeFdRead, eventtypeFdWrite:
		var fd SubscriptionFdReadwrite
		if _, err := binary.Decode(c, binary.LittleEndian, &fd); err != nil {
			return Subscription{}, err
		}
		out.U.Tag = Eventtype(head.Tag)
		if head.Tag == eventtypeFdRead {
			out.U.FdRead = fd
		} else {
			out.U.FdWrite = fd
		}
	default:
		return Subscription{}, ErrInvalid
	}
	return out, nil
}

// SumIovecs decodes the n ciovecs at iovs into a slice and sums the bytes
// they point to.
func (s Stdbinary) SumIovecs(iovs, n uint32) (IovecSum, error) {
	mem := s.Mem.Bytes()
	list, err := region(mem, iovs, uint64(n)*iovecSize, iovecAlign)
	if err != nil {
		return IovecSum{}, err
	}
	vs := make([]iovecBin, n)
	if _, err := binary.Decode(list, binary.LittleEndian, vs); err != nil {
		return IovecSum{}, err
	}
	var r IovecSum
	for _, iov := range vs {
		b, err := region(mem, iov.Buf, uint64(iov.Len), 1)
		if err != nil {
			return r, err
		}
		r.N += uint64(len(b))
		r.Sum += sumBytes(b)
	}
	return r, nil
}

// CopyU32 decodes the n uint32s at addr into a new slice (binary.Decode's
// fast path for []uint32).
func (s Stdbinary) CopyU32(addr, n uint32) ([]uint32, error) {
	b, err := region(s.Mem.Bytes(), addr, uint64(n)*u32Size, u32Align)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, n)
	if _, err := binary.Decode(b, binary.LittleEndian, out); err != nil {
		return nil, err
	}
	return out, nil
}
