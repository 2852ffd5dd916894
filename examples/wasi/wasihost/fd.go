package wasihost

import (
	"io"
	"math"

	"github.com/guestkit/guestkit/guestptr"
)

// The descriptor functions that do not move data: close, renumber,
// fdstat, filestat, seek and tell, sync, advise, allocate and prestat.

// The rights of each kind of descriptor. A descriptor opened with
// path_open gets the rights it asks for, within these and the inheriting
// rights of its directory.
const (
	// stdioRights are the rights of a standard descriptor: wazero's for a
	// character device.
	stdioRights = RightFdDatasync | RightFdRead | RightFdFdstatSetFlags | RightFdSync |
		RightFdWrite | RightFdAdvise | RightFdAllocate | RightFdFilestatGet |
		RightFdFilestatSetSize | RightFdFilestatSetTimes | RightPollFdReadwrite
	fileRights = RightFdDatasync | RightFdRead | RightFdSeek | RightFdFdstatSetFlags |
		RightFdSync | RightFdTell | RightFdWrite | RightFdAdvise | RightFdAllocate |
		RightFdFilestatGet | RightFdFilestatSetSize | RightFdFilestatSetTimes | RightPollFdReadwrite
	dirRights = RightFdFdstatSetFlags | RightFdSync | RightFdAdvise | RightPathCreateDirectory |
		RightPathCreateFile | RightPathLinkSource | RightPathLinkTarget | RightPathOpen |
		RightFdReaddir | RightPathReadlink | RightPathRenameSource | RightPathRenameTarget |
		RightPathFilestatGet | RightPathFilestatSetSize | RightPathFilestatSetTimes |
		RightFdFilestatGet | RightFdFilestatSetTimes | RightPathSymlink |
		RightPathRemoveDirectory | RightPathUnlinkFile
	sockRights = RightFdRead | RightFdWrite | RightFdFdstatSetFlags | RightFdFilestatGet |
		RightPollFdReadwrite | RightSockShutdown | RightSockAccept
)

// fdClose closes a descriptor. Standard descriptors and preopens close
// too; later use is EBADF.
func (s *state) fdClose(fd Fd) Errno {
	e, errno := s.fds.remove(fd)
	if errno != 0 {
		return errno
	}
	_ = e.close()
	return ErrnoSuccess
}

// fdRenumber moves descriptor from to to, closing what to held; both must
// be open.
func (s *state) fdRenumber(from, to Fd) Errno {
	old, errno := s.fds.renumber(from, to)
	if errno == 0 && old != nil {
		_ = old.close()
	}
	return errno
}

// fdFdstatGet describes a descriptor: its type, flags and rights.
func (s *state) fdFdstatGet(fd Fd, out guestptr.Ptr[Fdstat]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	return ErrnoOf(out.Write(Fdstat{
		FsFiletype:         e.typ,
		FsFlags:            e.flags,
		FsRightsBase:       e.base,
		FsRightsInheriting: e.inheriting,
	}))
}

// fdFdstatSetFlags sets a descriptor's flags. Only FdflagAppend changes
// anything; the others are kept but ignored. Nonblocking standard streams
// are ENOSYS, as in wazero for streams that are not files.
func (s *state) fdFdstatSetFlags(fd Fd, flags uint32) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	f := Fdflags(flags)
	if uint32(f) != flags || f&^Fdflags(f.GuestFlagsMask()) != 0 {
		return ErrnoInval
	}
	if (e.r != nil || e.w != nil) && f&FdflagNonblock != 0 {
		return ErrnoNosys // as wazero, for streams that are not files
	}
	if e.f != nil && e.typ == FiletypeRegularFile && (e.flags^f)&FdflagAppend != 0 {
		if err := setAppend(e.f, f&FdflagAppend != 0); err != nil {
			return errnoOfIO(err)
		}
	}
	s.fds.mu.Lock()
	e.flags = f
	s.fds.mu.Unlock()
	return ErrnoSuccess
}

// fdFdstatSetRights drops rights of a descriptor; asking for rights it
// does not have is ENOTCAPABLE.
func (s *state) fdFdstatSetRights(fd Fd, base, inheriting Rights) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	s.fds.mu.Lock()
	defer s.fds.mu.Unlock()
	if base&^e.base != 0 || inheriting&^e.inheriting != 0 {
		return ErrnoNotcapable
	}
	e.base, e.inheriting = base, inheriting
	return ErrnoSuccess
}

