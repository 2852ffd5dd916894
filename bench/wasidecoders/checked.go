package wasidecoders

import (
	"encoding/binary"
	"math"

	"github.com/tetratelabs/wazero/api"
)

var le = binary.LittleEndian

// The sizes and alignments of the types, and the offsets the code reads.
const (
	fdstatSize, fdstatAlign             = 24, 8
	filestatSize, filestatAlign         = 64, 8
	subscriptionSize, subscriptionAlign = 48, 8
	iovecSize, iovecAlign               = 8, 4
)

// view returns the size bytes at addr of a wazero memory, the
// api.Memory.Read view wazero's WASI functions decode from, after checking
// that addr is aligned to align (which wazero does not check).
func view(mem api.Memory, addr, size, align uint32) ([]byte, error) {
	if addr&(align-1) != 0 {
		return nil, EINVAL
	}
	buf, ok := mem.Read(addr, size)
	if !ok {
		return nil, EFAULT
	}
	return buf, nil
}

// viewBytes is view over a plain []byte memory.
func viewBytes(mem []byte, addr, size, align uint32) ([]byte, error) {
	if addr&(align-1) != 0 {
		return nil, EINVAL
	}
	if uint64(addr)+uint64(size) > uint64(len(mem)) {
		return nil, EFAULT
	}
	return mem[addr : addr+size], nil
}

// ReadFdstat reads the fdstat at addr of a wazero memory.
func ReadFdstat(mem api.Memory, addr uint32) (Fdstat, error) {
	buf, err := view(mem, addr, fdstatSize, fdstatAlign)
	if err != nil {
		return Fdstat{}, err
	}
	return decodeFdstat(buf)
}

// ReadFdstatBytes reads the fdstat at addr of a []byte memory.
func ReadFdstatBytes(mem []byte, addr uint32) (Fdstat, error) {
	buf, err := viewBytes(mem, addr, fdstatSize, fdstatAlign)
	if err != nil {
		return Fdstat{}, err
	}
	return decodeFdstat(buf)
}

func decodeFdstat(buf []byte) (Fdstat, error) {
	b := (*[fdstatSize]byte)(buf)
	ft := b[0]
	flags := le.Uint16(b[2:])
	base := le.Uint64(b[8:])
	inh := le.Uint64(b[16:])
	if ft >= FiletypeCases || flags&^FdflagsMask != 0 || base&^RightsMask != 0 || inh&^RightsMask != 0 {
		return Fdstat{}, EINVAL
	}
	return Fdstat{Filetype(ft), Fdflags(flags), Rights(base), Rights(inh)}, nil
}

// WriteFdstat writes v at addr of a wazero memory, as fd_fdstat_get
// does, after checking v. On error memory is unchanged.
func WriteFdstat(mem api.Memory, addr uint32, v Fdstat) error {
	buf, err := view(mem, addr, fdstatSize, fdstatAlign)
	if err != nil {
		return err
	}
	return encodeFdstat(buf, v)
}

// WriteFdstatBytes writes v at addr of a []byte memory.
func WriteFdstatBytes(mem []byte, addr uint32, v Fdstat) error {
	buf, err := viewBytes(mem, addr, fdstatSize, fdstatAlign)
	if err != nil {
		return err
	}
	return encodeFdstat(buf, v)
}

func encodeFdstat(buf []byte, v Fdstat) error {
	if v.Filetype >= FiletypeCases || v.Flags&^FdflagsMask != 0 || v.RightsBase&^RightsMask != 0 || v.RightsInheriting&^RightsMask != 0 {
		return EINVAL
	}
	b := (*[fdstatSize]byte)(buf)
	le.PutUint16(b[0:], uint16(v.Filetype)) // as wazero: the filetype and the padding byte after it
	le.PutUint16(b[2:], uint16(v.Flags))
	le.PutUint32(b[4:], 0)
	le.PutUint64(b[8:], uint64(v.RightsBase))
	le.PutUint64(b[16:], uint64(v.RightsInheriting))
	return nil
}

// ReadFilestat reads the filestat at addr of a wazero memory.
func ReadFilestat(mem api.Memory, addr uint32) (Filestat, error) {
	buf, err := view(mem, addr, filestatSize, filestatAlign)
	if err != nil {
		return Filestat{}, err
	}
	return decodeFilestat(buf)
}

// ReadFilestatBytes reads the filestat at addr of a []byte memory.
func ReadFilestatBytes(mem []byte, addr uint32) (Filestat, error) {
	buf, err := viewBytes(mem, addr, filestatSize, filestatAlign)
	if err != nil {
		return Filestat{}, err
	}
	return decodeFilestat(buf)
}

