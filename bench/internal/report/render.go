package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Machine names where a run happened.
type Machine struct {
	CPU, GOOS, GOARCH, GoVersion string // GoVersion as in "go1.26.0"
	Cores, Procs                 int    // logical CPUs, and GOMAXPROCS during the run
}

// String is the machine line of the report.
func (m Machine) String() string {
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	return fmt.Sprintf("%s, %s/%s, %s, %d cores (GOMAXPROCS %d)", cpu, m.GOOS, m.GOARCH, m.GoVersion, m.Cores, m.Procs)
}

// Baseline is the impl a case's ratio column divides by: wazero for the
// end-to-end FdWrite, handwritten otherwise.
func Baseline(c string) string {
	if c == "FdWrite" {
		return "wazero"
	}
	return "handwritten"
}

// Render writes the markdown report: the machine, one row per (case,
// impl) with medians, the ratio to the case's baseline and the targets of
// that row, then every target with ✓ or ✗.
func Render(w io.Writer, m Machine, runs int, results []Result) error {
	ts := Targets(results)
	verdicts := make([]Verdict, len(ts))
	for i, t := range ts {
		verdicts[i] = t.Check(results)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s. Medians of %d runs.\n\n", m, runs)
	b.WriteString("| case | impl | ns/op | B/op | allocs/op | ratio | targets |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|---|\n")
	for _, r := range results {
		ratio := "—"
		base := Baseline(r.Case)
		if br := find(results, r.Case, base); br != nil && br.NsOp > 0 {
			ratio = fmt.Sprintf("%.2fx", r.NsOp/br.NsOp)
		}
		var marks []string
		for _, v := range verdicts {
			if v.Case == r.Case && v.Impl == r.Impl {
				marks = append(marks, fmt.Sprintf("%s %s (%s)", v.Mark(), v.Label(), v.Measured))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Case, r.Impl,
			formatNs(r.NsOp), formatCount(r.BOp), formatCount(r.AllocsOp), ratio, strings.Join(marks, "; "))
	}
	b.WriteString("\nRatio: ns/op over the baseline's (handwritten; wazero for FdWrite); below 1 is faster.\n\n")
	b.WriteString("| case | target | measured | met |\n|---|---|--:|:-:|\n")
	met := 0
	for _, v := range verdicts {
		if v.Met {
			met++
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s |\n", v.Case, v.Impl, v.Label(), v.Measured, v.Mark())
	}
	fmt.Fprintf(&b, "\n%d of %d targets met.\n", met, len(verdicts))
	_, err := io.WriteString(w, b.String())
	return err
}

func formatNs(ns float64) string {
	switch {
	case ns < 0:
		return "—"
	case ns < 10:
		return fmt.Sprintf("%.2f", ns)
	case ns < 1000:
		return fmt.Sprintf("%.1f", ns)
	}
	return fmt.Sprintf("%.0f", ns)
}

func formatCount(v float64) string {
	if v < 0 {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
