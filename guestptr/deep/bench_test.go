package deep_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/bench"
	"github.com/guestkit/guestkit/guestptr/deep"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// bumpModule is a guest with 4 pages of memory and an exported
// malloc(n) -> p: a bump allocator whose next address is the word at 0
// (the host resets it to heapStart between replies).
func bumpModule() []byte {
	const (
		i32Load  = 0x28
		i32Store = 0x36
		i32Add   = 0x6a
		i32And   = 0x71
	)
	body := wa.Cat(
		wa.I32Const(0), wa.I32Const(0), []byte{i32Load, 2, 0}, // p = mem[0]
		[]byte{wa.OpLocalTee, 1},
		wa.LocalGet(0), []byte{i32Add}, wa.I32Const(7), []byte{i32Add}, wa.I32Const(-8), []byte{i32And},
		[]byte{i32Store, 2, 0}, // mem[0] = (p+n+7) &^ 7
		wa.LocalGet(1),
	)
	return wa.Module(
		wa.Section(wa.SecType, wa.FuncType([]byte{wa.I32}, []byte{wa.I32})),
		wa.Section(wa.SecFunction, wa.Uleb(0)),
		wa.Section(wa.SecMemory, wa.MemoryType(4)),
		wa.Section(wa.SecExport, wa.Export("malloc", wa.ExportFunc, 0), wa.Export("memory", wa.ExportMemory, 0)),
		wa.Section(wa.SecCode, wa.Code(wa.Locals(1, wa.I32), body)),
	)
}

const (
	heapStart = 0x1000
	reqAt     = 0x100
)

// benchReq is the request and the reply of the comparison: nested strings
// and lists, an enum, flags and a bool.
func benchReq() Req {
	r := Req{ID: 42, Name: "wasm guest ✓", Color: 2, Perms: 5, Urgent: true}
	for i := range 8 {
		r.Records = append(r.Records, Rec{Name: fmt.Sprintf("record %d", i), Value: uint32(i * 10), Tags: []string{"alpha", "béta"}})
	}
	return r
}

type benchGuest struct {
	ctx   context.Context
	mod   api.Module
	mem   *memory.Memory
	alloc *wazeromem.GuestAllocator
	close func()
}

