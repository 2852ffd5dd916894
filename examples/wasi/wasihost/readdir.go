package wasihost

import (
	"io"
	"io/fs"
	"sync"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// readdirState is a directory's listing, read when a guest asks for
// cookie 0 and kept for the calls that continue it.
type readdirState struct {
	entries []dirent
}

// dirent is one entry of a listing.
type dirent struct {
	name string
	typ  Filetype
	ino  Inode
}

// scratchMemory is an in-process guest memory, where fd_readdir lays out
// an entry's header with guestptr before copying its bytes to the guest:
// headers in the guest's buffer follow names of any length, so they are
// not aligned, and the last one may be cut short.
type scratchMemory = *memory.Memory

// direntScratch pools the scratch memories of fd_readdir.
var direntScratch = sync.Pool{New: func() any { return memory.New(64) }}

// list reads the directory of e: ".", "..", then its entries in the
// order the system gives them.
func (e *entry) list() ([]dirent, Errno) {
	fi, errno := e.stat()
	if errno != 0 {
		return nil, errno
	}
	self := filestatOf(fi)
	out := []dirent{{name: ".", typ: FiletypeDirectory, ino: self.Ino}, {name: "..", typ: FiletypeDirectory}}
	var des []fs.DirEntry
	var err error
	switch {
	case e.f != nil:
		if _, err = e.f.Seek(0, io.SeekStart); err == nil {
			des, err = e.f.ReadDir(-1)
		}
	case e.dir != nil && e.dir.fsys != nil:
		des, err = fs.ReadDir(e.dir.fsys, e.dir.rel)
	}
	if err != nil {
		return nil, errnoOfIO(err)
	}
	for _, de := range des {
		d := dirent{name: de.Name(), typ: filetypeOf(de.Type())}
		if info, err := de.Info(); err == nil {
			st := filestatOf(info)
			d.ino = st.Ino
		}
		out = append(out, d)
	}
	return out, ErrnoSuccess
}

// fdReaddir writes directory entries from cookie on into buf, each a
// Dirent header and its name, and the bytes used into bufused. When the
// buffer ends mid-entry, the entry is written cut short and bufused is
// the buffer's length, as the preview1 spec asks: the caller then reads
// again from the last whole entry's Next with a larger buffer.
func (s *state) fdReaddir(fd Fd, buf guestptr.Slice[byte], cookie Dircookie, bufused guestptr.Ptr[Size]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.dir == nil {
		return ErrnoNotdir
	}
	if errno := probe(buf); errno != 0 {
		return errno
	}
	if errno := probe(bufused.AsArray(1)); errno != 0 {
		return errno
	}
	s.fds.mu.Lock()
	rd := e.rd
	s.fds.mu.Unlock()
	if cookie == 0 || rd == nil {
		list, errno := e.list()
		if errno != 0 {
			return errno
		}
		rd = &readdirState{entries: list}
		s.fds.mu.Lock()
		e.rd = rd
		s.fds.mu.Unlock()
	}
	if cookie > Dircookie(len(rd.entries)) {
		return ErrnoInval
	}
	sm := direntScratch.Get().(scratchMemory)
	defer direntScratch.Put(sm)
	hdr := guestptr.New[Dirent](sm, 0)
	var raw [24]byte
	used := uint64(0)
	for i := uint64(cookie); i < uint64(len(rd.entries)) && used < buf.Len(); i++ {
		d := rd.entries[i]
		if err := hdr.Write(Dirent{Next: Dircookie(i + 1), Ino: d.ino, Namlen: Dirnamlen(len(d.name)), Type: d.typ}); err != nil {
			return ErrnoOf(err)
		}
		if err := guestptr.NewSlice[byte](sm, 0, uint64(len(raw))).CopyToSlice(raw[:]); err != nil {
			return ErrnoOf(err)
		}
		n := min(uint64(len(raw)), buf.Len()-used)
		dst, _ := buf.Range(used, used+n)
		if err := dst.CopyFromSlice(raw[:n]); err != nil {
			return ErrnoOf(err)
		}
		used += n
		n = min(uint64(len(d.name)), buf.Len()-used)
		dst, _ = buf.Range(used, used+n)
		if errno := copyString(dst, d.name[:n]); errno != 0 {
			return errno
		}
		used += n
	}
	return ErrnoOf(bufused.Write(Size(used)))
}
