package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// canned is go test -bench output as it comes: a header, two counts,
// MB/s, a custom metric, a log line and the trailer.
const canned = `goos: linux
goarch: amd64
pkg: github.com/guestkit/guestkit/bench
cpu: Intel(R) Xeon(R) Processor @ 2.80GHz
BenchmarkReadRecord/guestkit-2         	100000000	        11.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReadRecord/handwritten-2      	100000000	        10.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReadRecord/wazero-2           	 50000000	        20.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReadRecord/stdbinary-2        	  2000000	       500.0 ns/op	      24 B/op	       1 allocs/op
BenchmarkCopySlice/guestkit-2          	     7112	     80000 ns/op	 819.20 MB/s	   65536 B/op	       1 allocs/op
BenchmarkCopySlice/copy-2              	     4798	     70000 ns/op	 936.23 MB/s	   65536 B/op	       1 allocs/op
BenchmarkFdWrite
    fdwrite_test.go:42: 1024 bytes per run
BenchmarkFdWrite/guestkit-2            	     1000	   1200000 ns/op	       300.0 ns/write	     100 B/op	       2 allocs/op
BenchmarkFdWrite/wazero-2              	     1000	   1000000 ns/op	       250.0 ns/write	     100 B/op	       2 allocs/op
BenchmarkReadRecord/guestkit-2         	100000000	        13.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReadRecord/handwritten-2      	100000000	        10.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReadRecord/wazero-2           	 50000000	        22.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkReadRecord/stdbinary-2        	  2000000	       520.0 ns/op	      24 B/op	       1 allocs/op
BenchmarkCopySlice/guestkit-2          	     7112	     90000 ns/op	 728.18 MB/s	   65536 B/op	       1 allocs/op
BenchmarkCopySlice/copy-2              	     4798	     70000 ns/op	 936.23 MB/s	   65536 B/op	       1 allocs/op
BenchmarkReadRecord/guestkit-2         	100000000	        12.0 ns/op	       0 B/op	       0 allocs/op
PASS
ok  	github.com/guestkit/guestkit/bench	42.000s
`

func TestParse(t *testing.T) {
	r, err := Parse(strings.NewReader(canned))
	if err != nil {
		t.Fatal(err)
	}
	if r.GOOS != "linux" || r.GOARCH != "amd64" || r.CPU != "Intel(R) Xeon(R) Processor @ 2.80GHz" ||
		r.Pkg != "github.com/guestkit/guestkit/bench" || r.Procs != 2 {
		t.Errorf("header: %+v", r)
	}
	if len(r.Samples) != 15 {
		t.Fatalf("%d samples, want 15", len(r.Samples))
	}
	wantFd := Sample{Case: "FdWrite", Impl: "guestkit", Iters: 1000,
		Metrics: map[string]float64{"ns/op": 1.2e6, "ns/write": 300, "B/op": 100, "allocs/op": 2}}
	if d := cmp.Diff(wantFd, r.Samples[6]); d != "" {
		t.Errorf("FdWrite sample (-want +got):\n%s", d)
	}

	got := r.Summarize()
	want := []Result{
		{Case: "ReadRecord", Impl: "guestkit", N: 3, NsOp: 12, BOp: 0, AllocsOp: 0},
		{Case: "ReadRecord", Impl: "handwritten", N: 2, NsOp: 10, BOp: 0, AllocsOp: 0},
		{Case: "ReadRecord", Impl: "wazero", N: 2, NsOp: 21, BOp: 0, AllocsOp: 0},
		{Case: "ReadRecord", Impl: "stdbinary", N: 2, NsOp: 510, BOp: 24, AllocsOp: 1},
		{Case: "CopySlice", Impl: "guestkit", N: 2, NsOp: 85000, BOp: 65536, AllocsOp: 1},
		{Case: "CopySlice", Impl: "copy", N: 2, NsOp: 70000, BOp: 65536, AllocsOp: 1},
		{Case: "FdWrite", Impl: "guestkit", N: 1, NsOp: 1.2e6, BOp: 100, AllocsOp: 2},
		{Case: "FdWrite", Impl: "wazero", N: 1, NsOp: 1e6, BOp: 100, AllocsOp: 2},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Summarize (-want +got):\n%s", d)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{
		"BenchmarkX/a-2 notanumber 1 ns/op",
		"BenchmarkX/a-2 10 1 ns/op 5",
		"BenchmarkX/a-2 10 x ns/op",
		"BenchmarkX/a-2 10 5 B/op",
	} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestNoProcsSuffix(t *testing.T) {
	r, err := Parse(strings.NewReader("BenchmarkLayout/guestkit \t 100 \t 5.0 ns/op\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Procs != 1 || r.Samples[0].Case != "Layout" || r.Samples[0].Impl != "guestkit" {
		t.Errorf("%+v", r)
	}
	if res := r.Summarize(); res[0].BOp != -1 || res[0].AllocsOp != -1 {
		t.Errorf("without -benchmem: %+v", res[0])
	}
}

func TestRender(t *testing.T) {
	r, err := Parse(strings.NewReader(canned))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	m := Machine{CPU: r.CPU, GOOS: r.GOOS, GOARCH: r.GOARCH, GoVersion: "go1.26", Cores: 2, Procs: r.Procs}
	if err := Render(&b, m, 3, r.Summarize()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Machine: Intel(R) Xeon(R) Processor @ 2.80GHz, linux/amd64, go1.26, 2 cores (GOMAXPROCS 2). Medians of 3 runs.",
		"| ReadRecord | guestkit | 12.0 | 0 | 0 | 1.20x | ✓ ≤1.3x handwritten (1.20x); ✓ 0 allocs/op (0 allocs/op); ✓ ≥20x faster than stdbinary (42.50x); ✓ faster than wazero (0.57x wazero) |",
		"| ReadRecord | stdbinary | 510.0 | 24 | 1 | 51.00x |",
		"| CopySlice | guestkit | 85000 | 65536 | 1 | — | ✓ ≥0.8x the throughput of copy (0.82x) |",
		"| FdWrite | guestkit | 1200000 | 100 | 2 | 1.20x | ✗ ≤1.1x wazero (1.20x) |",
		"| ReadRecord | guestkit faster than wazero | 0.57x wazero | ✓ |",
		"| CopySlice | guestkit ≥0.8x the throughput of copy | 0.82x | ✓ |",
		"| FdWrite | guestkit ≤1.1x wazero | 1.20x | ✗ |",
		"5 of 6 targets met.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WriteRecord") {
		t.Errorf("report has targets of cases that did not run:\n%s", out)
	}
}

func TestMissingRival(t *testing.T) {
	res := []Result{{Case: "ReadString", Impl: "guestkit", N: 1, NsOp: 5}, {Case: "Layout", Impl: "guestkit", N: 1, NsOp: 5, BOp: -1, AllocsOp: -1}}
	var got []string
	for _, tg := range Targets(res) {
		v := tg.Check(res)
		got = append(got, v.Case+" "+v.Label()+" "+v.Measured+" "+v.Mark())
	}
	want := []string{
		"ReadString ≤1.5x handwritten not run ✗",
		"Layout 0 allocs/op not run ✗",
		"Layout ≤10 ns/op 5.00 ns/op ✓",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
