package wasihost

import (
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/guestkit/guestkit/guestptr"
)

// The path functions. A path resolves under its directory descriptor's
// os.Root, which refuses every way out of it: ".." above it, absolute
// paths, and symbolic links whose targets lie outside (EPERM). Under an
// fs.FS mount, paths are cleaned and checked the same way, and every
// change is EROFS.

// maxPath bounds the paths the host reads: longer ones are ENAMETOOLONG,
// so that no call allocates more than this for a path.
const maxPath = 4096

// readPath reads a path from guest memory: UTF-8 (else EILSEQ), no NUL
// (else EINVAL), at most maxPath bytes, not empty (ENOENT).
func readPath(p guestptr.String) (string, Errno) {
	if p.Len() > maxPath {
		return "", ErrnoNametoolong
	}
	s, err := p.Read()
	if err != nil {
		if errnoOf(err) == ErrnoInval {
			return "", ErrnoIlseq
		}
		return "", ErrnoOf(err)
	}
	if s == "" {
		return "", ErrnoNoent
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", ErrnoInval
	}
	return s, ErrnoSuccess
}

// dirEntry returns the open directory of fd: EBADF if fd is not open,
// ENOTDIR if it is not a directory.
func (s *state) dirEntry(fd Fd) (*entry, Errno) {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return nil, errno
	}
	if e.dir == nil {
		return nil, ErrnoNotdir
	}
	return e, ErrnoSuccess
}

// dirPath reads fd's directory and a path under it.
func (s *state) dirPath(fd Fd, p guestptr.String) (*entry, string, Errno) {
	e, errno := s.dirEntry(fd)
	if errno != 0 {
		return nil, "", errno
	}
	name, errno := readPath(p)
	if errno != 0 {
		return nil, "", errno
	}
	return e, name, ErrnoSuccess
}

// under joins a path to a directory's path under its mount, lexically,
// refusing absolute paths and paths that climb out (EPERM).
func under(rel, p string) (string, Errno) {
	if path.IsAbs(p) {
		return "", ErrnoPerm
	}
	full := path.Join(rel, p)
	if full == ".." || strings.HasPrefix(full, "../") {
		return "", ErrnoPerm
	}
	return full, ErrnoSuccess
}

// fsPath is the path in an fs.FS mount of p under directory d.
func (d *dirRef) fsPath(p string) (string, Errno) {
	full, errno := under(d.rel, p)
	if errno != 0 {
		return "", errno
	}
	if strings.HasSuffix(p, "/") {
		// fs.FS paths have no trailing slash; keep its meaning of "a
		// directory" by checking below.
		fi, err := fs.Stat(d.fsys, full)
		if err != nil {
			return "", errnoOfIO(err)
		}
		if !fi.IsDir() {
			return "", ErrnoNotdir
		}
	}
	return full, ErrnoSuccess
}

// stat stats p under d, following a final symbolic link if follow.
func (d *dirRef) stat(p string, follow bool) (fs.FileInfo, Errno) {
	var fi fs.FileInfo
	var err error
	switch {
	case d.fsys != nil:
		full, errno := d.fsPath(p)
		if errno != 0 {
			return nil, errno
		}
		fi, err = fs.Stat(d.fsys, full)
	case follow:
		fi, err = d.root.Stat(p)
	default:
		fi, err = d.root.Lstat(p)
	}
	if err != nil {
		return nil, errnoOfIO(err)
	}
	return fi, ErrnoSuccess
}

// writable refuses changes under a read-only directory.
func (e *entry) writable() Errno {
	if e.readonly || e.dir.fsys != nil {
		return ErrnoRofs
	}
	return ErrnoSuccess
}

func (s *state) pathCreateDirectory(fd Fd, p guestptr.String) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	if errno := e.writable(); errno != 0 {
		return errno
	}
	return errnoOfIO(e.dir.root.Mkdir(name, 0o777))
}

func (s *state) pathFilestatGet(fd Fd, flags uint32, p guestptr.String, out guestptr.Ptr[Filestat]) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	if errno := probe(guestptr.Cast[[8]uint64](out).AsArray(1)); errno != 0 {
		return errno
	}
	fi, errno := e.dir.stat(name, Lookupflags(flags)&LookupSymlinkFollow != 0)
	if errno != 0 {
		return errno
	}
	return ErrnoOf(out.Write(filestatOf(fi)))
}

func (s *state) pathFilestatSetTimes(fd Fd, flags uint32, p guestptr.String, atim, mtim Timestamp, fst uint32) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	a, m, errno := setTimes(atim, mtim, fst, s.cfg.Now)
	if errno != 0 {
		return errno
	}
	if errno := e.writable(); errno != 0 {
		return errno
	}
	if Lookupflags(flags)&LookupSymlinkFollow == 0 {
		if fi, err := e.dir.root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return errnoOfIO(lchtimes(e.dir.root, name, a, m))
		}
	}
	if a.IsZero() && m.IsZero() {
		_, errno := e.dir.stat(name, true)
		return errno
	}
	return errnoOfIO(e.dir.root.Chtimes(name, a, m))
}

