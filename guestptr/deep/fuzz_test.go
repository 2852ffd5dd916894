package deep_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/guestptr/deep"
	"github.com/guestkit/guestkit/memory"
)

// The fuzzed type: strings, a list of strings, a list of records with an
// enum, and a pointer to itself. wasm32 layout (the reference below
// hard-codes it): FzRec is Name (0, 8), V u16 (8), C u8 (10), size 12,
// align 4; FzReq is ID u32 (0), Tags (4, 8), Recs (12, 8), Next (20),
// size 24, align 4.
type (
	FzRec struct {
		Name string
		V    uint16
		C    Color
	}
	FzReq struct {
		ID   uint32
		Tags []string
		Recs []FzRec
		Next *FzReq
	}
)

// fzLimits are small, so the fuzzer reaches them.
var fzLimits = deep.Limits{Bytes: 4096, Elements: 64, Depth: 4}

// refLoader is an independent reference: it decodes an FzReq with plain
// little-endian reads and the rules of package deep written out by hand,
// with the same limits and the same order of checks.
type refLoader struct {
	mem          []byte
	bytes, elems uint64
}

// region returns mem[addr:addr+n*size] if in bounds and aligned.
func (r *refLoader) region(addr, n, size, align uint64) ([]byte, bool) {
	end := addr + n*size
	if addr%align != 0 || end < addr || end > uint64(len(r.mem)) {
		return nil, false
	}
	return r.mem[addr:end], true
}

func (r *refLoader) str(b []byte) (string, bool) {
	addr, n := uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[4:]))
	if n > r.bytes {
		return "", false
	}
	s, ok := r.region(addr, n, 1, 1)
	if !ok || !utf8.Valid(s) {
		return "", false
	}
	r.bytes -= n
	return string(s), true
}

const (
	goStringSize = 16 // Go sizes on 64-bit hosts, as deep counts them
	goFzRecSize  = 24
	goFzReqSize  = 64
)

func (r *refLoader) req(b []byte, depth int) (FzReq, bool) {
	var v FzReq
	v.ID = binary.LittleEndian.Uint32(b)
	// Tags
	addr, n := uint64(binary.LittleEndian.Uint32(b[4:])), uint64(binary.LittleEndian.Uint32(b[8:]))
	if n > r.elems || n*goStringSize > r.bytes || depth+1 > fzLimits.Depth {
		return v, false
	}
	tb, ok := r.region(addr, n, 8, 4)
	if !ok {
		return v, false
	}
	r.elems -= n
	r.bytes -= n * goStringSize
	for i := range n {
		if v.Tags == nil {
			v.Tags = make([]string, n)
		}
		if v.Tags[i], ok = r.str(tb[8*i:]); !ok {
			return v, false
		}
	}
	// Recs
	addr, n = uint64(binary.LittleEndian.Uint32(b[12:])), uint64(binary.LittleEndian.Uint32(b[16:]))
	if n > r.elems || n*goFzRecSize > r.bytes || depth+1 > fzLimits.Depth {
		return v, false
	}
	rb, ok := r.region(addr, n, 12, 4)
	if !ok {
		return v, false
	}
	r.elems -= n
	r.bytes -= n * goFzRecSize
	for i := range n {
		if v.Recs == nil {
			v.Recs = make([]FzRec, n)
		}
		e := rb[12*i:]
		if v.Recs[i].Name, ok = r.str(e); !ok {
			return v, false
		}
		v.Recs[i].V = binary.LittleEndian.Uint16(e[8:])
		if e[10] >= 3 {
			return v, false
		}
		v.Recs[i].C = Color(e[10])
	}
	// Next
	if next := uint64(binary.LittleEndian.Uint32(b[20:])); next != 0 {
		if depth+1 > fzLimits.Depth || goFzReqSize > r.bytes {
			return v, false
		}
		nb, ok := r.region(next, 1, 24, 4)
		if !ok {
			return v, false
		}
		r.bytes -= goFzReqSize
		n, ok := r.req(nb, depth+1)
		if !ok {
			return v, false
		}
		v.Next = &n
	}
	return v, true
}

