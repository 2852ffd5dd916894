package wasihost

import (
	"io/fs"
	"os"
	"path"

	"github.com/guestkit/guestkit/guestptr"
)

// writeRights are the rights that need a file opened for writing.
const writeRights = RightFdWrite | RightFdAllocate | RightFdFilestatSetSize | RightFdDatasync

// pathOpen opens path under directory fd and writes the new descriptor.
//
// The file is opened for writing when the rights ask for writing (as
// wasi-libc's open(2) asks), else read-only; a directory is always opened
// read-only. OflagDirectory fails with ENOTDIR on anything but a
// directory; without LookupSymlinkFollow a final symbolic link is ELOOP
// (ENOTDIR with OflagDirectory). The new descriptor's rights are those
// asked for, within its directory's inheriting rights and what its type
// allows.
func (s *state) pathOpen(fd Fd, dirflags uint32, p guestptr.String, oflags uint32, base, inheriting Rights, fdflags uint32, out guestptr.Ptr[Fd]) Errno {
	e, name, errno := s.dirPath(fd, p)
	if errno != 0 {
		return errno
	}
	of, ff := Oflags(oflags), Fdflags(fdflags)
	if uint32(of) != oflags || of&^0xf != 0 || uint32(ff) != fdflags || ff&^0x1f != 0 ||
		Lookupflags(dirflags)&^LookupSymlinkFollow != 0 {
		return ErrnoInval
	}
	if errno := probe(out.AsArray(1)); errno != 0 {
		return errno
	}
	if of&OflagTrunc != 0 && e.base&RightPathFilestatSetSize == 0 ||
		of&OflagCreat != 0 && e.base&RightPathCreateFile == 0 {
		return ErrnoNotcapable
	}
	follow := Lookupflags(dirflags)&LookupSymlinkFollow != 0
	ne, errno := s.open(e, name, follow, of, base&e.inheriting, inheriting&e.inheriting, ff)
	if errno != 0 {
		return errno
	}
	nfd, errno := s.fds.add(ne)
	if errno != 0 {
		_ = ne.close()
		return errno
	}
	return ErrnoOf(out.Write(nfd))
}

// open opens name under directory e.
func (s *state) open(e *entry, name string, follow bool, of Oflags, base, inheriting Rights, ff Fdflags) (*entry, Errno) {
	write := base&writeRights != 0 || of&OflagTrunc != 0 || ff&FdflagAppend != 0
	if of&OflagDirectory != 0 && of&(OflagCreat|OflagTrunc) != 0 {
		return nil, ErrnoInval
	}
	if e.dir.fsys != nil {
		return s.openFS(e, name, of, base, inheriting, ff, write)
	}
	root := e.dir.root
	// What is there now: a symbolic link not to follow, or a directory.
	fi, lerr := root.Lstat(name)
	if lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if !follow {
			if of&OflagCreat != 0 && of&OflagExcl != 0 {
				return nil, ErrnoExist
			}
			if of&OflagDirectory != 0 {
				return nil, ErrnoNotdir
			}
			return nil, ErrnoLoop
		}
		fi, lerr = root.Stat(name)
	}
	if lerr == nil && of&OflagCreat != 0 && of&OflagExcl != 0 {
		return nil, ErrnoExist
	}
	if lerr == nil && fi.IsDir() {
		if of&OflagTrunc != 0 || (write && base&RightFdWrite != 0) {
			return nil, ErrnoIsdir
		}
		return s.openDir(e, name, base, inheriting, ff)
	}
	if of&OflagDirectory != 0 {
		if lerr != nil {
			return nil, errnoOfIO(lerr)
		}
		return nil, ErrnoNotdir
	}
	if e.readonly && (write || of&OflagCreat != 0) {
		return nil, ErrnoRofs
	}
	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR
		if base&(RightFdRead|RightFdReaddir) == 0 {
			flag = os.O_WRONLY
		}
	}
	if of&OflagCreat != 0 {
		flag |= os.O_CREATE
	}
	if of&OflagExcl != 0 {
		flag |= os.O_EXCL
	}
	if of&OflagTrunc != 0 {
		flag |= os.O_TRUNC
	}
	if ff&FdflagAppend != 0 {
		flag |= os.O_APPEND
	}
	f, err := root.OpenFile(name, flag, 0o666)
	if err != nil {
		return nil, errnoOfIO(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, errnoOfIO(err)
	}
	if st.IsDir() { // replaced by a directory since the Lstat
		f.Close()
		return s.openDir(e, name, base, inheriting, ff)
	}
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		base &^= writeRights
	}
	if flag&os.O_WRONLY != 0 {
		base &^= RightFdRead
	}
	return &entry{typ: filetypeOf(st.Mode()), f: f, base: base & fileRights, inheriting: inheriting & fileRights,
		flags: ff, readonly: e.readonly}, ErrnoSuccess
}

// openDir opens directory name under e as a directory descriptor.
func (s *state) openDir(e *entry, name string, base, inheriting Rights, ff Fdflags) (*entry, Errno) {
	sub, err := e.dir.root.OpenRoot(name)
	if err != nil {
		return nil, errnoOfIO(err)
	}
	f, err := sub.Open(".")
	if err != nil {
		sub.Close()
		return nil, errnoOfIO(err)
	}
	rel, errno := under(e.dir.rel, name)
	if errno != 0 {
		rel = "." // only rename and link across directories use it
	}
	return &entry{typ: FiletypeDirectory, dir: &dirRef{root: sub, mount: e.dir.mount, rel: rel}, f: f,
		base: base & dirRights, inheriting: inheriting, flags: ff, readonly: e.readonly}, ErrnoSuccess
}

// openFS opens name under a directory of an fs.FS mount, read-only.
func (s *state) openFS(e *entry, name string, of Oflags, base, inheriting Rights, ff Fdflags, write bool) (*entry, Errno) {
	full, errno := e.dir.fsPath(name)
	if errno != 0 {
		return nil, errno
	}
	fi, err := fs.Stat(e.dir.fsys, full)
	switch {
	case err != nil && of&OflagCreat != 0:
		return nil, ErrnoRofs
	case err != nil:
		return nil, errnoOfIO(err)
	case of&OflagCreat != 0 && of&OflagExcl != 0:
		return nil, ErrnoExist
	case of&OflagDirectory != 0 && !fi.IsDir():
		return nil, ErrnoNotdir
	case write && fi.IsDir() && base&RightFdWrite != 0:
		return nil, ErrnoIsdir
	case write:
		return nil, ErrnoRofs
	}
	f, err := e.dir.fsys.Open(full)
	if err != nil {
		return nil, errnoOfIO(err)
	}
	if fi.IsDir() {
		return &entry{typ: FiletypeDirectory, dir: &dirRef{fsys: e.dir.fsys, mount: e.dir.mount, rel: path.Clean(full)}, ff: f,
			base: base & dirRights, inheriting: inheriting, flags: ff, readonly: true}, ErrnoSuccess
	}
	return &entry{typ: filetypeOf(fi.Mode()), ff: f, base: base & fileRights &^ writeRights, inheriting: inheriting & fileRights,
		flags: ff, readonly: true}, ErrnoSuccess
}
