package wasihost

import (
	"io"
	"io/fs"
	"net"
	"os"
	"sync"
)

// entry is an open descriptor: a standard stream, a directory, a file or
// a socket.
type entry struct {
	typ Filetype

	// Standard streams.
	r io.Reader
	w io.Writer

	// A directory: its root (every path under it resolves inside it), and
	// where it lies under its preopen, for rename and link between
	// directories. f is its open handle, for stat and readdir.
	dir     *dirRef
	preopen string // the guest's name of a preopened directory, else ""

	// A file or directory handle: an *os.File or, under an fs.FS mount, an
	// fs.File.
	f  *os.File
	ff fs.File

	// Sockets: a preopened listener or an accepted connection.
	ln   net.Listener
	conn net.Conn

	base, inheriting Rights
	flags            Fdflags
	readonly         bool // the file or directory lies in a read-only mount

	rd *readdirState // fd_readdir's listing, once read
}

// dirRef is a directory: an os.Root for a host directory, or a path in an
// fs.FS. mount is the preopen it lies in and rel its path there ("." for
// the preopen itself).
type dirRef struct {
	root  *os.Root
	fsys  fs.FS
	mount *dirRef
	rel   string
}

// table holds a state's descriptors. Lookups take a read lock.
type table struct {
	mu      sync.RWMutex
	entries []*entry // by descriptor; nil where free
}

// maxFds bounds the descriptors a guest may have open.
const maxFds = 1 << 16

// get returns the open entry of fd.
func (t *table) get(fd Fd) (*entry, Errno) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if uint64(fd) >= uint64(len(t.entries)) || t.entries[fd] == nil {
		return nil, ErrnoBadf
	}
	return t.entries[fd], ErrnoSuccess
}

// add puts e at the lowest free descriptor.
func (t *table) add(e *entry) (Fd, Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, x := range t.entries {
		if x == nil {
			t.entries[i] = e
			return Fd(i), ErrnoSuccess
		}
	}
	if len(t.entries) >= maxFds {
		return 0, ErrnoNfile
	}
	t.entries = append(t.entries, e)
	return Fd(len(t.entries) - 1), ErrnoSuccess
}

// remove frees fd and returns what it held.
func (t *table) remove(fd Fd) (*entry, Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if uint64(fd) >= uint64(len(t.entries)) || t.entries[fd] == nil {
		return nil, ErrnoBadf
	}
	e := t.entries[fd]
	t.entries[fd] = nil
	return e, ErrnoSuccess
}

// renumber moves from to to, closing what to held.
func (t *table) renumber(from, to Fd) (*entry, Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := uint64(len(t.entries))
	if uint64(from) >= n || t.entries[from] == nil || uint64(to) >= n || t.entries[to] == nil {
		return nil, ErrnoBadf
	}
	if from == to {
		return nil, ErrnoSuccess
	}
	old := t.entries[to]
	t.entries[to] = t.entries[from]
	t.entries[from] = nil
	return old, ErrnoSuccess
}

// close releases what an entry holds.
func (e *entry) close() error {
	var err error
	if e.f != nil {
		err = e.f.Close()
	}
	if e.ff != nil {
		err = e.ff.Close()
	}
	if e.dir != nil && e.dir.root != nil {
		if cerr := e.dir.root.Close(); err == nil {
			err = cerr
		}
	}
	if e.ln != nil {
		err = e.ln.Close()
	}
	if e.conn != nil {
		err = e.conn.Close()
	}
	return err
}

// closeAll closes every descriptor.
func (t *table) closeAll() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var err error
	for i, e := range t.entries {
		if e != nil {
			if cerr := e.close(); err == nil {
				err = cerr
			}
			t.entries[i] = nil
		}
	}
	return err
}
