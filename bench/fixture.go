package bench

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/guestkit/guestkit/memory"
)

// The fixture: one guest memory image that every impl reads. guestkit,
// handwritten, stdbinary and copy read it from a memory.Memory, wazero from
// a wazero memory holding the same bytes.
const (
	MemPages = 4
	MemSize  = MemPages * memory.PageSize

	FdstatAddr       = 0x100 // a valid fdstat
	WriteAddr        = 0x200 // WriteRecord's target, zero before
	SubscriptionAddr = 0x300 // a clock subscription
	SubFdReadAddr    = 0x340 // an fd_read subscription
	IovsAddr         = 0x400 // IovCount ciovecs
	IovCount         = 16
	IovLen           = 64     // bytes per iovec
	IovBytesAddr     = 0x1000 // iovec i's bytes at IovBytesAddr + i*IovStride
	IovStride        = 0x80
	StringAddr       = 0x2000
	StringLen        = 1 << 10
	U32Addr          = 0x10000
	U32Count         = 16 << 10 // 64 KiB of uint32
)

// Fixture is the memory image and the values it holds.
type Fixture struct {
	Image        []byte       // the guest memory's bytes
	Fdstat       Fdstat       // at FdstatAddr
	Subscription Subscription // a clock subscription, at SubscriptionAddr
	SubFdRead    Subscription // an fd_read subscription, at SubFdReadAddr
	Iovecs       IovecSum     // what the iovecs at IovsAddr sum to
	String       string       // the UTF-8 text at StringAddr
	U32          []uint32     // the uint32s at U32Addr
	U32Sum       uint64       // their sum
	WriteFdstat  Fdstat       // the value WriteRecord writes
	WriteBytes   []byte       // WriteFdstat's guest bytes, padding zero
}

// NewFixture builds the memory image.
func NewFixture() *Fixture {
	f := &Fixture{Image: make([]byte, MemSize)}
	le := binary.LittleEndian
	img := f.Image

	f.Fdstat = Fdstat{FsFiletype: 4, FsFlags: 0x05, FsRightsBase: RightsMask &^ (1 << 2), FsRightsInheriting: 0x0ffffff}
	putFdstat(img[FdstatAddr:], f.Fdstat)
	f.WriteFdstat = Fdstat{FsFiletype: 6, FsFlags: 0x11, FsRightsBase: 0x1fffffff, FsRightsInheriting: 1 << 29}
	f.WriteBytes = make([]byte, fdstatSize)
	putFdstat(f.WriteBytes, f.WriteFdstat)

	f.Subscription = Subscription{Userdata: 0xdeadbeefcafef00d, U: SubscriptionU{Tag: eventtypeClock,
		Clock: SubscriptionClock{ID: 1, Timeout: 1_000_000_000, Precision: 1000, Flags: 1}}}
	s := img[SubscriptionAddr:]
	le.PutUint64(s, f.Subscription.Userdata)
	s[8] = eventtypeClock
	le.PutUint32(s[16:], 1)
	le.PutUint64(s[24:], 1_000_000_000)
	le.PutUint64(s[32:], 1000)
	le.PutUint16(s[40:], 1)

	f.SubFdRead = Subscription{Userdata: 7, U: SubscriptionU{Tag: eventtypeFdRead, FdRead: SubscriptionFdReadwrite{FileDescriptor: 3}}}
	s = img[SubFdReadAddr:]
	le.PutUint64(s, 7)
	s[8] = eventtypeFdRead
	le.PutUint32(s[16:], 3)

	for i := range IovCount {
		buf := IovBytesAddr + i*IovStride
		le.PutUint32(img[IovsAddr+i*iovecSize:], uint32(buf))
		le.PutUint32(img[IovsAddr+i*iovecSize+4:], IovLen)
		for j := range IovLen {
			c := byte(i*31 + j*7)
			img[buf+j] = c
			f.Iovecs.Sum += uint64(c)
		}
		f.Iovecs.N += IovLen
	}

	f.String = utf8Text(StringLen)
	copy(img[StringAddr:], f.String)

	f.U32 = make([]uint32, U32Count)
	for i := range f.U32 {
		v := uint32(i) * 2654435761
		f.U32[i] = v
		f.U32Sum += uint64(v)
		le.PutUint32(img[U32Addr+4*i:], v)
	}
	return f
}

func putFdstat(b []byte, v Fdstat) {
	b[0] = byte(v.FsFiletype)
	binary.LittleEndian.PutUint16(b[2:], uint16(v.FsFlags))
	binary.LittleEndian.PutUint64(b[8:], uint64(v.FsRightsBase))
	binary.LittleEndian.PutUint64(b[16:], uint64(v.FsRightsInheriting))
}

// utf8Text returns exactly n bytes of valid UTF-8 mixing ASCII with two-,
// three- and four-byte runes, so validation cannot take the ASCII path.
func utf8Text(n int) string {
	const phrase = "héllo, wörld — 世界 🌍 grüße; "
	var sb strings.Builder
	for sb.Len() < n {
		for _, r := range phrase {
			if sb.Len()+utf8.RuneLen(r) > n {
				break
			}
			sb.WriteRune(r)
		}
		if sb.Len()+utf8.UTFMax > n {
			for sb.Len() < n {
				sb.WriteByte('.')
			}
		}
	}
	return sb.String()
}

// Linear returns a new memory.Memory holding the image.
func (f *Fixture) Linear() *memory.Memory {
	m := memory.New(MemSize)
	copy(m.Bytes(), f.Image)
	return m
}
