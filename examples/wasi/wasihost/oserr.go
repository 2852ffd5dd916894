package wasihost

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// errnoOfIO maps an error of the host's file system or streams to the
// errno wasi-libc expects: the system's error number where there is one
// (ENOENT for a missing file, EEXIST, ENOTDIR, EISDIR, ELOOP, ENOTEMPTY,
// ...), ENOTCAPABLE for a path that would leave its preopen, else EIO.
func errnoOfIO(err error) Errno {
	if err == nil {
		return ErrnoSuccess
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		if e, ok := sysErrnos[se]; ok {
			return e
		}
		return ErrnoIo
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
		// os.Root's "path escapes from parent".
		return ErrnoPerm
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrnoNoent
	case errors.Is(err, fs.ErrExist):
		return ErrnoExist
	case errors.Is(err, fs.ErrPermission):
		return ErrnoAcces
	case errors.Is(err, fs.ErrInvalid), errors.Is(err, os.ErrClosed):
		return ErrnoBadf
	}
	return ErrnoIo
}

// sysErrnos maps the system's error numbers to WASI's.
var sysErrnos = map[syscall.Errno]Errno{
	syscall.E2BIG: Errno2big, syscall.EACCES: ErrnoAcces, syscall.EADDRINUSE: ErrnoAddrinuse,
	syscall.EADDRNOTAVAIL: ErrnoAddrnotavail, syscall.EAFNOSUPPORT: ErrnoAfnosupport,
	syscall.EAGAIN: ErrnoAgain, syscall.EALREADY: ErrnoAlready, syscall.EBADF: ErrnoBadf,
	syscall.EBUSY: ErrnoBusy, syscall.ECANCELED: ErrnoCanceled, syscall.ECONNABORTED: ErrnoConnaborted,
	syscall.ECONNREFUSED: ErrnoConnrefused, syscall.ECONNRESET: ErrnoConnreset,
	syscall.EDEADLK: ErrnoDeadlk, syscall.EDQUOT: ErrnoDquot, syscall.EEXIST: ErrnoExist,
	syscall.EFAULT: ErrnoFault, syscall.EFBIG: ErrnoFbig, syscall.EINTR: ErrnoIntr,
	syscall.EINVAL: ErrnoInval, syscall.EIO: ErrnoIo, syscall.EISCONN: ErrnoIsconn,
	syscall.EISDIR: ErrnoIsdir, syscall.ELOOP: ErrnoLoop, syscall.EMFILE: ErrnoMfile,
	syscall.EMLINK: ErrnoMlink, syscall.ENAMETOOLONG: ErrnoNametoolong, syscall.ENFILE: ErrnoNfile,
	syscall.ENODEV: ErrnoNodev, syscall.ENOENT: ErrnoNoent, syscall.ENOMEM: ErrnoNomem,
	syscall.ENOSPC: ErrnoNospc, syscall.ENOSYS: ErrnoNosys, syscall.ENOTCONN: ErrnoNotconn,
	syscall.ENOTDIR: ErrnoNotdir, syscall.ENOTEMPTY: ErrnoNotempty, syscall.ENOTSOCK: ErrnoNotsock,
	syscall.ENOTSUP: ErrnoNotsup, syscall.ENOTTY: ErrnoNotty, syscall.ENXIO: ErrnoNxio,
	syscall.EPERM: ErrnoPerm, syscall.EPIPE: ErrnoPipe, syscall.ERANGE: ErrnoRange,
	syscall.EROFS: ErrnoRofs, syscall.ESPIPE: ErrnoSpipe, syscall.ETIMEDOUT: ErrnoTimedout,
	syscall.ETXTBSY: ErrnoTxtbsy, syscall.EXDEV: ErrnoXdev, syscall.EOVERFLOW: ErrnoOverflow,
}
