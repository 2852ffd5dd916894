package wasihost

import "github.com/guestkit/guestkit/guestptr"

// The WASI preview1 types this host reads and writes, declared once as Go
// types. Sizes, alignments and offsets come from package layout (wasm32):
// no offset is written by hand anywhere in this package. Enums implement
// GuestEnumCases and flags GuestFlagsMask, so a read of an invalid value
// fails (and becomes ErrnoInval).

// Size is the witx size type: a u32 byte or element count.
type Size uint32

// Fd is a file descriptor.
type Fd uint32

// Filesize is a file size or offset in bytes.
type Filesize uint64

// Filedelta is a relative file offset in bytes.
type Filedelta int64

// Timestamp is a time in nanoseconds.
type Timestamp uint64

// Userdata is a value a subscription carries to its event.
type Userdata uint64

// Exitcode is the status proc_exit reports.
type Exitcode uint32

// Clockid identifies a clock: an enum of 4 cases.
type Clockid uint32

// The clocks of preview1.
const (
	ClockRealtime         Clockid = 0 // wall-clock time
	ClockMonotonic        Clockid = 1 // time that never goes back
	ClockProcessCputimeID Clockid = 2 // CPU time of the process (unsupported)
	ClockThreadCputimeID  Clockid = 3 // CPU time of the thread (unsupported)
)

// GuestEnumCases makes Clockid a guest enum of 4 cases.
func (Clockid) GuestEnumCases() uint64 { return 4 }

// Whence is the base of an fd_seek offset: an enum of 3 cases.
type Whence uint8

// The bases of fd_seek.
const (
	WhenceSet Whence = 0 // from the start
	WhenceCur Whence = 1 // from the current offset
	WhenceEnd Whence = 2 // from the end
)

// GuestEnumCases makes Whence a guest enum of 3 cases.
func (Whence) GuestEnumCases() uint64 { return 3 }

// Filetype is the type of a file: an enum of 8 cases.
type Filetype uint8

// The file types of preview1.
const (
	FiletypeUnknown         Filetype = 0
	FiletypeBlockDevice     Filetype = 1
	FiletypeCharacterDevice Filetype = 2
	FiletypeDirectory       Filetype = 3
	FiletypeRegularFile     Filetype = 4
	FiletypeSocketDgram     Filetype = 5
	FiletypeSocketStream    Filetype = 6
	FiletypeSymbolicLink    Filetype = 7
)

// GuestEnumCases makes Filetype a guest enum of 8 cases.
func (Filetype) GuestEnumCases() uint64 { return 8 }

// Fdflags are file descriptor flags: 5 bits.
type Fdflags uint16

// The file descriptor flags of preview1.
const (
	FdflagAppend   Fdflags = 1 << 0
	FdflagDsync    Fdflags = 1 << 1
	FdflagNonblock Fdflags = 1 << 2
	FdflagRsync    Fdflags = 1 << 3
	FdflagSync     Fdflags = 1 << 4
)

// GuestFlagsMask makes Fdflags guest flags of 5 bits.
func (Fdflags) GuestFlagsMask() uint64 { return 1<<5 - 1 }

// Rights are file descriptor rights: 30 bits.
type Rights uint64

// The rights of preview1.
const (
	RightFdDatasync Rights = 1 << iota
	RightFdRead
	RightFdSeek
	RightFdFdstatSetFlags
	RightFdSync
	RightFdTell
	RightFdWrite
	RightFdAdvise
	RightFdAllocate
	RightPathCreateDirectory
	RightPathCreateFile
	RightPathLinkSource
	RightPathLinkTarget
	RightPathOpen
	RightFdReaddir
	RightPathReadlink
	RightPathRenameSource
	RightPathRenameTarget
	RightPathFilestatGet
	RightPathFilestatSetSize
	RightPathFilestatSetTimes
	RightFdFilestatGet
	RightFdFilestatSetSize
	RightFdFilestatSetTimes
	RightPathSymlink
	RightPathRemoveDirectory
	RightPathUnlinkFile
	RightPollFdReadwrite
	RightSockShutdown
	RightSockAccept
)