// fdFilestatGet describes the file of a descriptor. A standard stream is
// a character device with no other attributes, as in wazero.
func (s *state) fdFilestatGet(fd Fd, out guestptr.Ptr[Filestat]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.f == nil && e.ff == nil {
		return ErrnoOf(out.Write(Filestat{Filetype: e.typ}))
	}
	if errno := probe(guestptr.Cast[[8]uint64](out).AsArray(1)); errno != 0 {
		return errno
	}
	fi, errno := e.stat()
	if errno != 0 {
		return errno
	}
	return ErrnoOf(out.Write(filestatOf(fi)))
}

// fdFilestatSetSize truncates or extends a file.
func (s *state) fdFilestatSetSize(fd Fd, size Filesize) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	switch {
	case e.typ == FiletypeDirectory:
		return ErrnoIsdir
	case e.f == nil || e.base&RightFdFilestatSetSize == 0 || e.readonly:
		return ErrnoBadf
	case size > math.MaxInt64:
		return ErrnoFbig
	}
	return errnoOfIO(e.f.Truncate(int64(size)))
}

// fdFilestatSetTimes sets a file's access and modification times.
func (s *state) fdFilestatSetTimes(fd Fd, atim, mtim Timestamp, flags uint32) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	a, m, errno := setTimes(atim, mtim, flags, s.cfg.Now)
	if errno != 0 {
		return errno
	}
	if e.f == nil {
		return ErrnoBadf
	}
	if e.readonly {
		return ErrnoRofs
	}
	if a.IsZero() && m.IsZero() {
		return ErrnoSuccess
	}
	return errnoOfIO(fileChtimes(e.f, a, m))
}

// fdSeek moves a file's offset and writes the new one. Streams and
// sockets are ESPIPE, directories EBADF.
func (s *state) fdSeek(fd Fd, offset Filedelta, whence uint32, out guestptr.Ptr[Filesize]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if whence > uint32(WhenceEnd) {
		return ErrnoInval
	}
	if e.typ == FiletypeDirectory {
		return ErrnoBadf
	}
	var sk io.Seeker
	switch {
	case e.f != nil:
		sk = e.f
	case e.ff != nil:
		x, ok := e.ff.(io.Seeker)
		if !ok {
			return ErrnoSpipe
		}
		sk = x
	default:
		return ErrnoSpipe
	}
	if errno := probe(out.AsArray(1)); errno != 0 {
		return errno
	}
	pos, err := sk.Seek(int64(offset), int(whence))
	if err != nil {
		return errnoOfIO(err)
	}
	return ErrnoOf(out.Write(Filesize(pos)))
}

// fdTell writes a file's offset.
func (s *state) fdTell(fd Fd, out guestptr.Ptr[Filesize]) Errno {
	return s.fdSeek(fd, 0, uint32(WhenceCur), out)
}

// fdSync and fdDatasync flush a file to storage.
func (s *state) fdSync(fd Fd) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.f == nil {
		if e.ff != nil {
			return ErrnoSuccess
		}
		return ErrnoInval
	}
	if e.typ == FiletypeDirectory || e.readonly {
		return ErrnoSuccess
	}
	return errnoOfIO(e.f.Sync())
}

// fdAdvise checks the advice and ignores it.
func (s *state) fdAdvise(fd Fd, _, _ Filesize, advice uint32) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if advice > 5 {
		return ErrnoInval
	}
	if e.typ == FiletypeDirectory {
		return ErrnoBadf
	}
	return ErrnoSuccess
}

// fdAllocate is ENOTSUP, as in wazero and wasmtime: wasi-libc's
// posix_fallocate has no portable meaning to give it.
func (s *state) fdAllocate(fd Fd, _, _ Filesize) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.typ == FiletypeDirectory {
		return ErrnoBadf
	}
	return ErrnoNotsup
}

// fdPrestatGet describes a preopened directory: the length of its name.
// Any other descriptor is EBADF, which ends wasi-libc's preopen scan.
func (s *state) fdPrestatGet(fd Fd, out guestptr.Ptr[Prestat]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.preopen == "" {
		return ErrnoBadf
	}
	return ErrnoOf(out.Write(Prestat{Tag: PreopentypeDir, Dir: PrestatDir{PrNameLen: Size(len(e.preopen))}}))
}

// fdPrestatDirName writes a preopened directory's name into path. A buffer
// shorter than the name is ENAMETOOLONG.
func (s *state) fdPrestatDirName(fd Fd, path guestptr.Slice[byte]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.preopen == "" {
		return ErrnoBadf
	}
	if path.Len() < uint64(len(e.preopen)) {
		return ErrnoNametoolong
	}
	dst, _ := path.Range(0, uint64(len(e.preopen)))
	return copyString(dst, e.preopen)
}
