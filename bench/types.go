package bench

import (
	"errors"

	"github.com/guestkit/guestkit/guestptr"
)

// WASI preview1 types as a guestkit host declares them. Enum and flags
// widths and counts are those of preview1 (witx 0.9): rights are the 30
// bits fd_datasync (bit 0) to sock_accept (bit 29). Every impl checks the
// same cases and masks.
type (
	Filetype      uint8  // enum, 8 cases
	Fdflags       uint16 // flags, 5 bits
	Rights        uint64 // flags, 30 bits
	Eventtype     uint8  // enum, 3 cases; the tag of SubscriptionU
	Clockid       uint32 // enum, 4 cases
	Subclockflags uint16 // flags, 1 bit
)

// The checks, shared by every impl.
const (
	FiletypeCases     = 8
	FdflagsMask       = 0x1f
	RightsMask        = 1<<30 - 1
	EventtypeCases    = 3
	ClockidCases      = 4
	SubclockflagsMask = 1
	fdstatSize        = 24
	fdstatAlign       = 8
	subscriptionSize  = 48
	subscriptionAlign = 8
	subscriptionUnion = 8 // offset of the tag
	subscriptionCase  = 16
	iovecSize         = 8
	iovecAlign        = 4
	eventtypeClock    = 0
	eventtypeFdRead   = 1
	eventtypeFdWrite  = 2
	u32Size, u32Align = 4, 4
)

// GuestEnumCases makes Filetype a guest enum of FiletypeCases cases.
func (Filetype) GuestEnumCases() uint64 { return FiletypeCases }

// GuestFlagsMask makes Fdflags guest flags with mask FdflagsMask.
func (Fdflags) GuestFlagsMask() uint64 { return FdflagsMask }

// GuestFlagsMask makes Rights guest flags with mask RightsMask.
func (Rights) GuestFlagsMask() uint64 { return RightsMask }

// GuestEnumCases makes Eventtype a guest enum of EventtypeCases cases.
func (Eventtype) GuestEnumCases() uint64 { return EventtypeCases }

// GuestEnumCases makes Clockid a guest enum of ClockidCases cases.
func (Clockid) GuestEnumCases() uint64 { return ClockidCases }

// GuestFlagsMask makes Subclockflags guest flags with mask SubclockflagsMask.
func (Subclockflags) GuestFlagsMask() uint64 { return SubclockflagsMask }

// Fdstat is WASI's fdstat: 24 bytes, aligned to 8 (filetype@0, flags@2,
// rights@8 and @16).
type Fdstat struct {
	FsFiletype         Filetype // the file's type
	FsFlags            Fdflags  // its descriptor flags
	FsRightsBase       Rights   // the rights of the descriptor
	FsRightsInheriting Rights   // the rights of descriptors opened through it
}

// SubscriptionClock is the clock case of a subscription: 32 bytes.
type SubscriptionClock struct {
	ID        Clockid       // the clock to wait on
	Timeout   uint64        // in nanoseconds, relative unless Flags says absolute
	Precision uint64        // the slack allowed, in nanoseconds
	Flags     Subclockflags // bit 0: Timeout is an absolute time
}

// SubscriptionFdReadwrite is the fd_read and fd_write case: 4 bytes.
type SubscriptionFdReadwrite struct {
	FileDescriptor uint32 // the descriptor to wait on
}

// SubscriptionU is the tagged union of a subscription: a u8 tag at 0 and
// the case at 8; 40 bytes.
type SubscriptionU struct {
	Tag     Eventtype               `guest:",tag"`    // which case holds
	Clock   SubscriptionClock       `guest:",case=0"` // when Tag is 0
	FdRead  SubscriptionFdReadwrite `guest:",case=1"` // when Tag is 1
	FdWrite SubscriptionFdReadwrite `guest:",case=2"` // when Tag is 2
}

// Subscription is WASI's subscription: 48 bytes, aligned to 8.
type Subscription struct {
	Userdata uint64        // returned in the event, untouched
	U        SubscriptionU // what to wait for
}

// Ciovec is WASI's ciovec, the argument of fd_write: buf and buf_len, a
// guest (pointer, length) pair, which is what a guestptr.Slice[byte] is; 8
// bytes, aligned to 4. (examples/wasi/wasihost declares it the same way.)
type Ciovec struct {
	Buf guestptr.Slice[byte] // the bytes to write
}

// IovecSum is what the ReadIovecs case computes of the bytes a list of
// ciovecs points to: their count and their sum, as fd_write would hand
// them to a writer.
type IovecSum struct {
	N   uint64 // the number of bytes
	Sum uint64 // the sum of their values
}

// The errors of the handwritten, wazero, stdbinary and copy impls. They
// match guestptr's sentinels in spirit; tests check only that each impl
// fails where guestkit does.
var (
	ErrOutOfBounds = errors.New("out of bounds")
	ErrMisaligned  = errors.New("misaligned")
	ErrInvalid     = errors.New("invalid value")
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
)

// sumBytes is the work every impl does on the bytes of an iovec: a plain
// byte sum, the cheapest stand-in for handing them to a writer, so the
// cost of reaching the bytes shows. It and sumU32 are not inlined, so that
// every impl runs the same machine code for them.
//
//go:noinline
func sumBytes(b []byte) uint64 {
	var s uint64
	for _, c := range b {
		s += uint64(c)
	}
	return s
}

// sumU32 is the work done on a view of uint32s.
//
//go:noinline
func sumU32(v []uint32) uint64 {
	var s uint64
	for _, x := range v {
		s += uint64(x)
	}
	return s
}