// GuestFlagsMask makes Rights guest flags of 30 bits.
func (Rights) GuestFlagsMask() uint64 { return 1<<30 - 1 }

// Fdstat is fd_fdstat_get's result: 24 bytes, FsFlags at 2, the rights at
// 8 and 16.
type Fdstat struct {
	FsFiletype         Filetype // the file's type
	FsFlags            Fdflags  // the descriptor's flags
	FsRightsBase       Rights   // the rights of the descriptor
	FsRightsInheriting Rights   // the rights of descriptors opened through it
}

// Ciovec is one buffer of a vectored write (fd_write): a guest (pointer,
// length) pair, buf and buf_len, which is exactly what a
// guestptr.Slice[byte] is: 8 bytes, the pointer at 0 and the length at 4.
type Ciovec struct {
	Buf guestptr.Slice[byte] // the bytes to write
}

// Iovec is one buffer of a vectored read (fd_read), laid out as Ciovec.
type Iovec struct {
	Buf guestptr.Slice[byte] // the buffer to read into
}

// Preopentype is the type of a preopened resource: an enum of 1 case.
type Preopentype uint8

// PreopentypeDir is a preopened directory, the only case.
const PreopentypeDir Preopentype = 0

// GuestEnumCases makes Preopentype a guest enum of 1 case.
func (Preopentype) GuestEnumCases() uint64 { return 1 }

// PrestatDir is the payload of a preopened directory: the length of its
// name.
type PrestatDir struct {
	PrNameLen Size // the length of the directory's name, in bytes
}

// Prestat is fd_prestat_get's result, a tagged union with a u8 tag: 8
// bytes, the payload at 4.
type Prestat struct {
	Tag Preopentype `guest:",tag"`    // the type of resource
	Dir PrestatDir  `guest:",case=0"` // when Tag is PreopentypeDir
}

// Eventtype is the type of a subscription and of its event: an enum of 3
// cases.
type Eventtype uint8

// The event types of preview1.
const (
	EventtypeClock   Eventtype = 0 // a clock passed its timeout
	EventtypeFdRead  Eventtype = 1 // a descriptor is ready to read
	EventtypeFdWrite Eventtype = 2 // a descriptor is ready to write
)

// GuestEnumCases makes Eventtype a guest enum of 3 cases.
func (Eventtype) GuestEnumCases() uint64 { return 3 }

// Subclockflags are the flags of a clock subscription: 1 bit.
type Subclockflags uint16

// SubscriptionClockAbstime makes a clock subscription's timeout an
// absolute time of its clock rather than a duration.
const SubscriptionClockAbstime Subclockflags = 1 << 0

// GuestFlagsMask makes Subclockflags guest flags of 1 bit.
func (Subclockflags) GuestFlagsMask() uint64 { return 1 }

// SubscriptionClock is the payload of a clock subscription: 32 bytes.
type SubscriptionClock struct {
	ID        Clockid       // the clock to wait on
	Timeout   Timestamp     // a duration, or with SubscriptionClockAbstime a time of the clock
	Precision Timestamp     // the slack allowed, in nanoseconds
	Flags     Subclockflags // how to read Timeout
}

// SubscriptionFdReadwrite is the payload of an fd_read or fd_write
// subscription.
type SubscriptionFdReadwrite struct {
	FD Fd // the descriptor to wait on
}

// SubscriptionU is the tagged union of a subscription's payloads: a u8 tag
// and the payload at 8, 40 bytes in all.
type SubscriptionU struct {
	Tag     Eventtype               `guest:",tag"`    // which payload holds
	Clock   SubscriptionClock       `guest:",case=0"` // when Tag is EventtypeClock
	FdRead  SubscriptionFdReadwrite `guest:",case=1"` // when Tag is EventtypeFdRead
	FdWrite SubscriptionFdReadwrite `guest:",case=2"` // when Tag is EventtypeFdWrite
}

// Subscription is one entry of poll_oneoff's input: 48 bytes.
type Subscription struct {
	Userdata Userdata      // copied to the subscription's event
	U        SubscriptionU // what to wait for
}

// Eventrwflags are the flags of an fd event: 1 bit.
type Eventrwflags uint16

