package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Timing is what [Checker.Time] measured: per operation and memory, the
// hand-written code and guestkit doing the same call on the same valid
// value, timed in paired, interleaved rounds by [Compare].
type Timing struct {
	Type   string      // the guest type
	Hand   string      // the hand-written side's name
	Addr   uint32      // where the value lies
	N      uint32      // the list length, for a list checker; 1 otherwise
	Rounds int         // the paired rounds
	Rows   []TimingRow // one per operation and memory
	// Comparison holds every round's times; its impls are named
	// "<op> <memory>/<side>", as "decode wazero/guestkit".
	Comparison *Comparison
}

// TimingRow is one operation over one memory, hand-written code against
// guestkit.
type TimingRow struct {
	Op     string // "decode", "decode list" or "encode"
	Memory string // "[]byte" or "wazero"
	// HandNs and GuestkitNs are the median nanoseconds per call.
	HandNs, GuestkitNs float64
	// Ratio is the median over rounds of guestkit's time divided by the
	// hand-written code's in the same round: above 1, guestkit is slower.
	Ratio float64
	// HandAllocs and GuestkitAllocs are allocations per call.
	HandAllocs, GuestkitAllocs float64
}

// Verdict says who is faster and by how much: "guestkit 1.31x slower
// (+2.4 ns/op)", "guestkit 1.8x faster" or "even (within 5%)".
func (r TimingRow) Verdict() string {
	switch {
	case r.Ratio > 1.05:
		return fmt.Sprintf("guestkit %.2fx slower (%+.1f ns/op)", r.Ratio, r.GuestkitNs-r.HandNs)
	case r.Ratio > 0 && r.Ratio < 0.95:
		return fmt.Sprintf("guestkit %.2fx faster", 1/r.Ratio)
	}
	return "even (within 5%)"
}

// String returns the timing as a table, one row per operation and memory.
func (t *Timing) String() string {
	var sb strings.Builder
	n := ""
	if t.N != 1 {
		n = fmt.Sprintf(", %d elements", t.N)
	}
	fmt.Fprintf(&sb, "%s at %#x%s: %s vs guestkit, %d paired rounds (ratio = median of guestkit/%s per round)\n", t.Type, t.Addr, n, t.Hand, t.Rounds, t.Hand)
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "op\tmemory\t%s ns/op\tguestkit ns/op\tratio\tallocs %s\tallocs guestkit\t\n", t.Hand, t.Hand)
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.2fx\t%g\t%g\t  %s\n", r.Op, r.Memory, r.HandNs, r.GuestkitNs, r.Ratio, r.HandAllocs, r.GuestkitAllocs, r.Verdict())
	}
	tw.Flush()
	return strings.TrimRight(sb.String(), "\n")
}

// timingInput is a valid input at an aligned address near the start of
// the memory: n values for a list checker (Options.MaxList of them).
func (c *Checker[T]) timingInput() Input[T] {
	g := &gen{rng: rand.New(rand.NewPCG(1, 2))}
	n := uint64(1)
	if c.list {
		n = uint64(c.maxN)
	}
	var b []byte
	for range n {
		v, _ := c.value(g)
		b = append(b, v...)
	}
	addr := (uint64(0x100) + c.lay.Align - 1) &^ (c.lay.Align - 1)
	in := Input[T]{Kind: InputValid, What: "the timed value", Addr: uint32(addr), N: uint32(n), Bytes: b}
	if !c.list {
		var v T
		if c.codec.Decode(b, &v, nil) == nil {
			in.Value = &v
		}
	}
	return in
}

