package wasihost

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/guestkit/guestkit/guestptr"
)

// The socket functions, over Config.Listeners and the connections
// accepted from them. Any other open descriptor is ENOTSOCK.

// sockEntry returns the socket of fd: EBADF if fd is not open, ENOTSOCK
// if it is not a socket.
func (s *state) sockEntry(fd Fd) (*entry, Errno) {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return nil, errno
	}
	if e.ln == nil && e.conn == nil {
		return nil, ErrnoNotsock
	}
	return e, ErrnoSuccess
}

// deadliner is a listener whose Accept can be made not to block.
type deadliner interface {
	SetDeadline(time.Time) error
}

// sockAccept accepts a connection on a preopened listener. With
// FdflagNonblock it does not wait: no connection pending is EAGAIN.
func (s *state) sockAccept(fd Fd, flags uint32, out guestptr.Ptr[Fd]) Errno {
	e, errno := s.sockEntry(fd)
	if errno != 0 {
		return errno
	}
	if flags&^uint32(FdflagNonblock) != 0 {
		return ErrnoInval
	}
	if e.ln == nil {
		return ErrnoInval
	}
	if errno := probe(out.AsArray(1)); errno != 0 {
		return errno
	}
	if d, ok := e.ln.(deadliner); ok {
		var t time.Time
		if flags != 0 {
			t = time.Now()
		}
		_ = d.SetDeadline(t)
	}
	c, err := e.ln.Accept()
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return ErrnoAgain
		}
		return errnoOfIO(err)
	}
	nfd, errno := s.fds.add(&entry{typ: FiletypeSocketStream, conn: c, base: sockRights &^ RightSockAccept, flags: Fdflags(flags)})
	if errno != 0 {
		c.Close()
		return errno
	}
	return ErrnoOf(out.Write(nfd))
}

// sockRecv reads from a connection into the buffers of ri, as fd_read
// does, and writes the byte count and no output flags. Peeking is
// ENOTSUP.
func (s *state) sockRecv(fd Fd, ri guestptr.Slice[Iovec], flags uint32, datalen guestptr.Ptr[Size], roflags guestptr.Ptr[Roflags]) Errno {
	e, errno := s.sockEntry(fd)
	if errno != 0 {
		return errno
	}
	if flags&^uint32(RiflagRecvPeek|RiflagRecvWaitall) != 0 {
		return ErrnoInval
	}
	if e.conn == nil {
		return ErrnoNotconn
	}
	if flags&uint32(RiflagRecvPeek) != 0 {
		return ErrnoNotsup
	}
	if errno := probe(guestptr.Cast[uint16](roflags).AsArray(1)); errno != 0 {
		return errno
	}
	if errno := readIovecs(e.conn, ciovecs(ri), datalen); errno != 0 {
		return errno
	}
	return ErrnoOf(roflags.Write(0))
}

// sockSend writes the buffers of si to a connection, as fd_write does.
func (s *state) sockSend(fd Fd, si guestptr.Slice[Ciovec], flags uint32, datalen guestptr.Ptr[Size]) Errno {
	e, errno := s.sockEntry(fd)
	if errno != 0 {
		return errno
	}
	if flags != 0 {
		return ErrnoInval
	}
	if e.conn == nil {
		return ErrnoNotconn
	}
	return writeIovecs(e.conn, si, datalen)
}

// sockShutdown shuts a connection for reading, writing or both.
func (s *state) sockShutdown(fd Fd, how uint32) Errno {
	e, errno := s.sockEntry(fd)
	if errno != 0 {
		return errno
	}
	sd := Sdflags(how)
	if uint32(sd) != how || sd == 0 || sd&^(SdflagRd|SdflagWr) != 0 {
		return ErrnoInval
	}
	if e.conn == nil {
		return ErrnoNotconn
	}
	type halfCloser interface {
		CloseRead() error
		CloseWrite() error
	}
	hc, ok := e.conn.(halfCloser)
	if !ok {
		if sd == SdflagRd|SdflagWr {
			return errnoOfIO(e.conn.Close())
		}
		return ErrnoNotsup
	}
	var err error
	if sd&SdflagRd != 0 {
		err = hc.CloseRead()
	}
	if sd&SdflagWr != 0 {
		if werr := hc.CloseWrite(); err == nil {
			err = werr
		}
	}
	return errnoOfIO(err)
}

var _ net.Conn = (*net.TCPConn)(nil)