// EventFdReadwriteHangup reports that the peer of a descriptor hung up.
const EventFdReadwriteHangup Eventrwflags = 1 << 0

// GuestFlagsMask makes Eventrwflags guest flags of 1 bit.
func (Eventrwflags) GuestFlagsMask() uint64 { return 1 }

// EventFdReadwrite is the fd part of an event.
type EventFdReadwrite struct {
	Nbytes Filesize     // the bytes ready to read or write; 0 if unknown
	Flags  Eventrwflags // the state of the descriptor
}

// Event is one entry of poll_oneoff's output: 32 bytes, Error at 8, Type
// at 10 and FdReadwrite at 16.
type Event struct {
	Userdata    Userdata         // the subscription's Userdata
	Error       Errno            // why the subscription could not be waited on, or ErrnoSuccess
	Type        Eventtype        // the subscription's type
	FdReadwrite EventFdReadwrite // for EventtypeFdRead and EventtypeFdWrite
}

// Device is a device ID.
type Device uint64

// Inode is a file serial number.
type Inode uint64

// Linkcount is the number of hard links of a file.
type Linkcount uint64

// Dircookie is a position in a directory: 0 is its start, and each
// entry's Next is the cookie of the entry after it.
type Dircookie uint64

// Dirnamlen is the length of a directory entry's name.
type Dirnamlen uint32

// Filestat is the result of fd_filestat_get and path_filestat_get: 64
// bytes.
type Filestat struct {
	Dev      Device    // the device holding the file
	Ino      Inode     // the file's serial number
	Filetype Filetype  // the file's type
	Nlink    Linkcount // the number of hard links to the file
	Size     Filesize  // the file's size in bytes
	Atim     Timestamp // the last access time
	Mtim     Timestamp // the last data modification time
	Ctim     Timestamp // the last status change time
}

// Dirent is the header of a directory entry as fd_readdir writes it: 24
// bytes, followed by the Namlen bytes of its name.
type Dirent struct {
	Next   Dircookie // the cookie of the next entry
	Ino    Inode     // the entry's serial number
	Namlen Dirnamlen // the length of the name that follows
	Type   Filetype  // the entry's type
}

// Fstflags say which times fd_filestat_set_times and
// path_filestat_set_times set: 4 bits.
type Fstflags uint16

// The flags of the set_times functions.
const (
	FstflagAtim    Fstflags = 1 << 0 // set the access time to the atim argument
	FstflagAtimNow Fstflags = 1 << 1 // set the access time to now
	FstflagMtim    Fstflags = 1 << 2 // set the modification time to the mtim argument
	FstflagMtimNow Fstflags = 1 << 3 // set the modification time to now
)

// Lookupflags say how a path is resolved: 1 bit.
type Lookupflags uint32

// LookupSymlinkFollow makes a path whose last component is a symbolic
// link mean the link's target.
const LookupSymlinkFollow Lookupflags = 1 << 0

// Oflags are path_open's open flags: 4 bits.
type Oflags uint16

// The open flags.
const (
	OflagCreat     Oflags = 1 << 0 // create the file if it does not exist
	OflagDirectory Oflags = 1 << 1 // fail unless the path is a directory
	OflagExcl      Oflags = 1 << 2 // with OflagCreat, fail if the file exists
	OflagTrunc     Oflags = 1 << 3 // truncate the file to size 0
)

// Advice is fd_advise's hint: an enum of 6 cases.
type Advice uint8

// Riflags are sock_recv's input flags: 2 bits.
type Riflags uint16

// The flags of sock_recv.
const (
	RiflagRecvPeek    Riflags = 1 << 0 // return the data without consuming it
	RiflagRecvWaitall Riflags = 1 << 1 // wait until every buffer is full
)

// Roflags are sock_recv's output flags: 1 bit.
type Roflags uint16

// Sdflags say which directions sock_shutdown shuts: 2 bits.
type Sdflags uint8

// The directions of sock_shutdown.
const (
	SdflagRd Sdflags = 1 << 0 // no more receiving
	SdflagWr Sdflags = 1 << 1 // no more sending
)
