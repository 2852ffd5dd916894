package wasihost

import (
	"errors"
	"strconv"

	"github.com/guestkit/guestkit/guestptr"
)

// Errno is a WASI error number, the result of every preview1 function
// but proc_exit: an enum of 77 cases, 0 meaning success.
type Errno uint16

// GuestEnumCases makes Errno a guest enum of 77 cases.
func (Errno) GuestEnumCases() uint64 { return uint64(len(errnoNames)) }

// The error numbers of preview1, in order.
const (
	ErrnoSuccess        Errno = iota // no error
	Errno2big                        // E2BIG
	ErrnoAcces                       // EACCES
	ErrnoAddrinuse                   // EADDRINUSE
	ErrnoAddrnotavail                // EADDRNOTAVAIL
	ErrnoAfnosupport                 // EAFNOSUPPORT
	ErrnoAgain                       // EAGAIN
	ErrnoAlready                     // EALREADY
	ErrnoBadf                        // EBADF
	ErrnoBadmsg                      // EBADMSG
	ErrnoBusy                        // EBUSY
	ErrnoCanceled                    // ECANCELED
	ErrnoChild                       // ECHILD
	ErrnoConnaborted                 // ECONNABORTED
	ErrnoConnrefused                 // ECONNREFUSED
	ErrnoConnreset                   // ECONNRESET
	ErrnoDeadlk                      // EDEADLK
	ErrnoDestaddrreq                 // EDESTADDRREQ
	ErrnoDom                         // EDOM
	ErrnoDquot                       // EDQUOT
	ErrnoExist                       // EEXIST
	ErrnoFault                       // EFAULT
	ErrnoFbig                        // EFBIG
	ErrnoHostunreach                 // EHOSTUNREACH
	ErrnoIdrm                        // EIDRM
	ErrnoIlseq                       // EILSEQ
	ErrnoInprogress                  // EINPROGRESS
	ErrnoIntr                        // EINTR
	ErrnoInval                       // EINVAL
	ErrnoIo                          // EIO
	ErrnoIsconn                      // EISCONN
	ErrnoIsdir                       // EISDIR
	ErrnoLoop                        // ELOOP
	ErrnoMfile                       // EMFILE
	ErrnoMlink                       // EMLINK
	ErrnoMsgsize                     // EMSGSIZE
	ErrnoMultihop                    // EMULTIHOP
	ErrnoNametoolong                 // ENAMETOOLONG
	ErrnoNetdown                     // ENETDOWN
	ErrnoNetreset                    // ENETRESET
	ErrnoNetunreach                  // ENETUNREACH
	ErrnoNfile                       // ENFILE
	ErrnoNobufs                      // ENOBUFS
	ErrnoNodev                       // ENODEV
	ErrnoNoent                       // ENOENT
	ErrnoNoexec                      // ENOEXEC
	ErrnoNolck                       // ENOLCK
	ErrnoNolink                      // ENOLINK
	ErrnoNomem                       // ENOMEM
	ErrnoNomsg                       // ENOMSG
	ErrnoNoprotoopt                  // ENOPROTOOPT
	ErrnoNospc                       // ENOSPC
	ErrnoNosys                       // ENOSYS
	ErrnoNotconn                     // ENOTCONN
	ErrnoNotdir                      // ENOTDIR
	ErrnoNotempty                    // ENOTEMPTY
	ErrnoNotrecoverable              // ENOTRECOVERABLE
	ErrnoNotsock                     // ENOTSOCK
	ErrnoNotsup                      // ENOTSUP
	ErrnoNotty                       // ENOTTY
	ErrnoNxio                        // ENXIO
	ErrnoOverflow                    // EOVERFLOW
	ErrnoOwnerdead                   // EOWNERDEAD
	ErrnoPerm                        // EPERM
	ErrnoPipe                        // EPIPE
	ErrnoProto                       // EPROTO
	ErrnoProtonosupport              // EPROTONOSUPPORT
	ErrnoPrototype                   // EPROTOTYPE
	ErrnoRange                       // ERANGE
	ErrnoRofs                        // EROFS
	ErrnoSpipe                       // ESPIPE
	ErrnoSrch                        // ESRCH
	ErrnoStale                       // ESTALE
	ErrnoTimedout                    // ETIMEDOUT
	ErrnoTxtbsy                      // ETXTBSY
	ErrnoXdev                        // EXDEV
	ErrnoNotcapable                  // ENOTCAPABLE
)

