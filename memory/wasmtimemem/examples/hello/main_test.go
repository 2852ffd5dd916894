package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/examples/hello/hellohost"
	"github.com/guestkit/guestkit/guestptr"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory"
)

// wazeroHello is guestkit's examples/hello, the same example on wazero.
const wazeroHello = "../../../../examples/hello"

// TestSameHostAsWazero checks that this example runs examples/hello's guest:
// guest/hello.wasm is a byte-for-byte copy, embedded. The host code and the
// output's prefixes are the same package, examples/hello/hellohost.
func TestSameHostAsWazero(t *testing.T) {
	for _, f := range []string{"guest/hello.wasm"} {
		want, err := os.ReadFile(filepath.Join(wazeroHello, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s: copy it again", f, filepath.Join(wazeroHello, f))
		}
	}
}

// wazeroGolden returns the golden output of examples/hello on wazero (the
// constant golden in its main_test.go), which examples/hello's tests check
// `go run ./examples/hello` prints.
func wazeroGolden(t *testing.T) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(wazeroHello, "main_test.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if len(vs.Names) == 1 && vs.Names[0].Name == "golden" {
					lit, ok := vs.Values[0].(*ast.BasicLit)
					if !ok {
						t.Fatal("golden is not a literal")
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					return s
				}
			}
		}
	}
	t.Fatal("examples/hello/main_test.go declares no golden")
	return ""
}

// bySource groups the lines of an output by who printed them, keeping
// each one's order: the host's, the guest's, then the rest. On wasmtime the
// guest's stdout goes to a file printed after it exits, so the two
// interleave differently than on wazero; each side's lines must match.
func bySource(s string) string {
	var host, guest, rest []string
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "host:"):
			host = append(host, l)
		case strings.HasPrefix(l, "guest"):
			guest = append(guest, l)
		default:
			rest = append(rest, l)
		}
	}
	return strings.Join(host, "") + strings.Join(guest, "") + strings.Join(rest, "")
}

// TestRunCGuest runs the C guest on wasmtime and checks the output is what
// examples/hello prints on wazero, line for line on each side.
func TestRunCGuest(t *testing.T) {
	golden := wazeroGolden(t)
	var out bytes.Buffer
	if err := run(helloWasm, &out); err != nil {
		t.Errorf("run: %v", err)
	}
	if diff := cmp.Diff(bySource(golden), bySource(out.String())); diff != "" {
		t.Errorf("output (-wazero +wasmtime):\n%s", diff)
	}
	// The guest's own verdict, in case golden ever stops saying it.
	if !strings.Contains(out.String(), "guest: PASS: all 26 checks passed\n") {
		t.Errorf("the guest did not pass all 26 checks:\n%s", out.String())
	}
}

// TestRunGoGuest runs examples/hello's Go guest (GOOS=wasip1, built now)
// on wasmtime: the same output as on wazero.
func TestRunGoGuest(t *testing.T) {
	out := filepath.Join(t.TempDir(), "goguest.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = filepath.Join(wazeroHello, "goguest")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=wasip1 GOARCH=wasm go build in %s: %v\n%s", cmd.Dir, err, msg)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(wasm, &stdout); err != nil {
		t.Errorf("run: %v", err)
	}
	if diff := cmp.Diff(bySource(wazeroGolden(t)), bySource(stdout.String())); diff != "" {
		t.Errorf("output (-wazero +wasmtime):\n%s", diff)
	}
}

// TestRunRejectsBadGuests checks run's verdict on guests that are not
// WASI commands or trap.
func TestRunRejectsBadGuests(t *testing.T) {
	for _, tc := range []struct {
		name, err string
		wasm      []byte
	}{
		{"not wasm", "failed to parse WebAssembly module", []byte("hello")},
		{"no _start", "exports no _start", wa.Module()},
		{"trap", "guest trapped", wa.Module(
			wa.Section(wa.SecType, wa.FuncType(nil, nil)),
			wa.Section(wa.SecFunction, wa.Uleb(0)),
			wa.Section(wa.SecExport, wa.Export("_start", wa.ExportFunc, 0)),
			wa.Section(wa.SecCode, wa.Code(nil, []byte{0x00})), // unreachable
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tc.wasm, &out)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("run: %v, want an error containing %q", err, tc.err)
			}
		})
	}
}

// TestRunVerdict runs hand-assembled guests that send a valid or a
// corrupted request through wasmtime and wasmtimemem, and checks run
// succeeds only when the guest exits 0 and the host saw a valid request:
// examples/hello's TestRunVerdict, on wasmtime.
func TestRunVerdict(t *testing.T) {
	golden := wazeroGolden(t)
	hostReport := golden[:strings.Index(golden, "guest: ")]
	badColor := func(t *testing.T, mem *memory.Memory) {
		color, err := guestptr.Field[hellohost.Color](guestptr.New[hellohost.Request](mem, hellohost.SampleReqAddr), "Color")
		if err == nil {
			err = guestptr.Cast[uint8](color).Write(7)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	const colorErr = "read guestptr.Ptr[hellohost.Request] at 0x100: field Color: invalid enum 7 (hellohost.Color has 3 cases)"
	for _, tc := range []struct {
		name             string
		corrupt          func(t *testing.T, mem *memory.Memory)
		call, exitWithRC bool
		err, out         string // err is "" for success
	}{
		{name: "valid", call: true, exitWithRC: true,
			out: hostReport + "hello: ok: the guest exited 0 and the host saw a valid request\n"},
		{name: "corrupt, guest exits with the status", corrupt: badColor, call: true, exitWithRC: true,
			err: "the guest exited with code 28", out: "host: error: " + colorErr + "\n"},
		{name: "corrupt, guest ignores the status", corrupt: badColor, call: true,
			err: "the guest exited 0 but the host saw no valid request: " + colorErr, out: "host: error: " + colorErr + "\n"},
		{name: "no call",
			err: "the guest exited 0 without calling guestkit.hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem, err := hellohost.SampleRequest()
			if err != nil {
				t.Fatal(err)
			}
			if tc.corrupt != nil {
				tc.corrupt(t, mem)
			}
			var out bytes.Buffer
			err = run(hellohost.SampleGuest(mem, tc.call, tc.exitWithRC), &out)
			if got := fmt.Sprint(err); tc.err == "" && err != nil || tc.err != "" && got != tc.err {
				t.Errorf("run: %v, want %q", err, tc.err)
			}
			if diff := cmp.Diff(tc.out, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}