func newBenchGuest(t testing.TB) *benchGuest {
	ctx := wazeromem.WithAllocator(context.Background())
	r := wazero.NewRuntime(ctx)
	mod, err := r.Instantiate(ctx, bumpModule())
	if err != nil {
		t.Fatal(err)
	}
	alloc, err := wazeromem.Malloc(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	return &benchGuest{ctx: ctx, mod: mod, mem: wazeromem.Of(mod.Memory()), alloc: alloc, close: func() { r.Close(ctx) }}
}

// The hand-written wazero code: what a host writes without guestkit,
// with the same checks (bounds, alignment, UTF-8, enum, flags, bool).

var errBad = fmt.Errorf("bad request")

func wzString(m api.Memory, at uint32) (string, error) {
	p, ok1 := m.ReadUint32Le(at)
	n, ok2 := m.ReadUint32Le(at + 4)
	b, ok3 := m.Read(p, n)
	if !ok1 || !ok2 || !ok3 || !utf8.Valid(b) {
		return "", errBad
	}
	return string(b), nil
}

func wzLoad(m api.Memory, at uint32) (Req, error) {
	var r Req
	var err error
	hdr, ok := m.Read(at, 40)
	if !ok || at%8 != 0 {
		return r, errBad
	}
	le := binary.LittleEndian
	r.ID = le.Uint64(hdr)
	if r.Name, err = wzString(m, at+8); err != nil {
		return r, err
	}
	p, n := le.Uint32(hdr[16:]), le.Uint32(hdr[20:])
	if n > 1<<16 || p%4 != 0 {
		return r, errBad
	}
	if _, ok := m.Read(p, n*20); !ok {
		return r, errBad
	}
	if n > 0 {
		r.Records = make([]Rec, n)
	}
	for i := range n {
		e := p + 20*i
		rec := &r.Records[i]
		if rec.Name, err = wzString(m, e); err != nil {
			return r, err
		}
		rec.Value, _ = m.ReadUint32Le(e + 8)
		tp, _ := m.ReadUint32Le(e + 12)
		tn, _ := m.ReadUint32Le(e + 16)
		if tn > 1<<16 || tp%4 != 0 {
			return r, errBad
		}
		if _, ok := m.Read(tp, tn*8); !ok {
			return r, errBad
		}
		if tn > 0 {
			rec.Tags = make([]string, tn)
		}
		for k := range tn {
			if rec.Tags[k], err = wzString(m, tp+8*k); err != nil {
				return r, err
			}
		}
	}
	c, perms, urgent := hdr[24], le.Uint16(hdr[26:]), hdr[28]
	if c >= 3 || perms&^7 != 0 || urgent > 1 {
		return r, errBad
	}
	r.Color, r.Perms, r.Urgent = Color(c), Perms(perms), urgent == 1
	return r, nil
}

// wzStore writes r at at, allocating through the guest's malloc, with
// wazero's Write calls: the hand-written counterpart of deep.Store.
func wzStore(ctx context.Context, mod api.Module, at uint32, r *Req) error {
	m := mod.Memory()
	malloc := mod.ExportedFunction("malloc")
	var stack [1]uint64
	alloc := func(n uint32) (uint32, error) {
		if n == 0 {
			return 0, nil
		}
		stack[0] = uint64(n)
		if err := malloc.CallWithStack(ctx, stack[:]); err != nil {
			return 0, err
		}
		return uint32(stack[0]), nil
	}
	str := func(dst uint32, s string) error {
		if !utf8.ValidString(s) {
			return errBad
		}
		p, err := alloc(uint32(len(s)))
		if err != nil {
			return err
		}
		if !m.WriteString(p, s) || !m.WriteUint32Le(dst, p) || !m.WriteUint32Le(dst+4, uint32(len(s))) {
			return errBad
		}
		return nil
	}
	if r.Color >= 3 || r.Perms&^7 != 0 {
		return errBad
	}
	var hdr [40]byte
	if b, ok := m.Read(at, 40); ok {
		copy(hdr[:], b)
	}
	if !m.Write(at, hdr[:]) || !m.WriteUint64Le(at, r.ID) {
		return errBad
	}
	if err := str(at+8, r.Name); err != nil {
		return err
	}
	recs, err := alloc(uint32(20 * len(r.Records)))
	if err != nil {
		return err
	}
	m.WriteUint32Le(at+16, recs)
	m.WriteUint32Le(at+20, uint32(len(r.Records)))
	for i, rec := range r.Records {
		e := recs + 20*uint32(i)
		if err := str(e, rec.Name); err != nil {
			return err
		}
		m.WriteUint32Le(e+8, rec.Value)
		tags, err := alloc(uint32(8 * len(rec.Tags)))
		if err != nil {
			return err
		}
		m.WriteUint32Le(e+12, tags)
		m.WriteUint32Le(e+16, uint32(len(rec.Tags)))
		for k, tag := range rec.Tags {
			if err := str(tags+8*uint32(k), tag); err != nil {
				return err
			}
		}
	}
	b := byte(0)
	if r.Urgent {
		b = 1
	}
	m.WriteByte(at+24, byte(r.Color))
	m.WriteUint16Le(at+26, uint16(r.Perms))
	m.WriteByte(at+28, b)
	return nil
}

// TestHandWrittenAgrees: the hand-written code of the comparison loads and
// stores what deep does, byte for byte.
func TestHandWrittenAgrees(t *testing.T) {
	g := newBenchGuest(t)
	defer g.close()
	want := benchReq()
	g.mod.Memory().WriteUint32Le(0, heapStart)
	if err := deep.Store(g.mem, reqAt, &want, g.alloc, deep.Limits{}); err != nil {
		t.Fatal(err)
	}
	viaDeep := append([]byte(nil), g.mem.Bytes()...)
	got, err := wzLoad(g.mod.Memory(), reqAt)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("wzLoad (-want +got):\n%s", d)
	}
	clear(g.mem.Bytes())
	g.mod.Memory().WriteUint32Le(0, heapStart)
	if err := wzStore(g.ctx, g.mod, reqAt, &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(viaDeep, g.mem.Bytes()); d != "" {
		t.Errorf("wzStore wrote other bytes than deep.Store (-deep +wazero):\n%s", d)
	}
}

// TestPairedRatios times deep.Load and deep.Store against the hand-written
// wazero code, in paired rounds (bench.Compare). It runs with
// GUESTKIT_DEEP_BENCH=1:
//
//	GUESTKIT_DEEP_BENCH=1 go test -run TestPairedRatios -v ./guestptr/deep
func TestPairedRatios(t *testing.T) {
	if os.Getenv("GUESTKIT_DEEP_BENCH") != "1" {
		t.Skip("set GUESTKIT_DEEP_BENCH=1 to time deep against hand-written wazero code")
	}
	g := newBenchGuest(t)
	defer g.close()
	req := benchReq()
	g.mod.Memory().WriteUint32Le(0, heapStart)
	if err := deep.Store(g.mem, reqAt, &req, g.alloc, deep.Limits{}); err != nil {
		t.Fatal(err)
	}
	codec, err := deep.For[Req](g.mem.ABI())
	if err != nil {
		t.Fatal(err)
	}
	var sink Req
	var sinkErr error
	load := bench.Compare([]bench.Impl{
		{Name: "deep", Op: func() { sink, sinkErr = codec.Load(g.mem, reqAt, deep.Limits{}) }},
		{Name: "wazero", Op: func() { sink, sinkErr = wzLoad(g.mod.Memory(), reqAt) }},
	}, 15, 20*time.Millisecond)
	if sinkErr != nil || sink.ID != 42 {
		t.Fatal(sinkErr)
	}
	reply := benchReq()
	store := bench.Compare([]bench.Impl{
		{Name: "deep", Op: func() {
			g.mod.Memory().WriteUint32Le(0, heapStart)
			sinkErr = codec.Store(g.mem, reqAt, &reply, g.alloc, deep.Limits{})
		}},
		{Name: "wazero", Op: func() {
			g.mod.Memory().WriteUint32Le(0, heapStart)
			sinkErr = wzStore(g.ctx, g.mod, reqAt, &reply)
		}},
	}, 15, 20*time.Millisecond)
	if sinkErr != nil {
		t.Fatal(sinkErr)
	}
	for _, c := range []struct {
		name string
		cmp  *bench.Comparison
	}{{"Load", load}, {"Store", store}} {
		r := c.cmp.Ratio("deep", "wazero")
		t.Logf("%s: deep %.0f ns/op (%.0f allocs/op), wazero %.0f ns/op (%.0f allocs/op): ratio %.2fx",
			c.name, c.cmp.NsPerOp("deep"), c.cmp.AllocsPerOp("deep"), c.cmp.NsPerOp("wazero"), c.cmp.AllocsPerOp("wazero"), r)
		if r > 1.5 {
			t.Errorf("%s: deep is %.2fx the hand-written wazero code, want <= 1.5x", c.name, r)
		}
	}
}
