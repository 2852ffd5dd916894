package wasihost

import (
	"errors"
	"io"
	"math"
	"sync"

	"github.com/guestkit/guestkit/guestptr"
)

// fd_read, fd_write, fd_pread and fd_pwrite: vectored I/O between guest
// buffers and a descriptor. Each checks every iovec, every buffer and the
// count's place before it moves a byte, and refuses with EINVAL buffers
// whose lengths add up past what the u32 count can hold. The iovec array
// is read in chunks of iovChunk, so no call allocates in proportion to the
// guest's counts or lengths.

// Sizes of the scratch space of fd_write.
const (
	iovChunk    = 16   // iovecs read at once
	scratchSize = 4096 // bytes gathered before a write
)

// scratch is the working space of vectored I/O, pooled: the iovecs of one
// chunk and the bytes of small buffers, gathered.
type scratch struct {
	iovs [iovChunk]Ciovec
	buf  [scratchSize]byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// ciovecs sees an iovec array as a ciovec array: the two have one layout.
func ciovecs(iovs guestptr.Slice[Iovec]) guestptr.Slice[Ciovec] {
	return guestptr.Cast[Ciovec](iovs.Ptr()).AsArray(iovs.Len())
}

// eachBuf calls f with each buffer of iovs in order, reading the array
// iovChunk iovecs at a time into sc, and stops at f's first errno.
func eachBuf(iovs guestptr.Slice[Ciovec], sc *scratch, f func(guestptr.Slice[byte]) Errno) Errno {
	n := iovs.Len()
	for i := uint64(0); i < n; i += iovChunk {
		part, ok := iovs.Range(i, min(i+iovChunk, n))
		if !ok {
			return ErrnoFault
		}
		chunk := sc.iovs[:part.Len()]
		errno := ErrnoOf(part.CopyToSlice(chunk))
		for j := 0; errno == 0 && j < len(chunk); j++ {
			errno = f(chunk[j].Buf)
		}
		clear(chunk) // drop the references to guest memory before pooling
		if errno != 0 {
			return errno
		}
	}
	return ErrnoSuccess
}

// checkIovecs checks, writing nothing, that every iovec lies in memory,
// that the buffers' lengths add up to at most the largest u32, that
// count can be written, and, if fills is set (the buffers are to be
// written), that every buffer lies in memory. When the array fits one
// chunk it is left in sc.iovs and checkIovecs returns it, so the caller
// reads it once.
func checkIovecs(iovs guestptr.Slice[Ciovec], count guestptr.Ptr[Size], sc *scratch, fills bool) ([]Ciovec, Errno) {
	if errno := probe(count.AsArray(1)); errno != 0 {
		return nil, errno
	}
	var total uint64
	check := func(b guestptr.Slice[byte]) Errno {
		total += b.Len()
		if total > math.MaxUint32 {
			return ErrnoInval
		}
		if fills {
			return probeBytes(b)
		}
		return ErrnoSuccess
	}
	if n := iovs.Len(); n <= iovChunk {
		chunk := sc.iovs[:n]
		if err := iovs.CopyToSlice(chunk); err != nil {
			return nil, ErrnoOf(err)
		}
		for _, iov := range chunk {
			if errno := check(iov.Buf); errno != 0 {
				return nil, errno
			}
		}
		return chunk, ErrnoSuccess
	}
	if errno := probe(iovs); errno != 0 {
		return nil, errno
	}
	return nil, eachBuf(iovs, sc, check)
}

// probeBytes checks, writing nothing, that b lies in memory: bytes need
// no alignment, so its last byte is enough.
func probeBytes(b guestptr.Slice[byte]) Errno {
	if b.Len() == 0 {
		return ErrnoSuccess
	}
	last, ok := b.Get(b.Len() - 1)
	if !ok {
		return ErrnoFault
	}
	_, err := last.Read()
	return ErrnoOf(err)
}

// forBufs calls f with each buffer: those of chunk if checkIovecs
// returned one, else those of iovs, read again chunk by chunk.
func forBufs(iovs guestptr.Slice[Ciovec], chunk []Ciovec, sc *scratch, f func(guestptr.Slice[byte]) Errno) Errno {
	if chunk == nil && iovs.Len() > 0 {
		return eachBuf(iovs, sc, f)
	}
	for _, iov := range chunk {
		if errno := f(iov.Buf); errno != 0 {
			clear(chunk)
			return errno
		}
	}
	clear(chunk) // drop the references to guest memory before pooling
	return ErrnoSuccess
}

// writer returns where fd_write writes for e.
func (e *entry) writer() (io.Writer, Errno) {
	switch {
	case e.w != nil:
		return e.w, ErrnoSuccess
	case e.conn != nil:
		return e.conn, ErrnoSuccess
	case e.f != nil && e.typ != FiletypeDirectory && e.base&RightFdWrite != 0:
		return e.f, ErrnoSuccess
	case e.typ == FiletypeDirectory:
		return nil, ErrnoIsdir
	}
	return nil, ErrnoBadf
}

// reader returns what fd_read reads for e.
func (e *entry) reader() (io.Reader, Errno) {
	switch {
	case e.r != nil:
		return e.r, ErrnoSuccess
	case e.conn != nil:
		return e.conn, ErrnoSuccess
	case e.typ == FiletypeDirectory:
		return nil, ErrnoIsdir
	case e.base&RightFdRead == 0:
		return nil, ErrnoBadf
	case e.f != nil:
		return e.f, ErrnoSuccess
	case e.ff != nil:
		return e.ff, ErrnoSuccess
	}
	return nil, ErrnoBadf
}

// fdWrite writes the buffers of iovs to fd in order and the byte count to
// nwritten. A write error is EIO; the count is then not written.
//
// Small buffers are copied out of guest memory (CopyToSlice) and gathered
// into one Write, as writev would make one write; a buffer too large to
// gather is written straight from a view of guest memory. Either way no
// call allocates.
func (s *state) fdWrite(fd Fd, iovs guestptr.Slice[Ciovec], nwritten guestptr.Ptr[Size]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	w, errno := e.writer()
	if errno != 0 {
		return errno
	}
	return writeIovecs(w, iovs, nwritten)
}

// writeIovecs is fd_write to w.
func writeIovecs(w io.Writer, iovs guestptr.Slice[Ciovec], nwritten guestptr.Ptr[Size]) Errno {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	chunk, errno := checkIovecs(iovs, nwritten, sc, false)
	if errno != 0 {
		return errno
	}
	g := gather{w: w, buf: sc.buf[:]}
	errno = forBufs(iovs, chunk, sc, g.add)
	if ferr := g.flush(); errno == 0 {
		errno = ferr
	}
	if errno != 0 {
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
	total uint64 // bytes written to w so far
}

// add writes b's bytes: gathered when they fit, else after the bytes
// gathered so far, straight from a view.
func (g *gather) add(b guestptr.Slice[byte]) Errno {
	if g.total+uint64(g.used)+b.Len() > math.MaxUint32 {
		return ErrnoInval // only if a shared memory changed under us
	}
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
	g.total += uint64(n)
	return errno
}

// flush writes the gathered bytes.
func (g *gather) flush() Errno {
	if g.used == 0 {
		return ErrnoSuccess
	}
	n, err := g.w.Write(g.buf[:g.used])
	g.used = 0
	g.total += uint64(n)
	if err != nil {
		return errnoOfIO(err)
	}
	return ErrnoSuccess
}

// fdRead reads from fd into the buffers of iovs in order, stopping at the
// first buffer not filled, and writes the byte count to nread. End of file
// is a count of 0.
func (s *state) fdRead(fd Fd, iovs guestptr.Slice[Iovec], nread guestptr.Ptr[Size]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	r, errno := e.reader()
	if errno != 0 {
		return errno
	}
	return readIovecs(r, ciovecs(iovs), nread)
}

// readIovecs is fd_read from r.
func readIovecs(r io.Reader, iovs guestptr.Slice[Ciovec], nread guestptr.Ptr[Size]) Errno {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	chunk, errno := checkIovecs(iovs, nread, sc, true)
	if errno != 0 {
		return errno
	}
	var total uint64
	done := false
	errno = forBufs(iovs, chunk, sc, func(b guestptr.Slice[byte]) Errno {
		if done || b.Len() == 0 {
			return ErrnoSuccess
		}
		got, errno := fill(b, r, false)
		total += uint64(got)
		if uint64(got) < b.Len() {
			done = true
		}
		return errno
	})
	if errno != 0 {
		return errno
	}
	return ErrnoOf(nread.Write(Size(total)))
}

// offsetReader reads from an io.ReaderAt at an offset it advances.
type offsetReader struct {
	ra  io.ReaderAt
	off int64
}

func (o *offsetReader) Read(b []byte) (int, error) {
	n, err := o.ra.ReadAt(b, o.off)
	o.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

// offsetWriter writes to a file at an offset it advances.
type offsetWriter struct {
	e   *entry
	off int64
}

func (o *offsetWriter) Write(b []byte) (int, error) {
	n, err := pwrite(o.e.f, b, o.off)
	o.off += int64(n)
	return n, err
}

// fileAt returns e's file for fd_pread and fd_pwrite: ESPIPE for streams
// and sockets, EISDIR for directories.
func (e *entry) fileAt() Errno {
	switch {
	case e.typ == FiletypeDirectory:
		return ErrnoIsdir
	case e.f == nil && e.ff == nil:
		return ErrnoSpipe
	}
	return ErrnoSuccess
}

// fdPread is fd_read at offset, leaving the file's offset as it was.
func (s *state) fdPread(fd Fd, iovs guestptr.Slice[Iovec], offset Filesize, nread guestptr.Ptr[Size]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if errno := e.fileAt(); errno != 0 {
		return errno
	}
	if e.base&RightFdRead == 0 {
		return ErrnoBadf
	}
	if offset > math.MaxInt64 {
		return ErrnoInval
	}
	var ra io.ReaderAt
	if e.f != nil {
		ra = e.f
	} else if x, ok := e.ff.(io.ReaderAt); ok {
		ra = x
	} else {
		return ErrnoSpipe
	}
	return readIovecs(&offsetReader{ra: ra, off: int64(offset)}, ciovecs(iovs), nread)
}

// fdPwrite is fd_write at offset, leaving the file's offset as it was.
func (s *state) fdPwrite(fd Fd, iovs guestptr.Slice[Ciovec], offset Filesize, nwritten guestptr.Ptr[Size]) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if errno := e.fileAt(); errno != 0 {
		return errno
	}
	if e.f == nil || e.base&RightFdWrite == 0 {
		return ErrnoBadf
	}
	if offset > math.MaxInt64 {
		return ErrnoInval
	}
	return writeIovecs(&offsetWriter{e: e, off: int64(offset)}, iovs, nwritten)
}

// sharedChunk is how many bytes drain and fill copy at once on a shared
// memory, where views are refused.
const sharedChunk = 512

// drain writes buf's bytes to w through a shared view: no copy. On a
// shared memory, where views are refused, it copies sharedChunk bytes at
// a time.
func drain(buf guestptr.Slice[byte], w io.Writer) (n int, errno Errno) {
	var werr error
	err := guestptr.WithSlice(buf, func(b []byte) error {
		n, werr = w.Write(b)
		return nil
	})
	if errors.Is(err, guestptr.ErrShared) {
		err = nil
		var tmp [sharedChunk]byte
		for off := uint64(0); off < buf.Len() && werr == nil && err == nil; off += sharedChunk {
			part, _ := buf.Range(off, min(off+sharedChunk, buf.Len()))
			b := tmp[:part.Len()]
			if err = part.CopyToSlice(b); err == nil {
				var k int
				k, werr = w.Write(b)
				n += k
			}
		}
	}
	if err != nil {
		return n, ErrnoOf(err)
	}
	if werr != nil {
		return n, errnoOfIO(werr)
	}
	return n, ErrnoSuccess
}

// fill reads from r into buf through a mutable view: no copy. It reads
// once, or until buf is full if full is set. On a shared memory, where
// views are refused, it reads sharedChunk bytes at a time and copies them
// in. io.EOF is no error.
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
		err = nil
		var tmp [sharedChunk]byte
		for off := uint64(0); off < buf.Len() && rerr == nil && err == nil; {
			part, _ := buf.Range(off, min(off+sharedChunk, buf.Len()))
			k, e := read(tmp[:part.Len()])
			rerr = e
			if k > 0 {
				dst, _ := part.Range(0, uint64(k))
				err = dst.CopyFromSlice(tmp[:k])
			}
			n += k
			off += uint64(k)
			if !full || k == 0 {
				break // one Read, as with a view
			}
		}
	}
	if err != nil {
		return n, ErrnoOf(err)
	}
	if rerr != nil && (full || rerr != io.EOF) {
		return n, errnoOfIO(rerr)
	}
	return n, ErrnoSuccess
}