// FuzzLoad loads an FzReq from fuzzed memory at a fuzzed address: Load
// succeeds exactly when the reference does, with the same value; its
// errors match the sentinels a guest can cause; and it allocates within
// the limits.
func FuzzLoad(f *testing.F) {
	// Seeds: a valid request with every part, and the same with each kind
	// of fault.
	valid := make([]byte, 512)
	put := func(b []byte, off int, ws ...uint32) {
		for i, w := range ws {
			binary.LittleEndian.PutUint32(b[off+4*i:], w)
		}
	}
	put(valid, 0x10, 7, 0x40, 2, 0x60, 1, 0x80) // req: ID, Tags (0x40, 2), Recs (0x60, 1), Next 0x80
	put(valid, 0x40, 0x100, 3, 0x103, 2)        // tags: "abc", "de"
	put(valid, 0x60, 0x105, 1)                  // rec name "f"
	valid[0x68], valid[0x6a] = 9, 2             // V 9, C blue
	put(valid, 0x80, 8, 0, 0, 0, 0, 0)          // next: ID 8, nothing else
	copy(valid[0x100:], "abcdef")
	f.Add(valid, uint32(0x10))
	bad := func(off int, b ...byte) []byte {
		c := append([]byte(nil), valid...)
		copy(c[off:], b)
		return c
	}
	f.Add(bad(0x6a, 3), uint32(0x10))                      // enum
	f.Add(bad(0x100, 0xff), uint32(0x10))                  // UTF-8
	f.Add(bad(0x18, 0xff, 0xff, 0xff, 0x7f), uint32(0x10)) // a count of 0x7fffffff
	f.Add(bad(0x14, 0xf0, 0xff, 0xff, 0xff), uint32(0x10)) // an address of 0xfffffff0
	f.Add(bad(0x24, 0x10), uint32(0x10))                   // Next points to itself: a cycle
	f.Add(bad(0x24, 0x81), uint32(0x10))                   // Next misaligned
	f.Add(valid, uint32(0x1f8))                            // the request past the end
	f.Fuzz(func(t *testing.T, data []byte, addr uint32) {
		if len(data) > 1<<16 {
			return
		}
		mem := memory.New(uint64(len(data)))
		copy(mem.Bytes(), data)
		ref := &refLoader{mem: data, bytes: fzLimits.Bytes, elems: fzLimits.Elements}
		want, wantOK := FzReq{}, false
		if rb, ok := ref.region(uint64(addr), 1, 24, 4); ok {
			want, wantOK = ref.req(rb, 0)
		}
		var got FzReq
		var err error
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err = deep.Load[FzReq](mem, uint64(addr), fzLimits)
		runtime.ReadMemStats(&after)
		n := after.TotalAlloc - before.TotalAlloc
		if (err == nil) != wantOK {
			t.Fatalf("Load: %v; the reference says ok=%v", err, wantOK)
		}
		if err == nil {
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("Load differs from the reference (-ref +Load):\n%s", d)
			}
		} else {
			var de *deep.Error
			if !errors.As(err, &de) {
				t.Fatalf("Load error %T is not a *deep.Error: %v", err, err)
			}
			for _, s := range []error{guestptr.ErrBadPointer, guestptr.ErrInvalidUTF8, guestptr.ErrInvalidEnum, deep.ErrLimit} {
				if errors.Is(err, s) {
					goto matched
				}
			}
			t.Fatalf("Load error matches no guest-caused sentinel: %v", err)
		matched:
		}
		if n > 4*fzLimits.Bytes+(64<<10) {
			t.Fatalf("Load allocated %d bytes, more than the limits allow", n)
		}
	})
}

// TestFuzzSeedValid: FuzzLoad's first seed is a valid request, so the
// fuzzer starts from a success as well as from each kind of fault.
func TestFuzzSeedValid(t *testing.T) {
	mem := memory.New(512)
	b := mem.Bytes()
	for off, w := range map[int]uint32{0x10: 7, 0x14: 0x40, 0x18: 2, 0x1c: 0x60, 0x20: 1, 0x24: 0x80, 0x40: 0x100, 0x44: 3, 0x48: 0x103, 0x4c: 2, 0x60: 0x105, 0x64: 1, 0x80: 8} {
		binary.LittleEndian.PutUint32(b[off:], w)
	}
	b[0x68], b[0x6a] = 9, 2
	copy(b[0x100:], "abcdef")
	got, err := deep.Load[FzReq](mem, 0x10, fzLimits)
	want := FzReq{ID: 7, Tags: []string{"abc", "de"}, Recs: []FzRec{{"f", 9, 2}}, Next: &FzReq{ID: 8}}
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}
