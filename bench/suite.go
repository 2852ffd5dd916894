package bench

import (
	"context"
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"

	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Case is one piece of work done by several impls, for Compare. Baseline
// names the impl ratios are taken against.
type Case struct {
	Name     string
	Baseline string
	Impls    []Impl
	// Targets are the ratios the case must meet: impl → the largest
	// ratio to Baseline (or to the impl named in Against) allowed.
	Targets []Target
}

// Target is one performance target of a case.
type Target struct {
	Impl    string
	Against string // the baseline of this target
	Max     float64
}

// Suite is the fixture loaded into three memories, with every impl bound
// to them: a memory.Memory (guestkit, handwritten, stdbinary, copy), a
// wazero memory guestkit did not allocate (wazero: hand-written code over
// api.Memory) and a wazero memory from guestkit's allocator
// (guestkit-wazero: guestkit as a wazero host uses it).
type Suite struct {
	Fixture *Fixture
	Cases   []Case
	// Err returns the first error an impl left in its sink while timed.
	Err   func() error
	close func()
}

// Close releases the wazero runtime.
func (s *Suite) Close() { s.close() }

// NewSuite builds the cases. Every impl's result is checked against the
// fixture once before it is returned, so no impl can be timed doing less.
func NewSuite(ctx context.Context) (*Suite, error) {
	fx := NewFixture()
	rt := wazero.NewRuntime(ctx)
	wz, err := NewWazeroMemory(ctx, rt, fx.Image)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	own, err := NewWazeroMemory(wazeromem.WithAllocator(ctx), rt, fx.Image)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	lin := fx.Linear()
	gk, hw, wzi, sb, cp := Guestkit{lin}, Handwritten{lin}, Wazero{wz.Memory()}, Stdbinary{lin}, Copy{lin}
	gw := Guestkit{wazeromem.Of(own.Memory())}
	s := &Suite{Fixture: fx, close: func() { rt.Close(ctx) }}
	var sinkErr error
	check := func(name string, want, got any, err error) {
		if sinkErr == nil && err != nil {
			sinkErr = fmt.Errorf("%s: %w", name, err)
		} else if d := cmp.Diff(want, got); sinkErr == nil && d != "" {
			sinkErr = fmt.Errorf("%s: result differs (-want +got):\n%s", name, d)
		}
	}
	var (
		fd  Fdstat
		sub Subscription
		sum IovecSum
		str string
		u32 []uint32
		u64 uint64
	)
	buf := make([]uint32, U32Count)
	records := []struct {
		name string
		read func(uint32) (Fdstat, error)
		wr   func(uint32, Fdstat) error
		sub  func(uint32) (Subscription, error)
		iov  func(uint32, uint32) (IovecSum, error)
	}{
		{"handwritten", hw.ReadFdstat, hw.WriteFdstat, hw.ReadSubscription, hw.SumIovecs},
		{"guestkit", gk.ReadFdstat, gk.WriteFdstat, gk.ReadSubscription, gk.SumIovecs},
		{"wazero", wzi.ReadFdstat, wzi.WriteFdstat, wzi.ReadSubscription, wzi.SumIovecs},
		{"guestkit-wazero", gw.ReadFdstat, gw.WriteFdstat, gw.ReadSubscription, gw.SumIovecs},
		{"stdbinary", sb.ReadFdstat, sb.WriteFdstat, sb.ReadSubscription, sb.SumIovecs},
	}
	read, write, nested, iovecs := Case{Name: "ReadRecord"}, Case{Name: "WriteRecord"}, Case{Name: "ReadNested"}, Case{Name: "ReadIovecs"}
	for _, r := range records {
		fdAddr, wAddr, subAddr, iovs, n := uint32(FdstatAddr), uint32(WriteAddr), uint32(SubscriptionAddr), uint32(IovsAddr), uint32(IovCount)
		v, err := r.read(fdAddr)
		check(r.name+" ReadRecord", fx.Fdstat, v, err)
		check(r.name+" WriteRecord", nil, nil, r.wr(wAddr, fx.WriteFdstat))
		sv, err := r.sub(subAddr)
		check(r.name+" ReadNested", fx.Subscription, sv, err)
		iv, err := r.iov(iovs, n)
		check(r.name+" ReadIovecs", fx.Iovecs, iv, err)
		read.Impls = append(read.Impls, Impl{r.name, func() { fd, sinkErr = r.read(fdAddr) }})
		write.Impls = append(write.Impls, Impl{r.name, func() { sinkErr = r.wr(wAddr, fx.WriteFdstat) }})
		nested.Impls = append(nested.Impls, Impl{r.name, func() { sub, sinkErr = r.sub(subAddr) }})
		iovecs.Impls = append(iovecs.Impls, Impl{r.name, func() { sum, sinkErr = r.iov(iovs, n) }})
	}
	both := func(max float64) []Target {
		return []Target{{"guestkit", "handwritten", max}, {"guestkit-wazero", "wazero", 1}}
	}
	read.Targets, write.Targets, nested.Targets = both(1.3), both(1.5), both(1.3)
	iovecs.Targets = []Target{{"guestkit", "handwritten", 2}}

	strAddr, strLen, u32Addr, u32Count := uint32(StringAddr), uint32(StringLen), uint32(U32Addr), uint32(U32Count)
	str1 := Case{Name: "ReadString", Targets: []Target{{"guestkit", "handwritten", 1.2}}}
	for _, r := range []struct {
		name string
		f    func(uint32, uint32) (string, error)
	}{{"handwritten", hw.ReadString}, {"guestkit", gk.ReadString}, {"wazero", wzi.ReadString}} {
		got, err := r.f(strAddr, strLen)
		check(r.name+" ReadString", fx.String, got, err)
		str1.Impls = append(str1.Impls, Impl{r.name, func() { str, sinkErr = r.f(strAddr, strLen) }})
	}
	toSlice := Case{Name: "ToSlice", Targets: []Target{{"guestkit", "handwritten", 1.1}}}
	for _, r := range []struct {
		name string
		f    func(uint32, uint32) ([]uint32, error)
	}{{"handwritten", hw.CopyU32}, {"guestkit", gk.CopyU32}, {"copy", cp.CopyU32}} {
		got, err := r.f(u32Addr, u32Count)
		check(r.name+" ToSlice", fx.U32, got, err)
		toSlice.Impls = append(toSlice.Impls, Impl{r.name, func() { u32, sinkErr = r.f(u32Addr, u32Count) }})
	}
	copyTo := Case{Name: "CopyToSlice", Targets: []Target{{"guestkit", "handwritten", 1.1}}}
	for _, r := range []struct {
		name string
		f    func(uint32, []uint32) error
	}{{"handwritten", hw.CopyU32Into}, {"guestkit", gk.CopyU32Into}, {"copy", cp.CopyU32Into}} {
		err := r.f(u32Addr, buf)
		check(r.name+" CopyToSlice", fx.U32, buf, err)
		copyTo.Impls = append(copyTo.Impls, Impl{r.name, func() { sinkErr = r.f(u32Addr, buf) }})
	}
	view := Case{Name: "ViewSlice", Targets: []Target{{"guestkit", "handwritten", 1.1}}}
	for _, r := range []struct {
		name string
		f    func(uint32, uint32) (uint64, error)
	}{{"handwritten", hw.ViewSumU32}, {"guestkit", gk.ViewSumU32}} {
		got, err := r.f(u32Addr, u32Count)
		check(r.name+" ViewSlice", fx.U32Sum, got, err)
		view.Impls = append(view.Impls, Impl{r.name, func() { u64, sinkErr = r.f(u32Addr, u32Count) }})
	}
	if sinkErr != nil {
		s.Close()
		return nil, sinkErr
	}
	_ = []any{fd, sub, sum, str, u32, u64}
	s.Err = func() error { return sinkErr }
	for _, c := range []Case{read, write, nested, iovecs, str1, toSlice, copyTo, view} {
		c.Baseline = "handwritten"
		s.Cases = append(s.Cases, c)
	}
	return s, nil
}