var errnoNames = [...]string{
	"ESUCCESS",
	"E2BIG",
	"EACCES",
	"EADDRINUSE",
	"EADDRNOTAVAIL",
	"EAFNOSUPPORT",
	"EAGAIN",
	"EALREADY",
	"EBADF",
	"EBADMSG",
	"EBUSY",
	"ECANCELED",
	"ECHILD",
	"ECONNABORTED",
	"ECONNREFUSED",
	"ECONNRESET",
	"EDEADLK",
	"EDESTADDRREQ",
	"EDOM",
	"EDQUOT",
	"EEXIST",
	"EFAULT",
	"EFBIG",
	"EHOSTUNREACH",
	"EIDRM",
	"EILSEQ",
	"EINPROGRESS",
	"EINTR",
	"EINVAL",
	"EIO",
	"EISCONN",
	"EISDIR",
	"ELOOP",
	"EMFILE",
	"EMLINK",
	"EMSGSIZE",
	"EMULTIHOP",
	"ENAMETOOLONG",
	"ENETDOWN",
	"ENETRESET",
	"ENETUNREACH",
	"ENFILE",
	"ENOBUFS",
	"ENODEV",
	"ENOENT",
	"ENOEXEC",
	"ENOLCK",
	"ENOLINK",
	"ENOMEM",
	"ENOMSG",
	"ENOPROTOOPT",
	"ENOSPC",
	"ENOSYS",
	"ENOTCONN",
	"ENOTDIR",
	"ENOTEMPTY",
	"ENOTRECOVERABLE",
	"ENOTSOCK",
	"ENOTSUP",
	"ENOTTY",
	"ENXIO",
	"EOVERFLOW",
	"EOWNERDEAD",
	"EPERM",
	"EPIPE",
	"EPROTO",
	"EPROTONOSUPPORT",
	"EPROTOTYPE",
	"ERANGE",
	"EROFS",
	"ESPIPE",
	"ESRCH",
	"ESTALE",
	"ETIMEDOUT",
	"ETXTBSY",
	"EXDEV",
	"ENOTCAPABLE",
}

// String returns the errno's C name, as in "EBADF", or "errno(N)" for a
// value outside the enum.
func (e Errno) String() string {
	if int(e) < len(errnoNames) {
		return errnoNames[e]
	}
	return "errno(" + strconv.Itoa(int(e)) + ")"
}

// Error makes a nonzero Errno an error.
func (e Errno) Error() string { return e.String() }

// ErrnoOf maps an error from package guestptr to the errno a guest sees:
//
//   - ErrOutOfBounds, ErrOverflow, ErrMisaligned: EFAULT. The guest passed
//     an address its memory cannot serve as the type asks.
//   - ErrBorrowed: EFAULT. Regions of one call conflict (this host never
//     holds two views at once, so a guest cannot cause it).
//   - ErrInvalidEnum, ErrInvalidFlags, ErrInvalidTag, ErrInvalidBool,
//     ErrInvalidUTF8: EINVAL. The bytes are there but are not a valid value.
//   - ErrValueRange: EOVERFLOW. A result does not fit its guest field.
//   - An Errno is itself; nil is ESUCCESS; anything else is EIO.
func ErrnoOf(err error) Errno {
	if err == nil {
		return ErrnoSuccess
	}
	return errnoOf(err)
}

// errnoOf maps a non-nil error; apart so that ErrnoOf(nil) allocates
// nothing.
func errnoOf(err error) Errno {
	var e Errno
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, guestptr.ErrOutOfBounds),
		errors.Is(err, guestptr.ErrOverflow),
		errors.Is(err, guestptr.ErrMisaligned),
		errors.Is(err, guestptr.ErrBorrowed):
		return ErrnoFault
	case errors.Is(err, guestptr.ErrInvalidEnum),
		errors.Is(err, guestptr.ErrInvalidFlags),
		errors.Is(err, guestptr.ErrInvalidTag),
		errors.Is(err, guestptr.ErrInvalidBool),
		errors.Is(err, guestptr.ErrInvalidUTF8):
		return ErrnoInval
	case errors.Is(err, guestptr.ErrValueRange):
		return ErrnoOverflow
	}
	return ErrnoIo
}
