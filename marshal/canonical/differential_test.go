package canonical_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/marshal/canonical/internal/fault"
	"github.com/guestkit/guestkit/marshal/canonical/internal/witgen"
)

// requireReference reports whether missing reference hosts fail the test
// (CI sets GUESTKIT_REQUIRE_REFERENCE=1) instead of skipping it.
func requireReference() bool { return os.Getenv("GUESTKIT_REQUIRE_REFERENCE") == "1" }

// jcoHost returns the node binary and the reference script, installing
// the npm packages when GUESTKIT_REQUIRE_REFERENCE=1; it skips the test
// when they are missing otherwise.
func jcoHost(t *testing.T) (node, script string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if requireReference() {
			t.Fatalf("reference host jco: %s", msg)
		}
		t.Skipf("reference host jco missing, skipping the differential test: %s (set GUESTKIT_REQUIRE_REFERENCE=1 to install and require it)", msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "node"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@bytecodealliance", "jco", "package.json")); err != nil {
		if !requireReference() {
			missing("npm packages not installed (run: cd %s && npm install)", dir)
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			missing("npm install: %v\n%s", err, out)
		}
	}
	return node, filepath.Join(dir, "diff.mjs")
}

// runJCO runs one batch through jco and returns guestkit's mismatches.
func runJCO(t *testing.T, node, script string, b *witgen.Batch) []string {
	t.Helper()
	dir := t.TempDir()
	spec, err := json.Marshal(map[string]any{"wat": b.WAT, "wit": b.WIT, "encoding": witgen.EncodingName(b.Encoding), "cases": len(b.Cases)})
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specPath, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(node, script, specPath, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, msg)
	}
	mem, err := os.ReadFile(filepath.Join(out, "memory.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Lifted []json.RawMessage `json:"lifted"`
		Errors []string          `json:"errors"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "lifted.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	return b.Check(mem, res.Errors)
}

var jcoEncodings = []canonical.StringEncoding{canonical.UTF8, canonical.UTF16}

// TestDifferentialJCO lowers random WIT values with guestkit into a core
// module's memory, lets jco (transpiled, under node) lift them from a
// guest export and lower them again into the guest through another, and
// lifts the result with guestkit: values must come back unchanged, for
// every string encoding.
func TestDifferentialJCO(t *testing.T) {
	node, script := jcoHost(t)
	n := 400
	if testing.Short() {
		n = 60
	}
	cases, mismatches := 0, 0
	// jco's transpiler supports utf8 and utf16 only (it asserts on
	// latin1+utf16, "compact-utf16"); the wasmtime reference host covers
	// all three.
	for _, enc := range jcoEncodings {
		b, err := witgen.NewBatch(14, n, enc)
		if err != nil {
			t.Fatal(err)
		}
		bad := runJCO(t, node, script, b)
		cases += len(b.Cases)
		mismatches += len(bad)
		for i, m := range bad {
			if i < 5 {
				t.Errorf("%s: %s", enc, m)
			}
		}
	}
	fmt.Printf("canonical differential: %d cases, %d mismatches (guestkit and jco, utf8 and utf16)\n", cases, mismatches)
}

// TestDifferentialJCOCatchesFault breaks one rule, the variant payload
// offset, and checks the differential test sees it.
func TestDifferentialJCOCatchesFault(t *testing.T) {
	node, script := jcoHost(t)
	fault.VariantPayload.Store(true)
	b, err := witgen.NewBatch(15, 80, canonical.UTF8)
	fault.VariantPayload.Store(false)
	if err != nil {
		t.Fatal(err)
	}
	bad := runJCO(t, node, script, b)
	if len(bad) == 0 {
		t.Fatal("a broken variant payload offset went unnoticed")
	}
	t.Logf("broken variant payload offset: %d of %d cases mismatch, e.g.\n%s", len(bad), len(b.Cases), strings.SplitN(bad[0], "\n", 2)[0])
}
