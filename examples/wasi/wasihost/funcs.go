package wasihost

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/guestkit/guestkit/guestptr"
)

// The implemented functions, with typed parameters: each pointer the guest
// passes arrives as a guestptr.Ptr, Slice or String bound to the guest's
// memory, and every access to guest memory goes through it.

// Descriptors this host knows besides preopens.
const (
	fdStdin  Fd = 0
	fdStdout Fd = 1
	fdStderr Fd = 2
)

// open reports whether fd is a standard descriptor not yet closed.
func (s *state) open(fd Fd) bool {
	return fd <= fdStderr && s.closed.Load()&(1<<fd) == 0
}

// writer returns the writer of an open output descriptor. A descriptor that
// is open but not writable is EBADF, as in wazero.
func (s *state) writer(fd Fd) (io.Writer, Errno) {
	if !s.open(fd) {
		return nil, ErrnoBadf
	}
	switch fd {
	case fdStdout:
		return s.cfg.Stdout, ErrnoSuccess
	case fdStderr:
		return s.cfg.Stderr, ErrnoSuccess
	}
	return nil, ErrnoBadf
}

// reader returns the reader of an open input descriptor.
func (s *state) reader(fd Fd) (io.Reader, Errno) {
	if fd != fdStdin || !s.open(fd) {
		return nil, ErrnoBadf
	}
	return s.cfg.Stdin, ErrnoSuccess
}

// argsSizesGet writes the number of arguments and the bytes they take,
// NULs included.
func (s *state) argsSizesGet(argc, bufSize guestptr.Ptr[Size]) Errno {
	return s.args.sizes(argc, bufSize)
}

// argsGet writes the arguments into buf and a pointer to each into argv.
func (s *state) argsGet(argv guestptr.Ptr[guestptr.Ptr[byte]], buf guestptr.Ptr[byte]) Errno {
	return s.args.get(argv, buf)
}

// environSizesGet is argsSizesGet for the environment.
func (s *state) environSizesGet(count, bufSize guestptr.Ptr[Size]) Errno {
	return s.env.sizes(count, bufSize)
}

// environGet is argsGet for the environment.
func (s *state) environGet(environ guestptr.Ptr[guestptr.Ptr[byte]], buf guestptr.Ptr[byte]) Errno {
	return s.env.get(environ, buf)
}

func (l *strs) sizes(count, bufSize guestptr.Ptr[Size]) Errno {
	if err := count.Write(Size(len(l.offsets))); err != nil {
		return ErrnoOf(err)
	}
	return ErrnoOf(bufSize.Write(Size(len(l.buf))))
}

func (l *strs) get(ptrs guestptr.Ptr[guestptr.Ptr[byte]], buf guestptr.Ptr[byte]) Errno {
	// The strings first: if they do not fit, no pointer is written either.
	if err := buf.AsArray(uint64(len(l.buf))).CopyFromSlice(l.buf); err != nil {
		return ErrnoOf(err)
	}
	out := make([]guestptr.Ptr[byte], len(l.offsets))
	for i, off := range l.offsets {
		p, err := buf.Add(off)
		if err != nil {
			return ErrnoOf(err)
		}
		out[i] = p
	}
	return ErrnoOf(ptrs.AsArray(uint64(len(out))).CopyFromSlice(out))
}

// now reads clock id in nanoseconds. The CPU-time clocks are EINVAL, as in
// wazero.
func (s *state) now(id Clockid) (int64, Errno) {
	switch id {
	case ClockRealtime:
		return s.cfg.Now().UnixNano(), ErrnoSuccess
	case ClockMonotonic:
		return s.cfg.Nanotime(), ErrnoSuccess
	}
	return 0, ErrnoInval
}

// clockTimeGet writes the time of clock id. The precision is ignored.
func (s *state) clockTimeGet(id Clockid, _ Timestamp, out guestptr.Ptr[Timestamp]) Errno {
	t, errno := s.now(id)
	if errno != 0 {
		return errno
	}
	return ErrnoOf(out.Write(Timestamp(t)))
}

// clockResGet writes the resolution of clock id.
func (s *state) clockResGet(id Clockid, out guestptr.Ptr[Timestamp]) Errno {
	switch id {
	case ClockRealtime:
		return ErrnoOf(out.Write(RealtimeResolution))
	case ClockMonotonic:
		return ErrnoOf(out.Write(MonotonicResolution))
	}
	return ErrnoInval
}

// randomGet fills buf from the random source.
func (s *state) randomGet(buf guestptr.Slice[byte]) Errno {
	_, errno := fill(buf, s.cfg.Rand, true)
	return errno
}

// Sizes of the scratch space of fd_write.
const (
	iovChunk    = 16   // iovecs read at once
	scratchSize = 4096 // bytes gathered before a write
)