func decodeFilestat(buf []byte) (Filestat, error) {
	b := (*[filestatSize]byte)(buf)
	ft := b[16] // a u8: bytes 17 to 23 are padding
	if ft >= FiletypeCases {
		return Filestat{}, EINVAL
	}
	return Filestat{
		Dev: le.Uint64(b[0:]), Ino: le.Uint64(b[8:]), Filetype: Filetype(ft),
		Nlink: le.Uint64(b[24:]), Size: le.Uint64(b[32:]),
		Atim: le.Uint64(b[40:]), Mtim: le.Uint64(b[48:]), Ctim: le.Uint64(b[56:]),
	}, nil
}

// WriteFilestat writes v at addr of a wazero memory, as fd_filestat_get
// does, after checking v. On error memory is unchanged.
func WriteFilestat(mem api.Memory, addr uint32, v Filestat) error {
	buf, err := view(mem, addr, filestatSize, filestatAlign)
	if err != nil {
		return err
	}
	return encodeFilestat(buf, v)
}

// WriteFilestatBytes writes v at addr of a []byte memory.
func WriteFilestatBytes(mem []byte, addr uint32, v Filestat) error {
	buf, err := viewBytes(mem, addr, filestatSize, filestatAlign)
	if err != nil {
		return err
	}
	return encodeFilestat(buf, v)
}

func encodeFilestat(buf []byte, v Filestat) error {
	if v.Filetype >= FiletypeCases {
		return EINVAL
	}
	b := (*[filestatSize]byte)(buf)
	le.PutUint64(b[0:], v.Dev)
	le.PutUint64(b[8:], v.Ino)
	le.PutUint64(b[16:], uint64(v.Filetype)) // as wazero: the filetype and its padding
	le.PutUint64(b[24:], v.Nlink)
	le.PutUint64(b[32:], v.Size)
	le.PutUint64(b[40:], v.Atim)
	le.PutUint64(b[48:], v.Mtim)
	le.PutUint64(b[56:], v.Ctim)
	return nil
}

// ReadSubscription reads the subscription at addr of a wazero memory.
func ReadSubscription(mem api.Memory, addr uint32) (Subscription, error) {
	buf, err := view(mem, addr, subscriptionSize, subscriptionAlign)
	if err != nil {
		return Subscription{}, err
	}
	return decodeSubscription(buf)
}

// ReadSubscriptionBytes reads the subscription at addr of a []byte memory.
func ReadSubscriptionBytes(mem []byte, addr uint32) (Subscription, error) {
	buf, err := viewBytes(mem, addr, subscriptionSize, subscriptionAlign)
	if err != nil {
		return Subscription{}, err
	}
	return decodeSubscription(buf)
}

// decodeSubscription reads a subscription as poll_oneoff does: the tag at
// 8, the case at 16; it checks every field of the case the tag selects.
func decodeSubscription(buf []byte) (Subscription, error) {
	b := (*[subscriptionSize]byte)(buf)
	s := Subscription{Userdata: le.Uint64(b[0:])}
	arg := b[16:]
	switch tag := b[8]; tag {
	case 0:
		id, flags := le.Uint32(arg[0:]), le.Uint16(arg[24:])
		if id >= ClockidCases || flags&^1 != 0 {
			return Subscription{}, EINVAL
		}
		s.U.Clock = SubscriptionClock{ID: Clockid(id), Timeout: le.Uint64(arg[8:]), Precision: le.Uint64(arg[16:]), Flags: Subclockflags(flags)}
	case 1:
		s.U.FdRead.FileDescriptor = le.Uint32(arg[0:])
	case 2:
		s.U.FdWrite.FileDescriptor = le.Uint32(arg[0:])
	default:
		return Subscription{}, EINVAL
	}
	s.U.Tag = Eventtype(b[8])
	return s, nil
}

// ReadIovecs reads the n iovecs at iovs of a wazero memory, as fd_write
// and fd_read do before following them: one view of the list, then the
// (offset, length) pairs at 8-byte steps.
func ReadIovecs(mem api.Memory, iovs, n uint32) ([]Iovec, error) {
	if uint64(n)*iovecSize > math.MaxUint32 {
		return nil, EFAULT
	}
	buf, err := view(mem, iovs, n*iovecSize, iovecAlign)
	if err != nil {
		return nil, err
	}
	return decodeIovecs(buf, n), nil
}

// ReadIovecsBytes reads the n iovecs at iovs of a []byte memory.
func ReadIovecsBytes(mem []byte, iovs, n uint32) ([]Iovec, error) {
	if uint64(n)*iovecSize > math.MaxUint32 {
		return nil, EFAULT
	}
	buf, err := viewBytes(mem, iovs, n*iovecSize, iovecAlign)
	if err != nil {
		return nil, err
	}
	return decodeIovecs(buf, n), nil
}

func decodeIovecs(buf []byte, n uint32) []Iovec {
	out := make([]Iovec, n)
	for i := range out {
		pos := uint32(i) * iovecSize
		out[i] = Iovec{Buf: le.Uint32(buf[pos:]), BufLen: le.Uint32(buf[pos+4:])}
	}
	return out
}
