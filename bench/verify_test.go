package bench

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests hold every impl to guestkit's checks: on the fixture each
// gives the same result, and on each bad input below every impl fails and
// none writes. A rival that checked less would pass fewer of them.

// outcome is one impl's answer to one input, reduced to "ok" with a value
// or "error".
type outcome struct {
	OK    bool
	Value any
}

func outcomeOf[T any](v T, err error) outcome {
	if err != nil {
		return outcome{}
	}
	return outcome{true, v}
}

// agree fails t unless every impl's outcome equals want's.
func agree(t *testing.T, want outcome, got map[string]outcome) {
	t.Helper()
	for name, o := range got {
		if d := cmp.Diff(want, o); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// badEnd is an 8-aligned address whose 24 bytes pass the end of memory
// while the first 16 do not; badSub is one where a subscription's fd case
// (bytes 16 to 20) lies in bounds and its 48 bytes do not.
const (
	badEnd = MemSize - 16
	badSub = MemSize - 24
)

func TestReadFdstat(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		addr uint32
		poke []byte // written at FdstatAddr+pokeAt first
		at   uint32
		ok   bool
	}{
		{"valid", FdstatAddr, nil, 0, true},
		{"misaligned", FdstatAddr + 4, nil, 0, false},
		{"past end", badEnd, nil, 0, false},
		{"wraps", 1<<32 - 8, nil, 0, false},
		{"filetype 8", FdstatAddr, []byte{8}, 0, false},
		{"flags bit 5", FdstatAddr, le16(0x20), 2, false},
		{"rights base bit 30", FdstatAddr, le64(1 << 30), 8, false},
		{"rights inheriting bit 63", FdstatAddr, le64(1 << 63), 16, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer e.reset(t)
			if tc.poke != nil {
				e.poke(t, FdstatAddr+tc.at, tc.poke)
			}
			want := outcome{}
			if tc.ok {
				want = outcome{true, e.fx.Fdstat}
			}
			agree(t, want, map[string]outcome{
				"guestkit":    outcomeOf(e.gk.ReadFdstat(tc.addr)),
				"handwritten": outcomeOf(e.hw.ReadFdstat(tc.addr)),
				"wazero":      outcomeOf(e.wzi.ReadFdstat(tc.addr)),
				"stdbinary":   outcomeOf(e.sb.ReadFdstat(tc.addr)),
			})
		})
	}
}

func TestWriteFdstat(t *testing.T) {
	e := newEnv(t)
	good := e.fx.WriteFdstat
	bad := func(f func(*Fdstat)) Fdstat { v := good; f(&v); return v }
	tests := []struct {
		name string
		addr uint32
		v    Fdstat
		ok   bool
	}{
		{"valid", WriteAddr, good, true},
		{"misaligned", WriteAddr + 2, good, false},
		{"past end", badEnd, good, false},
		{"filetype 8", WriteAddr, bad(func(v *Fdstat) { v.FsFiletype = 8 }), false},
		{"flags bit 5", WriteAddr, bad(func(v *Fdstat) { v.FsFlags = 0x20 }), false},
		{"rights base bit 30", WriteAddr, bad(func(v *Fdstat) { v.FsRightsBase = 1 << 30 }), false},
		{"rights inheriting bit 40", WriteAddr, bad(func(v *Fdstat) { v.FsRightsInheriting = 1 << 40 }), false},
	}
	impls := map[string]interface{ WriteFdstat(uint32, Fdstat) error }{
		"guestkit": e.gk, "handwritten": e.hw, "wazero": e.wzi, "stdbinary": e.sb,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for name, m := range impls {
				err := m.WriteFdstat(tc.addr, tc.v)
				if (err == nil) != tc.ok {
					t.Errorf("%s: error %v, want ok=%v", name, err, tc.ok)
				}
				lin, wz := e.bytesAt(t, 0, MemSize)
				want := append([]byte(nil), e.fx.Image...)
				if tc.ok {
					copy(want[tc.addr:], e.fx.WriteBytes)
				}
				written, other := lin, wz
				if name == "wazero" {
					written, other = wz, lin
				}
				if string(written) != string(want) || string(other) != string(e.fx.Image) {
					t.Errorf("%s: memory after the write is not as expected", name)
				}
				e.reset(t)
			}
		})
	}
}

func TestReadSubscription(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		addr uint32
		poke []byte // written at SubscriptionAddr+at first
		at   uint32
		want *Subscription
	}{
		{"clock", SubscriptionAddr, nil, 0, &e.fx.Subscription},
		{"fd_read", SubFdReadAddr, nil, 0, &e.fx.SubFdRead},
		{"fd_write", SubscriptionAddr, []byte{2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0}, 8, &Subscription{
			Userdata: e.fx.Subscription.Userdata, U: SubscriptionU{Tag: 2, FdWrite: SubscriptionFdReadwrite{9}}}},
		{"misaligned", SubscriptionAddr + 4, nil, 0, nil},
		{"tag 3", SubscriptionAddr, []byte{3}, 8, nil},
		{"clock id 4", SubscriptionAddr, le32(4), 16, nil},
		{"clock flags bit 1", SubscriptionAddr, le16(2), 40, nil},
		// The fd_read case lies in bounds, the subscription does not.
		{"fd_read past end", badSub, nil, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer e.reset(t)
			if tc.poke != nil {
				e.poke(t, SubscriptionAddr+tc.at, tc.poke)
			}
			e.poke(t, badSub, append(le64(1), eventtypeFdRead))
			want := outcome{}
			if tc.want != nil {
				want = outcome{true, *tc.want}
			}
			agree(t, want, map[string]outcome{
				"guestkit":    outcomeOf(e.gk.ReadSubscription(tc.addr)),
				"handwritten": outcomeOf(e.hw.ReadSubscription(tc.addr)),
				"wazero":      outcomeOf(e.wzi.ReadSubscription(tc.addr)),
				"stdbinary":   outcomeOf(e.sb.ReadSubscription(tc.addr)),
			})
		})
	}
}