// Time times the hand-written code against guestkit on one valid value
// (a list of Options.MaxList values for a list checker), for every
// operation and memory the Checker has, in rounds paired, interleaved
// rounds (see [Compare]; blockTime is the length of the first impl's
// block of calls in a round). Over wazero, guestkit's side calls
// wazeromem.Of on the api.Memory every time, as a host function does.
// Both sides are first checked to agree on the value, so neither is timed
// doing less; Time fails if they do not, or if a call fails while timed.
func (c *Checker[T]) Time(rounds int, blockTime time.Duration) (*Timing, error) {
	if rounds < 1 {
		return nil, errors.New("bench: Time: rounds must be at least 1")
	}
	in := c.timingInput()
	for _, m := range c.mems() {
		place(m.bytes(), in)
	}
	for _, d := range c.Run(in) {
		return nil, fmt.Errorf("bench: Time: the timed value is not agreed on: %w", d)
	}
	for _, m := range c.mems() { // Run left the memories as it found them; be sure.
		place(m.bytes(), in)
	}
	t := &Timing{Type: c.typ, Hand: c.name, Addr: in.Addr, N: in.N, Rounds: rounds}
	var impls []Impl
	type pair struct{ op, mem string }
	var pairs []pair
	add := func(op, memName string, hand, gk func()) {
		pairs = append(pairs, pair{op, memName})
		impls = append(impls, Impl{op + " " + memName + "/" + c.name, hand}, Impl{op + " " + memName + "/guestkit", gk})
	}
	addr, n := in.Addr, in.N
	keep := func(err error) {
		if err != nil && c.sinkE == nil {
			c.sinkE = err
		}
	}
	c.sinkE = nil
	if c.list {
		if f := c.hlist.Decode; f != nil {
			add("decode list", "[]byte",
				func() { var err error; c.sinkL, err = f(c.lin.Bytes(), addr, n); keep(err) },
				func() {
					var err error
					c.sinkL, err = guestptr.NewSlice[T](c.lin, uint64(addr), uint64(n)).ToSlice()
					keep(err)
				})
		}
		if f := c.hlist.DecodeWazero; f != nil {
			add("decode list", "wazero",
				func() { var err error; c.sinkL, err = f(c.wz, addr, n); keep(err) },
				func() {
					var err error
					c.sinkL, err = guestptr.NewSlice[T](wazeromem.Of(c.wz), uint64(addr), uint64(n)).ToSlice()
					keep(err)
				})
		}
	} else {
		if f := c.hand.Decode; f != nil {
			add("decode", "[]byte",
				func() { var err error; c.sinkV, err = f(c.lin.Bytes(), addr); keep(err) },
				func() { var err error; c.sinkV, err = guestptr.New[T](c.lin, uint64(addr)).Read(); keep(err) })
		}
		if f := c.hand.DecodeWazero; f != nil {
			add("decode", "wazero",
				func() { var err error; c.sinkV, err = f(c.wz, addr); keep(err) },
				func() {
					var err error
					c.sinkV, err = guestptr.New[T](wazeromem.Of(c.wz), uint64(addr)).Read()
					keep(err)
				})
		}
		if v := in.Value; v != nil {
			if f := c.hand.Encode; f != nil {
				add("encode", "[]byte",
					func() { keep(f(c.lin.Bytes(), addr, *v)) },
					func() { keep(guestptr.New[T](c.lin, uint64(addr)).Write(*v)) })
			}
			if f := c.hand.EncodeWazero; f != nil {
				add("encode", "wazero",
					func() { keep(f(c.wz, addr, *v)) },
					func() { keep(guestptr.New[T](wazeromem.Of(c.wz), uint64(addr)).Write(*v)) })
			}
		}
	}
	if len(impls) == 0 {
		return nil, errors.New("bench: Time: nothing to time")
	}
	cmp := Compare(impls, rounds, blockTime)
	if c.sinkE != nil {
		return nil, fmt.Errorf("bench: Time: a call failed while timed: %w", c.sinkE)
	}
	t.Comparison = cmp
	for i, p := range pairs {
		h, g := impls[2*i].Name, impls[2*i+1].Name
		t.Rows = append(t.Rows, TimingRow{
			Op: p.op, Memory: p.mem,
			HandNs: cmp.NsPerOp(h), GuestkitNs: cmp.NsPerOp(g), Ratio: cmp.Ratio(g, h),
			HandAllocs: cmp.AllocsPerOp(h), GuestkitAllocs: cmp.AllocsPerOp(g),
		})
	}
	return t, nil
}

// Report times the hand-written code against guestkit (see [Checker.Time])
// and logs the table to tb; it fails tb if timing fails, and skips under
// go test -short. Nothing is asserted about the times.
func (c *Checker[T]) Report(tb testing.TB, rounds int, blockTime time.Duration) *Timing {
	tb.Helper()
	if testing.Short() {
		tb.Skip("timing skipped under -short")
	}
	t, err := c.Time(rounds, blockTime)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Log("\n" + t.String())
	return t
}
