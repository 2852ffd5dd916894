package wasidecoders

import "github.com/tetratelabs/wazero/api"

// The functions below redo the memory arithmetic and the checks of wazero
// v1.12.0's WASI host functions (imports/wasi_snapshot_preview1: fs.go's
// fdFdstatGetFn, writeFdstat, fdFilestatGetFn, writeFilestat and writev;
// poll.go's pollOneoffFn and processClockEvent), rewritten to take and
// return the decoded values. They check what wazero checks and nothing
// more, so that bench.Checker shows where wazero's reading of preview1
// differs from guestkit's.

// WazeroWriteFdstat writes v at addr as fd_fdstat_get does: a 24-byte
// view from api.Memory.Read, no alignment or value check, rights passed
// as uint32.
func WazeroWriteFdstat(mem api.Memory, addr uint32, v Fdstat) error {
	buf, ok := mem.Read(addr, 24)
	if !ok {
		return EFAULT
	}
	b := (*[24]byte)(buf)
	le.PutUint16(b[0:], uint16(v.Filetype))
	le.PutUint16(b[2:], uint16(v.Flags))
	le.PutUint32(b[4:], 0)
	le.PutUint64(b[8:], uint64(uint32(v.RightsBase)))
	le.PutUint64(b[16:], uint64(uint32(v.RightsInheriting)))
	return nil
}

// WazeroWriteFilestat writes v at addr as fd_filestat_get does: a 64-byte
// view, no alignment or value check, the filetype stored as a u64.
func WazeroWriteFilestat(mem api.Memory, addr uint32, v Filestat) error {
	buf, ok := mem.Read(addr, 64)
	if !ok {
		return EFAULT
	}
	le.PutUint64(buf, v.Dev)
	le.PutUint64(buf[8:], v.Ino)
	le.PutUint64(buf[16:], uint64(v.Filetype))
	le.PutUint64(buf[24:], v.Nlink)
	le.PutUint64(buf[32:], v.Size)
	le.PutUint64(buf[40:], v.Atim)
	le.PutUint64(buf[48:], v.Mtim)
	le.PutUint64(buf[56:], v.Ctim)
	return nil
}

// WazeroPollSubscriptions reads the n subscriptions at in as poll_oneoff
// does before it acts on them: n == 0 is EINVAL; one view of n*48 bytes
// (a uint32 product) and one of n*32 for the events; per subscription the tag at +8 and the case at +16;
// a clock's flags must be 0 or 1 (wazero then refuses 1, absolute time,
// with ENOTSUP: a missing feature, not a decoding matter, so it is
// accepted here) and its clock id is not checked; an fd case with a
// negative int32 descriptor is EBADF; any other tag is EINVAL.
func WazeroPollSubscriptions(mem api.Memory, in, n uint32) ([]Subscription, error) {
	if n == 0 {
		return nil, EINVAL
	}
	inBuf, ok := mem.Read(in, n*48)
	if !ok {
		return nil, EFAULT
	}
	// poll_oneoff then takes a view of n*32 bytes for the events at out,
	// EFAULT if it fails; modelled at out = 0, where it is likeliest to
	// succeed.
	if _, ok := mem.Read(0, n*32); !ok {
		return nil, EFAULT
	}
	var out []Subscription
	for i := uint32(0); i < n; i++ {
		inOffset := i * 48
		eventType := inBuf[inOffset+8]
		argBuf := inBuf[inOffset+8+8:]
		s := Subscription{Userdata: le.Uint64(inBuf[inOffset : inOffset+8])}
		s.U.Tag = Eventtype(eventType)
		switch eventType {
		case 0:
			id := le.Uint32(argBuf[0:8])
			timeout := le.Uint64(argBuf[8:16])
			precision := le.Uint64(argBuf[16:24])
			flags := le.Uint16(argBuf[24:32])
			if flags > 1 {
				return nil, EINVAL
			}
			s.U.Clock = SubscriptionClock{ID: Clockid(id), Timeout: timeout, Precision: precision, Flags: Subclockflags(flags)}
		case 1, 2:
			fd := int32(le.Uint32(argBuf))
			if fd < 0 {
				return nil, EBADF
			}
			if eventType == 1 {
				s.U.FdRead.FileDescriptor = uint32(fd)
			} else {
				s.U.FdWrite.FileDescriptor = uint32(fd)
			}
		default:
			return nil, EINVAL
		}
		out = append(out, s)
	}
	return out, nil
}

// WazeroIovecs reads the n iovecs at iovs as fd_write's writev (and
// fd_read's readv) does: iovsStop := n << 3, a uint32 shift; one view of
// iovsStop bytes; then the pairs up to iovsStop. (writev then reads each
// iovec's bytes with api.Memory.Read, EFAULT if they are not in memory;
// that is beyond the iovec's layout and not done here.)
func WazeroIovecs(mem api.Memory, iovs, n uint32) ([]Iovec, error) {
	iovsStop := n << 3
	iovsBuf, ok := mem.Read(iovs, iovsStop)
	if !ok {
		return nil, EFAULT
	}
	var out []Iovec
	for iovsPos := uint32(0); iovsPos < iovsStop; iovsPos += 8 {
		offset := le.Uint32(iovsBuf[iovsPos:])
		l := le.Uint32(iovsBuf[iovsPos+4:])
		out = append(out, Iovec{Buf: offset, BufLen: l})
	}
	return out, nil
}