func TestSumIovecs(t *testing.T) {
	e := newEnv(t)
	const last = IovsAddr + (IovCount-1)*iovecSize
	tests := []struct {
		name      string
		addr, n   uint32
		poke      []byte // written at last first
		want      *IovecSum
		wantEmpty bool
	}{
		{"valid", IovsAddr, IovCount, nil, &e.fx.Iovecs, false},
		{"none", IovsAddr, 0, nil, &IovecSum{}, false},
		{"misaligned list", IovsAddr + 2, IovCount, nil, nil, false},
		{"list past end", MemSize - 64, 16, nil, nil, false},
		{"buf past end", IovsAddr, IovCount, append(le32(MemSize), le32(1)...), nil, false},
		{"buf+len past end", IovsAddr, IovCount, append(le32(MemSize-8), le32(9)...), nil, false},
		{"len wraps", IovsAddr, IovCount, append(le32(8), le32(1<<32-4)...), nil, false},
		{"empty at end", IovsAddr, IovCount, append(le32(MemSize), le32(0)...),
			&IovecSum{N: e.fx.Iovecs.N - IovLen, Sum: e.fx.Iovecs.Sum - sumBytes(e.fx.Image[IovBytesAddr+(IovCount-1)*IovStride:][:IovLen])}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer e.reset(t)
			if tc.poke != nil {
				e.poke(t, last, tc.poke)
			}
			want := outcome{}
			if tc.want != nil {
				want = outcome{true, *tc.want}
			}
			agree(t, want, map[string]outcome{
				"guestkit":    outcomeOf(e.gk.SumIovecs(tc.addr, tc.n)),
				"handwritten": outcomeOf(e.hw.SumIovecs(tc.addr, tc.n)),
				"wazero":      outcomeOf(e.wzi.SumIovecs(tc.addr, tc.n)),
				"stdbinary":   outcomeOf(e.sb.SumIovecs(tc.addr, tc.n)),
			})
		})
	}
}

func TestReadString(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		addr, n uint32
		poke    []byte // written at StringAddr+100 first
		ok      bool
	}{
		{"valid", StringAddr, StringLen, nil, true},
		{"past end", MemSize - 10, 11, nil, false},
		{"0xff", StringAddr, StringLen, []byte{0xff}, false},
		{"surrogate", StringAddr, StringLen, []byte{0xed, 0xa0, 0x80}, false},
		{"cut rune", StringAddr, 10, nil, false}, // byte 10 is inside "ö"
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer e.reset(t)
			if tc.poke != nil {
				e.poke(t, StringAddr+100, tc.poke)
			}
			want := outcome{}
			if tc.ok {
				want = outcome{true, e.fx.String}
			}
			agree(t, want, map[string]outcome{
				"guestkit":    outcomeOf(e.gk.ReadString(tc.addr, tc.n)),
				"handwritten": outcomeOf(e.hw.ReadString(tc.addr, tc.n)),
				"wazero":      outcomeOf(e.wzi.ReadString(tc.addr, tc.n)),
			})
		})
	}
}

func TestU32(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		addr, n uint32
		ok      bool
	}{
		{"valid", U32Addr, U32Count, true},
		{"misaligned", U32Addr + 2, 4, false},
		{"past end", MemSize - 8, 3, false},
		{"count wraps", U32Addr, 1 << 30, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			copies, sums := outcome{}, outcome{}
			if tc.ok {
				copies, sums = outcome{true, e.fx.U32}, outcome{true, e.fx.U32Sum}
			}
			agree(t, copies, map[string]outcome{
				"guestkit":    outcomeOf(e.gk.CopyU32(tc.addr, tc.n)),
				"handwritten": outcomeOf(e.hw.CopyU32(tc.addr, tc.n)),
				"copy":        outcomeOf(e.cp.CopyU32(tc.addr, tc.n)),
				"wazero":      outcomeOf(e.wzi.CopyU32(tc.addr, tc.n)),
				"stdbinary":   outcomeOf(e.sb.CopyU32(tc.addr, tc.n)),
			})
			agree(t, sums, map[string]outcome{
				"guestkit":    outcomeOf(e.gk.ViewSumU32(tc.addr, tc.n)),
				"handwritten": outcomeOf(e.hw.ViewSumU32(tc.addr, tc.n)),
				"wazero":      outcomeOf(e.wzi.ViewSumU32(tc.addr, tc.n)),
			})
		})
	}
}