// twoDirs resolves the two directory descriptors and paths of rename and
// link. With one directory, the paths stay as given; with two under one
// host preopen, both are joined to their directories' places in it and
// the operation runs on the preopen's root.
func (s *state) twoDirs(oldFd Fd, oldP guestptr.String, newFd Fd, newP guestptr.String) (root *os.Root, oldName, newName string, errno Errno) {
	oe, oldName, errno := s.dirPath(oldFd, oldP)
	if errno != 0 {
		return nil, "", "", errno
	}
	ne, newName, errno := s.dirPath(newFd, newP)
	if errno != 0 {
		return nil, "", "", errno
	}
	if errno := oe.writable(); errno != 0 {
		return nil, "", "", errno
	}
	if errno := ne.writable(); errno != 0 {
		return nil, "", "", errno
	}
	if oe.dir.root == ne.dir.root {
		return oe.dir.root, oldName, newName, ErrnoSuccess
	}
	if oe.dir.mount != ne.dir.mount {
		return nil, "", "", ErrnoXdev
	}
	if oldName, errno = underKeepSlash(oe.dir.rel, oldName); errno != 0 {
		return nil, "", "", errno
	}
	if newName, errno = underKeepSlash(ne.dir.rel, newName); errno != 0 {
		return nil, "", "", errno
	}
	return oe.dir.mount.root, oldName, newName, ErrnoSuccess
}

// underKeepSlash is under, keeping a trailing slash.
func underKeepSlash(rel, p string) (string, Errno) {
	full, errno := under(rel, p)
	if errno == 0 && strings.HasSuffix(p, "/") && !strings.HasSuffix(full, "/") {
		full += "/"
	}
	return full, errno
}

func (s *state) pathRename(oldFd Fd, oldP guestptr.String, newFd Fd, newP guestptr.String) Errno {
	root, oldName, newName, errno := s.twoDirs(oldFd, oldP, newFd, newP)
	if errno != 0 {
		return errno
	}
	ofi, err := root.Lstat(oldName)
	if err != nil {
		return errnoOfIO(err)
	}
	if nfi, err := root.Lstat(newName); err == nil {
		switch {
		case ofi.IsDir() && !nfi.IsDir():
			return ErrnoNotdir
		case !ofi.IsDir() && nfi.IsDir():
			return ErrnoIsdir
		case ofi.IsDir() && !os.SameFile(ofi, nfi):
			// rename(2) replaces an empty directory; os.Root's Rename
			// refuses any existing one, so remove it first (ENOTEMPTY if
			// it is not empty).
			if err := root.Remove(newName); err != nil {
				return errnoOfIO(err)
			}
		}
	}
	if !ofi.IsDir() && (strings.HasSuffix(oldName, "/") || strings.HasSuffix(newName, "/")) {
		return ErrnoNotdir
	}
	return errnoOfIO(root.Rename(oldName, newName))
}

func (s *state) pathLink(oldFd Fd, flags uint32, oldP guestptr.String, newFd Fd, newP guestptr.String) Errno {
	root, oldName, newName, errno := s.twoDirs(oldFd, oldP, newFd, newP)
	if errno != 0 {
		return errno
	}
	if Lookupflags(flags)&^LookupSymlinkFollow != 0 {
		return ErrnoInval
	}
	if fi, err := root.Lstat(oldName); err == nil && fi.IsDir() {
		return ErrnoPerm
	} else if err == nil && fi.Mode()&fs.ModeSymlink != 0 && Lookupflags(flags)&LookupSymlinkFollow != 0 {
		return ErrnoInval // as wasmtime: links are made to the link itself
	}
	if strings.HasSuffix(newName, "/") || strings.HasSuffix(oldName, "/") {
		if _, err := root.Lstat(newName); err == nil {
			return ErrnoExist
		}
		return ErrnoNoent
	}
	return errnoOfIO(root.Link(oldName, newName))
}

func (s *state) pathSymlink(target guestptr.String, fd Fd, p guestptr.String) Errno {
	old, errno := readPath(target)
	if errno != 0 {
		return errno
	}
	if path.IsAbs(old) {
		return ErrnoPerm // a link out of every preopen
	}
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	if errno := e.writable(); errno != 0 {
		return errno
	}
	if strings.HasSuffix(name, "/") {
		if _, err := e.dir.root.Lstat(name); err == nil {
			return ErrnoExist
		}
		return ErrnoNoent
	}
	return errnoOfIO(e.dir.root.Symlink(old, name))
}

func (s *state) pathReadlink(fd Fd, p guestptr.String, buf guestptr.Slice[byte], bufused guestptr.Ptr[Size]) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	if e.dir.fsys != nil {
		return ErrnoInval
	}
	if errno := probe(buf); errno != 0 {
		return errno
	}
	if errno := probe(bufused.AsArray(1)); errno != 0 {
		return errno
	}
	target, err := e.dir.root.Readlink(name)
	if err != nil {
		return errnoOfIO(err)
	}
	n := min(uint64(len(target)), buf.Len())
	dst, _ := buf.Range(0, n)
	if errno := copyString(dst, target[:n]); errno != 0 {
		return errno
	}
	return ErrnoOf(bufused.Write(Size(n)))
}

func (s *state) pathRemoveDirectory(fd Fd, p guestptr.String) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	if errno := e.writable(); errno != 0 {
		return errno
	}
	fi, err := e.dir.root.Lstat(name)
	if err != nil {
		return errnoOfIO(err)
	}
	if !fi.IsDir() {
		return ErrnoNotdir
	}
	return errnoOfIO(e.dir.root.Remove(name))
}

func (s *state) pathUnlinkFile(fd Fd, p guestptr.String) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	if errno := e.writable(); errno != 0 {
		return errno
	}
	fi, err := e.dir.root.Lstat(name)
	if err != nil {
		return errnoOfIO(err)
	}
	if fi.IsDir() {
		return ErrnoIsdir
	}
	if strings.HasSuffix(name, "/") {
		return ErrnoNotdir
	}
	return errnoOfIO(e.dir.root.Remove(name))
}
