package canonwazero_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/bench"
	"github.com/guestkit/guestkit/memory/wazeromem/canonwazero"
)

// handEcho is echo-record glue written by hand over wazero, as a code
// generator would emit it: realloc and copy the string and the list, call,
// read the returned record, check the UTF-8, copy the list out, run the
// post-return.
type handEcho struct {
	mod              api.Module
	mem              api.Memory
	realloc, fn, pst api.Function
	stack            [4]uint64
}

func newHandEcho(mod api.Module) *handEcho {
	return &handEcho{mod: mod, mem: mod.Memory(), realloc: mod.ExportedFunction("cabi_realloc"),
		fn: mod.ExportedFunction("echo-record"), pst: mod.ExportedFunction("cabi_post_echo-record")}
}

var errTrap = errors.New("trap")

func (h *handEcho) alloc(ctx context.Context, align, size uint64) (uint32, error) {
	s := h.stack[:4]
	s[0], s[1], s[2], s[3] = 0, 0, align, size
	if err := h.realloc.CallWithStack(ctx, s); err != nil {
		return 0, err
	}
	p := uint32(s[0])
	if uint64(p)&(align-1) != 0 || uint64(p)+size > uint64(h.mem.Size()) {
		return 0, errTrap
	}
	return p, nil
}

func (h *handEcho) call(ctx context.Context, r Rec) (Rec, error) {
	sp, err := h.alloc(ctx, 1, uint64(len(r.S)))
	if err != nil {
		return Rec{}, err
	}
	h.mem.WriteString(sp, r.S)
	lp, err := h.alloc(ctx, 4, 4*uint64(len(r.Xs)))
	if err != nil {
		return Rec{}, err
	}
	buf, _ := h.mem.Read(lp, 4*uint32(len(r.Xs)))
	for i, x := range r.Xs {
		binary.LittleEndian.PutUint32(buf[4*i:], x)
	}
	s := h.stack[:4]
	s[0], s[1], s[2], s[3] = uint64(sp), uint64(len(r.S)), uint64(lp), uint64(len(r.Xs))
	if err := h.fn.CallWithStack(ctx, s); err != nil {
		return Rec{}, err
	}
	ret := uint32(s[0])
	hdr, ok := h.mem.Read(ret, 16)
	if !ok || ret%4 != 0 {
		return Rec{}, errTrap
	}
	sptr, slen := binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint32(hdr[4:])
	lptr, llen := binary.LittleEndian.Uint32(hdr[8:]), binary.LittleEndian.Uint32(hdr[12:])
	if slen > 1<<28-1 || uint64(llen)*4 > 1<<28-1 || lptr%4 != 0 {
		return Rec{}, errTrap
	}
	sb, ok := h.mem.Read(sptr, slen)
	if !ok || !utf8.Valid(sb) {
		return Rec{}, errTrap
	}
	lb, ok := h.mem.Read(lptr, 4*llen)
	if !ok {
		return Rec{}, errTrap
	}
	out := Rec{S: string(sb)}
	if llen > 0 {
		out.Xs = make([]uint32, llen)
		for i := range out.Xs {
			out.Xs[i] = binary.LittleEndian.Uint32(lb[4*i:])
		}
	}
	s[0] = uint64(ret)
	if err := h.pst.CallWithStack(ctx, s[:1]); err != nil {
		return Rec{}, err
	}
	return out, nil
}

var benchRec = Rec{S: "a record with a string and a list ✓", Xs: []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}

type echoArgs struct{ R Rec }

func echoImpls(t testing.TB) (guestkit, hand func() (Rec, error)) {
	f := newFixture(t)
	g, err := canonwazero.Export[echoArgs, Rec](f.in, "echo-record")
	if err != nil {
		t.Fatal(err)
	}
	h := newHandEcho(f.in.Module)
	return func() (Rec, error) { return g(f.ctx, echoArgs{benchRec}) }, func() (Rec, error) { return h.call(f.ctx, benchRec) }
}

// TestEchoRecordRatio times guestkit's export call against the
// hand-written glue in paired, interleaved rounds and prints the ratio
// (the target is at most 1.3x). It checks both give the same result and
// asserts nothing about time.
func TestEchoRecordRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	g, h := echoImpls(t)
	for _, f := range []func() (Rec, error){g, h} {
		got, err := f()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(benchRec, got); d != "" {
			t.Fatalf("echo-record (-want +got):\n%s", d)
		}
	}
	var sinkErr error
	c := bench.Compare([]bench.Impl{
		{Name: "guestkit", Op: func() { _, sinkErr = g() }},
		{Name: "handwritten", Op: func() { _, sinkErr = h() }},
	}, 15, 20*time.Millisecond)
	if sinkErr != nil {
		t.Fatal(sinkErr)
	}
	ratio := c.Ratio("guestkit", "handwritten")
	fmt.Printf("canonical echo-record: guestkit %.0f ns/op (%.1f allocs), handwritten %.0f ns/op (%.1f allocs), ratio %.2fx (target <= 1.3x)\n",
		c.NsPerOp("guestkit"), c.AllocsPerOp("guestkit"), c.NsPerOp("handwritten"), c.AllocsPerOp("handwritten"), ratio)
}

func BenchmarkEchoRecord(b *testing.B) {
	b.Run("guestkit", func(b *testing.B) {
		g, _ := echoImpls(b)
		for b.Loop() {
			if _, err := g(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		_, h := echoImpls(b)
		for b.Loop() {
			if _, err := h(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