// scratch is fd_write's working space, pooled: the iovecs of one chunk
// and the bytes of small buffers, gathered.
type scratch struct {
	iovs [iovChunk]Ciovec
	buf  [scratchSize]byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// fdWrite writes the buffers of iovs to fd in order and the byte count to
// nwritten. A write error is EIO; the count is then not written.
//
// Small buffers are copied out of guest memory (CopyToSlice) and gathered
// into one Write, as writev would make one write; a buffer too large to
// gather is written straight from a view of guest memory. Either way no
// call allocates. A guestptr error stops the call after the buffers before
// the faulty one are written, as wazero does.
func (s *state) fdWrite(fd Fd, iovs guestptr.Slice[Ciovec], nwritten guestptr.Ptr[Size]) Errno {
	w, errno := s.writer(fd)
	if errno != 0 {
		return errno
	}
	n := iovs.Len()
	if n > iovChunk {
		// Check the whole array lies in memory before writing anything;
		// a single chunk's CopyToSlice checks it below.
		if last, ok := iovs.Get(n - 1); !ok {
			return ErrnoFault
		} else if _, err := last.Read(); err != nil {
			return ErrnoOf(err)
		}
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	g := gather{w: w, buf: sc.buf[:]}
	for i := uint64(0); i < n; i += iovChunk {
		part, ok := iovs.Range(i, min(i+iovChunk, n))
		if !ok {
			g.flush()
			return ErrnoFault
		}
		chunk := sc.iovs[:part.Len()]
		errno := ErrnoOf(part.CopyToSlice(chunk))
		for j := 0; errno == 0 && j < len(chunk); j++ {
			errno = g.add(chunk[j].Buf)
		}
		clear(chunk) // drop the references to guest memory before pooling
		if errno != 0 {
			g.flush() // the buffers before the faulty one still go out
			return errno
		}
	}
	if errno := g.flush(); errno != 0 {
		return errno
	}
	return ErrnoOf(nwritten.Write(Size(g.total)))
}

// gather collects the bytes of small buffers in buf and writes them to w
// in one Write when buf fills or a large buffer comes.
type gather struct {
	w     io.Writer
	buf   []byte
	used  int
	total int // bytes written to w so far
}

// add writes b's bytes: gathered when they fit, else after the bytes
// gathered so far, straight from a view.
func (g *gather) add(b guestptr.Slice[byte]) Errno {
	if b.Len() > uint64(len(g.buf)-g.used) {
		if errno := g.flush(); errno != 0 {
			return errno
		}
	}
	if b.Len() <= uint64(len(g.buf)-g.used) {
		end := g.used + int(b.Len())
		if err := b.CopyToSlice(g.buf[g.used:end]); err != nil {
			return ErrnoOf(err)
		}
		g.used = end
		return ErrnoSuccess
	}
	n, errno := drain(b, g.w)
	g.total += n
	return errno
}

// flush writes the gathered bytes.
func (g *gather) flush() Errno {
	if g.used == 0 {
		return ErrnoSuccess
	}
	n, err := g.w.Write(g.buf[:g.used])
	g.used = 0
	g.total += n
	if err != nil {
		return ErrnoIo
	}
	return ErrnoSuccess
}

// fdRead reads from fd into the buffers of iovs in order, stopping at the
// first buffer not filled, and writes the byte count to nread. End of file
// is a count of 0; a read error is EIO.
func (s *state) fdRead(fd Fd, iovs guestptr.Slice[Iovec], nread guestptr.Ptr[Size]) Errno {
	r, errno := s.reader(fd)
	if errno != 0 {
		return errno
	}
	n := iovs.Len()
	if n > 0 {
		last, ok := iovs.Get(n - 1)
		if !ok {
			return ErrnoFault
		}
		if _, err := last.Read(); err != nil {
			return ErrnoOf(err)
		}
	}
	var total Size
	for i := range n {
		p, _ := iovs.Get(i)
		iov, err := p.Read()
		if err != nil {
			return ErrnoOf(err)
		}
		if iov.Buf.Len() == 0 {
			continue
		}
		got, errno := fill(iov.Buf, r, false)
		total += Size(got)
		if errno != 0 {
			return errno
		}
		if uint64(got) < iov.Buf.Len() {
			break
		}
	}
	return ErrnoOf(nread.Write(total))
}

// drain writes buf's bytes to w through a shared view: no copy. On a
// shared memory, where views are refused, it copies.
func drain(buf guestptr.Slice[byte], w io.Writer) (n int, errno Errno) {
	var werr error
	err := guestptr.WithSlice(buf, func(b []byte) error {
		n, werr = w.Write(b)
		return nil
	})
	if errors.Is(err, guestptr.ErrShared) {
		var b []byte
		if b, err = buf.ToSlice(); err == nil {
			n, werr = w.Write(b)
		}
	}
	if err != nil {
		return 0, ErrnoOf(err)
	}
	if werr != nil {
		return n, ErrnoIo
	}
	return n, ErrnoSuccess
}

// fill reads from r into buf through a mutable view: no copy. It reads
// once, or until buf is full if full is set. On a shared memory, where
// views are refused, it reads into a copy and writes that. io.EOF is no
// error.
func fill(buf guestptr.Slice[byte], r io.Reader, full bool) (n int, errno Errno) {
	read := func(b []byte) (int, error) {
		if full {
			return io.ReadFull(r, b)
		}
		return r.Read(b)
	}
	var rerr error
	err := guestptr.WithSliceMut(buf, func(b []byte) error {
		n, rerr = read(b)
		return nil
	})
	if errors.Is(err, guestptr.ErrShared) {
		var b []byte
		if b, err = buf.ToSlice(); err == nil {
			n, rerr = read(b)
			if n > 0 {
				part, _ := buf.Range(0, uint64(n))
				err = part.CopyFromSlice(b[:n])
			}
		}
	}
	if err != nil {
		return 0, ErrnoOf(err)
	}
	if rerr != nil && (full || rerr != io.EOF) {
		return n, ErrnoIo
	}
	return n, ErrnoSuccess
}

// fdClose closes a standard descriptor; it stays closed for every guest
// of the state.
func (s *state) fdClose(fd Fd) Errno {
	if !s.open(fd) {
		return ErrnoBadf
	}
	for {
		old := s.closed.Load()
		if s.closed.CompareAndSwap(old, old|1<<fd) {
			return ErrnoSuccess
		}
	}
}

// fdSeek: standard descriptors are streams, so ESPIPE, as wazero's (and
// POSIX's) seek on a pipe or terminal; an invalid whence is EINVAL first.
func (s *state) fdSeek(fd Fd, _ Filedelta, whence uint32, _ guestptr.Ptr[Filesize]) Errno {
	if !s.open(fd) {
		return ErrnoBadf
	}
	if whence > uint32(WhenceEnd) {
		return ErrnoInval
	}
	return ErrnoSpipe
}

// stdioRights are the rights of a standard descriptor: wazero's for a
// character device.
const stdioRights = RightFdDatasync | RightFdRead | RightFdFdstatSetFlags | RightFdSync |
	RightFdWrite | RightFdAdvise | RightFdAllocate | RightFdFilestatGet |
	RightFdFilestatSetSize | RightFdFilestatSetTimes | RightPollFdReadwrite

// fdFdstatGet describes a standard descriptor as a character device, as
// wazero describes stdio that is not an *os.File.
func (s *state) fdFdstatGet(fd Fd, out guestptr.Ptr[Fdstat]) Errno {
	if !s.open(fd) {
		return ErrnoBadf
	}
	return ErrnoOf(out.Write(Fdstat{
		FsFiletype:   FiletypeCharacterDevice,
		FsRightsBase: stdioRights,
	}))
}

// preopen returns the name of preopened descriptor fd.
func (s *state) preopen(fd Fd) (string, bool) {
	if fd < 3 || uint64(fd-3) >= uint64(len(s.preopens)) {
		return "", false
	}
	return s.preopens[fd-3], true
}

// fdPrestatGet describes a preopened directory. This host preopens none,
// so every descriptor is EBADF, which ends wasi-libc's preopen scan at 3.
func (s *state) fdPrestatGet(fd Fd, out guestptr.Ptr[Prestat]) Errno {
	name, ok := s.preopen(fd)
	if !ok {
		return ErrnoBadf
	}
	return ErrnoOf(out.Write(Prestat{Tag: PreopentypeDir, Dir: PrestatDir{PrNameLen: Size(len(name))}}))
}

// fdPrestatDirName writes a preopened directory's name into path. A buffer
// shorter than the name is ENAMETOOLONG.
func (s *state) fdPrestatDirName(fd Fd, path guestptr.Slice[byte]) Errno {
	name, ok := s.preopen(fd)
	if !ok {
		return ErrnoBadf
	}
	if path.Len() < uint64(len(name)) {
		return ErrnoNametoolong
	}
	dst, _ := path.Range(0, uint64(len(name)))
	return ErrnoOf(dst.CopyFromSlice([]byte(name)))
}

// sleepFor is a duration of at most the largest time.Duration.
func sleepFor(ns uint64) time.Duration {
	if ns > 1<<63-1 {
		return 1<<63 - 1
	}
	return time.Duration(ns)
}
