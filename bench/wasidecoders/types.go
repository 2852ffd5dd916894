// Package wasidecoders holds hand-written decoders and encoders of WASI
// preview1 types, written the way wazero's own WASI host functions
// (imports/wasi_snapshot_preview1) write them: a view of the value's
// bytes from api.Memory.Read, then encoding/binary.LittleEndian at fixed
// offsets on it. They are the worked example of bench.Checker: their
// tests check them against guestkit on inputs made from each type's
// layout and time them against guestkit in paired rounds.
//
// Two sets are here:
//
//   - Checked (ReadFdstat, WriteFdstat, ReadFilestat, WriteFilestat,
//     ReadSubscription, ReadIovecs and their Bytes forms over a plain
//     []byte memory): wazero's style with the checks guestptr makes
//     (alignment, the whole value in bounds, enums, flags and tags). They
//     agree with guestkit on every input.
//   - As wazero v1.12.0 does it (WazeroWriteFdstat, WazeroWriteFilestat,
//     WazeroPollSubscriptions, WazeroIovecs): the memory arithmetic and
//     checks of wazero's fd_fdstat_get, fd_filestat_get, poll_oneoff and
//     fd_write, rewritten to return what they decode. The checker finds
//     where they differ from guestkit; the tests pin each difference
//     down and the README (Check and time your own decoder) explains it.
//
// The types are declared for guestkit as any host would declare them.
package wasidecoders

import "fmt"

// Filetype is WASI's filetype: a u8 enum of 8 cases.
type Filetype uint8

// GuestEnumCases makes Filetype a guest enum of 8 cases.
func (Filetype) GuestEnumCases() uint64 { return 8 }

// Fdflags is WASI's fdflags: u16 flags, 5 defined bits.
type Fdflags uint16

// GuestFlagsMask makes Fdflags guest flags of 5 bits.
func (Fdflags) GuestFlagsMask() uint64 { return FdflagsMask }

// Rights is WASI's rights: u64 flags, 30 defined bits.
type Rights uint64

// GuestFlagsMask makes Rights guest flags of 30 bits.
func (Rights) GuestFlagsMask() uint64 { return RightsMask }

// Eventtype is WASI's eventtype: a u8 enum of 3 cases, the tag of a
// subscription's union.
type Eventtype uint8

// GuestEnumCases makes Eventtype a guest enum of 3 cases.
func (Eventtype) GuestEnumCases() uint64 { return 3 }

// Clockid is WASI's clockid: a u32 enum of 4 cases.
type Clockid uint32

// GuestEnumCases makes Clockid a guest enum of 4 cases.
func (Clockid) GuestEnumCases() uint64 { return 4 }

// Subclockflags is WASI's subclockflags: u16 flags, 1 defined bit.
type Subclockflags uint16

// GuestFlagsMask makes Subclockflags guest flags of 1 bit.
func (Subclockflags) GuestFlagsMask() uint64 { return 1 }

// The masks and case counts the hand-written code checks.
const (
	FiletypeCases  = 8
	FdflagsMask    = 0x1f
	RightsMask     = 1<<30 - 1
	EventtypeCases = 3
	ClockidCases   = 4
)

// Fdstat is WASI's fdstat: 24 bytes, aligned to 8 (filetype@0, flags@2,
// rights@8 and @16).
type Fdstat struct {
	Filetype         Filetype // the file's type
	Flags            Fdflags  // the descriptor's flags
	RightsBase       Rights   // the descriptor's rights
	RightsInheriting Rights   // the rights of descriptors opened through it
}

// Filestat is WASI's filestat: 64 bytes, aligned to 8; the filetype is a
// u8 at 16 followed by 7 bytes of padding.
type Filestat struct {
	Dev      uint64   // the device
	Ino      uint64   // the inode
	Filetype Filetype // the file's type
	Nlink    uint64   // the number of hard links
	Size     uint64   // the size in bytes
	Atim     uint64   // the access time, ns
	Mtim     uint64   // the modification time, ns
	Ctim     uint64   // the status change time, ns
}

// SubscriptionClock is the clock case of a subscription: 32 bytes.
type SubscriptionClock struct {
	ID        Clockid       // the clock
	Timeout   uint64        // ns, relative unless Flags has bit 0
	Precision uint64        // the slack allowed, ns
	Flags     Subclockflags // bit 0: Timeout is absolute
}

// SubscriptionFdReadwrite is the fd_read and fd_write case: 4 bytes.
type SubscriptionFdReadwrite struct {
	FileDescriptor uint32 // the descriptor waited on
}

// SubscriptionU is a subscription's tagged union: a u8 tag at 0, the case
// at 8; 40 bytes.
type SubscriptionU struct {
	Tag     Eventtype               `guest:",tag"`    // which case holds
	Clock   SubscriptionClock       `guest:",case=0"` // when Tag is 0
	FdRead  SubscriptionFdReadwrite `guest:",case=1"` // when Tag is 1
	FdWrite SubscriptionFdReadwrite `guest:",case=2"` // when Tag is 2
}

// Subscription is WASI's subscription: 48 bytes, aligned to 8.
type Subscription struct {
	Userdata uint64        // handed back in the event
	U        SubscriptionU // what to wait for
}

// Iovec is WASI's iovec and ciovec as wazero's fd_read and fd_write see
// them: a guest offset and a length, 8 bytes, aligned to 4. (A guestkit
// host would declare Buf as a guestptr.Slice[byte]; the layout is the
// same.)
type Iovec struct {
	Buf    uint32 // the offset of the bytes
	BufLen uint32 // their length
}

// Errno is a WASI errno, as the hand-written code returns its failures.
type Errno uint16

// The errnos the hand-written code returns.
const (
	EBADF  Errno = 8  // a bad file descriptor
	EFAULT Errno = 21 // the value is not (wholly, or aligned) in memory
	EINVAL Errno = 28 // a field holds an invalid value
)

// Error names the errno.
func (e Errno) Error() string {
	switch e {
	case EBADF:
		return "EBADF"
	case EFAULT:
		return "EFAULT"
	case EINVAL:
		return "EINVAL"
	}
	return fmt.Sprintf("errno %d", uint16(e))
}
