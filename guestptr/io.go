package guestptr

import (
	"errors"
	"io"
)

// Reader reads a guest byte region as an io.Reader, io.ReaderAt,
// io.Seeker and io.ByteReader. Every call checks its part of the region
// again (bounds, borrows), so a region the guest made bad, or a memory
// that grew, is seen at once; an error is an *Error as elsewhere.
type Reader struct {
	s   Slice[byte]
	off uint64
}

// NewReader returns a Reader of s's bytes, from the first.
func NewReader(s Slice[byte]) *Reader { return &Reader{s: s} }

// Len returns the number of bytes not yet read.
func (r *Reader) Len() int { return int(r.s.ref.Len - min(r.off, r.s.ref.Len)) }

// Size returns the length of the region.
func (r *Reader) Size() int64 { return int64(r.s.ref.Len) }

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	if r.off >= r.s.ref.Len {
		return 0, io.EOF
	}
	n := min(uint64(len(p)), r.s.ref.Len-r.off)
	if err := readAt(r.s, r.off, p[:n]); err != nil {
		return 0, err
	}
	r.off += n
	return int(n), nil
}

// ReadByte implements io.ByteReader.
func (r *Reader) ReadByte() (byte, error) {
	var b [1]byte
	if _, err := r.Read(b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}

// ReadAt implements io.ReaderAt.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("guestptr.Reader.ReadAt: negative offset")
	}
	if uint64(off) >= r.s.ref.Len {
		return 0, io.EOF
	}
	n := min(uint64(len(p)), r.s.ref.Len-uint64(off))
	if err := readAt(r.s, uint64(off), p[:n]); err != nil {
		return 0, err
	}
	if n < uint64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// Seek implements io.Seeker.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	at, err := seek(r.off, r.s.ref.Len, offset, whence)
	if err == nil {
		r.off = at
	}
	return int64(at), err
}

// WriteTo implements io.WriterTo: it copies the unread bytes to w in parts
// of at most 32 KiB, so a long region costs no large buffer.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var buf [32 << 10]byte
	var total int64
	for r.off < r.s.ref.Len {
		n, err := r.Read(buf[:])
		if err != nil {
			return total, err
		}
		m, err := w.Write(buf[:n])
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Writer writes into a guest byte region, up to its length, as an
// io.Writer, io.WriterAt, io.StringWriter and io.ByteWriter. A write that
// does not fit writes what fits and returns io.ErrShortWrite.
type Writer struct {
	s   Slice[byte]
	off uint64
}

// NewWriter returns a Writer into s's bytes, from the first.
func NewWriter(s Slice[byte]) *Writer { return &Writer{s: s} }

// Len returns the number of bytes written so far (the offset).
func (w *Writer) Len() int { return int(w.off) }

// Available returns the number of bytes that still fit.
func (w *Writer) Available() int { return int(w.s.ref.Len - min(w.off, w.s.ref.Len)) }

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.WriteAt(p, int64(w.off))
	w.off += uint64(n)
	return n, err
}

// WriteString implements io.StringWriter. It may cut s inside a UTF-8
// sequence when it does not fit; see WriteString for text.
func (w *Writer) WriteString(s string) (int, error) {
	n := min(uint64(len(s)), w.s.ref.Len-min(w.off, w.s.ref.Len))
	if err := writeAt(w.s, w.off, s[:n]); err != nil {
		return 0, err
	}
	w.off += n
	if n < uint64(len(s)) {
		return int(n), io.ErrShortWrite
	}
	return int(n), nil
}

// WriteByte implements io.ByteWriter.
func (w *Writer) WriteByte(c byte) error {
	_, err := w.Write([]byte{c})
	return err
}

// WriteAt implements io.WriterAt.
func (w *Writer) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("guestptr.Writer.WriteAt: negative offset")
	}
	n := min(uint64(len(p)), w.s.ref.Len-min(uint64(off), w.s.ref.Len))
	if err := writeAt(w.s, uint64(off), p[:n]); err != nil {
		return 0, err
	}
	if n < uint64(len(p)) {
		return int(n), io.ErrShortWrite
	}
	return int(n), nil
}

// Seek implements io.Seeker: it moves the offset of the next Write.
func (w *Writer) Seek(offset int64, whence int) (int64, error) {
	at, err := seek(w.off, w.s.ref.Len, offset, whence)
	if err == nil {
		w.off = at
	}
	return int64(at), err
}

// seek is io.Seeker's arithmetic over a region of size bytes.
func seek(cur, size uint64, offset int64, whence int) (uint64, error) {
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = int64(cur)
	case io.SeekEnd:
		base = int64(size)
	default:
		return cur, errors.New("guestptr: invalid whence")
	}
	at := base + offset
	if at < 0 || offset > 0 && at < base {
		return cur, errors.New("guestptr: negative or overflowing position")
	}
	return uint64(at), nil
}

// readAt copies the len(p) bytes at offset off of s into p.
func readAt(s Slice[byte], off uint64, p []byte) error {
	if len(p) == 0 {
		return nil
	}
	sub, err := s.Sub(off, off+uint64(len(p)))
	if err != nil {
		return err
	}
	_, b, err := span[Slice[byte], byte](sub.ref, "read")
	if err != nil {
		return err
	}
	acc, err := s.ref.Mem.Borrows().BeginRead(sub.ref.Addr, uint64(len(b)))
	if err != nil {
		return fail[Slice[byte]]("read", sub.ref.Addr, uint64(len(b)), err)
	}
	copy(p, b)
	acc.End()
	return nil
}

// writeAt writes p at offset off of s.
func writeAt[B ~string | ~[]byte](s Slice[byte], off uint64, p B) error {
	if len(p) == 0 {
		return nil
	}
	sub, err := s.Sub(off, off+uint64(len(p)))
	if err != nil {
		return err
	}
	return writeBytes(sub.ref.Addr, sub, p)
}
