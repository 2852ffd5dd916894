package report

import (
	"fmt"
	"slices"
)

// kind is how a target compares results.
type kind int

const (
	maxRatio  kind = iota // ns(impl)/ns(base) <= limit
	minSpeed              // ns(base)/ns(impl) >= limit: throughput or speedup
	zeroAlloc             // allocs/op == 0
	maxNs                 // ns(impl) <= limit
	faster                // ns(impl) < ns(base)
)

// Target is one of guestkit's performance goals.
type Target struct {
	Case, Impl string  // the row the target judges
	Kind       kind    // how Check compares
	Base       string  // the rival, for ratios
	Limit      float64 // the bound, for ratios and ns
}

// Label says what the target asks, as in "≤1.3x handwritten".
func (t Target) Label() string {
	switch t.Kind {
	case maxRatio:
		return fmt.Sprintf("≤%gx %s", t.Limit, t.Base)
	case minSpeed:
		if t.Case == "CopySlice" {
			return fmt.Sprintf("≥%gx the throughput of %s", t.Limit, t.Base)
		}
		return fmt.Sprintf("≥%gx faster than %s", t.Limit, t.Base)
	case zeroAlloc:
		return "0 allocs/op"
	case maxNs:
		return fmt.Sprintf("≤%g ns/op", t.Limit)
	}
	return "faster than " + t.Base
}

// Targets returns the goals for the cases in results, in their order: the
// fixed list, and "faster than wazero" for every case but FdWrite where
// guestkit and wazero both ran.
func Targets(results []Result) []Target {
	const gk = "guestkit"
	ts := []Target{
		{Case: "ReadRecord", Impl: gk, Kind: maxRatio, Base: "handwritten", Limit: 1.3},
		{Case: "ReadRecord", Impl: gk, Kind: zeroAlloc},
		{Case: "ReadRecord", Impl: gk, Kind: minSpeed, Base: "stdbinary", Limit: 20},
		{Case: "WriteRecord", Impl: gk, Kind: maxRatio, Base: "handwritten", Limit: 1.3},
		{Case: "WriteRecord", Impl: gk, Kind: zeroAlloc},
		{Case: "ReadIovecs", Impl: gk, Kind: maxRatio, Base: "handwritten", Limit: 1.3},
		{Case: "ReadIovecs", Impl: gk, Kind: zeroAlloc},
		{Case: "ReadNested", Impl: gk, Kind: maxRatio, Base: "handwritten", Limit: 1.5},
		{Case: "ReadString", Impl: gk, Kind: maxRatio, Base: "handwritten", Limit: 1.5},
		{Case: "CopySlice", Impl: gk, Kind: minSpeed, Base: "copy", Limit: 0.8},
		{Case: "ViewSlice", Impl: gk, Kind: zeroAlloc},
		{Case: "Layout", Impl: gk, Kind: zeroAlloc},
		{Case: "Layout", Impl: gk, Kind: maxNs, Limit: 10},
		{Case: "FdWrite", Impl: gk, Kind: maxRatio, Base: "wazero", Limit: 1.1},
	}
	order := caseOrder(results)
	ts = slices.DeleteFunc(ts, func(t Target) bool { _, ran := order[t.Case]; return !ran })
	for _, r := range results {
		if r.Impl != "wazero" || r.Case == "FdWrite" {
			continue
		}
		if find(results, r.Case, gk) != nil {
			ts = append(ts, Target{Case: r.Case, Impl: gk, Kind: faster, Base: "wazero"})
		}
	}
	slices.SortStableFunc(ts, func(a, b Target) int { return order[a.Case] - order[b.Case] })
	return ts
}

func caseOrder(results []Result) map[string]int {
	order := map[string]int{}
	for _, r := range results {
		if _, ok := order[r.Case]; !ok {
			order[r.Case] = len(order)
		}
	}
	return order
}

func find(results []Result, c, impl string) *Result {
	for i := range results {
		if results[i].Case == c && results[i].Impl == impl {
			return &results[i]
		}
	}
	return nil
}

// Verdict is a target checked against results.
type Verdict struct {
	Target
	Measured string // as in "1.12x" or "7.9 ns/op"
	Met      bool   // the target holds
	Missing  bool   // a benchmark the target needs did not run
}

// Check checks t against results.
func (t Target) Check(results []Result) Verdict {
	v := Verdict{Target: t}
	r := find(results, t.Case, t.Impl)
	var base *Result
	if t.Base != "" {
		base = find(results, t.Case, t.Base)
	}
	if r == nil || t.Base != "" && base == nil || t.Kind == zeroAlloc && r.AllocsOp < 0 {
		v.Missing, v.Measured = true, "not run"
		return v
	}
	switch t.Kind {
	case maxRatio:
		x := r.NsOp / base.NsOp
		v.Measured, v.Met = fmt.Sprintf("%.2fx", x), x <= t.Limit
	case minSpeed:
		x := base.NsOp / r.NsOp
		v.Measured, v.Met = fmt.Sprintf("%.2fx", x), x >= t.Limit
	case zeroAlloc:
		v.Measured, v.Met = fmt.Sprintf("%g allocs/op", r.AllocsOp), r.AllocsOp == 0
	case maxNs:
		v.Measured, v.Met = formatNs(r.NsOp)+" ns/op", r.NsOp <= t.Limit
	case faster:
		v.Measured, v.Met = fmt.Sprintf("%.2fx wazero", r.NsOp/base.NsOp), r.NsOp < base.NsOp
	}
	return v
}

// Mark is ✓ for a target met, ✗ for one missed or not run.
func (v Verdict) Mark() string {
	if v.Met {
		return "✓"
	}
	return "✗"
}
