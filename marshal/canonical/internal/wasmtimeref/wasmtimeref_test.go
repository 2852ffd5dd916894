package wasmtimeref

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/marshal/canonical/internal/fault"
	"github.com/guestkit/guestkit/marshal/canonical/internal/witgen"
)

// componentOf wraps a batch's core module as a component with jco's
// wasm-tools (componentEmbed, componentNew) under node; wasmtime has no
// API for that.
func componentOf(t *testing.T, b *witgen.Batch) []byte {
	t.Helper()
	node, err := exec.LookPath("node")
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "node"))
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@bytecodealliance", "jco", "package.json"))
		if err != nil && os.Getenv("GUESTKIT_REQUIRE_REFERENCE") == "1" {
			cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
			cmd.Dir = dir
			if out, ierr := cmd.CombinedOutput(); ierr != nil {
				t.Fatalf("npm install: %v\n%s", ierr, out)
			}
			err = nil
		}
	}
	if err != nil {
		if os.Getenv("GUESTKIT_REQUIRE_REFERENCE") == "1" {
			t.Fatalf("node and jco are needed to build the component: %v", err)
		}
		t.Skipf("node or jco missing, skipping the wasmtime differential test (the component is built with jco's wasm-tools): %v", err)
	}
	tmp := t.TempDir()
	spec, _ := json.Marshal(map[string]any{"wat": b.WAT, "wit": b.WIT, "encoding": witgen.EncodingName(b.Encoding), "cases": len(b.Cases)})
	specPath := filepath.Join(tmp, "spec.json")
	if err := os.WriteFile(specPath, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "diff.mjs"), specPath, tmp, "component-only")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jco: %v\n%s", err, out)
	}
	c, err := os.ReadFile(filepath.Join(tmp, "component.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func run(t *testing.T, b *witgen.Batch) []string {
	t.Helper()
	mem := make([]byte, b.Pages<<16)
	copy(mem, b.Image)
	var bad []string
	err := Run(componentOf(t, b), len(b.Cases), func(i int) uint32 { return uint32(witgen.SlotBase + 4*i) },
		func(i int, base uint32, region, slot []byte, caseErr error) {
			// The memory as wasmtime left it after case i: the image
			// guestkit lowered, plus what echo<i> allocated and its slot.
			copy(mem[base:], region)
			copy(mem[witgen.SlotBase+4*i:], slot)
			herr := ""
			if caseErr != nil {
				herr = caseErr.Error()
			}
			if m := b.CheckCase(i, mem, herr); m != "" {
				bad = append(bad, m)
			}
			clear(mem[base : int(base)+len(region)]) // past the image: zero before
			copy(mem[witgen.SlotBase+4*i:witgen.SlotBase+4*i+4], b.Image[witgen.SlotBase+4*i:])
		})
	if errors.Is(err, ErrNoCgo) {
		if os.Getenv("GUESTKIT_REQUIRE_REFERENCE") == "1" {
			t.Fatal(err)
		}
		t.Skipf("reference host wasmtime missing, skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("wasmtime: %v", err)
	}
	return bad
}

// TestDifferentialWasmtime: random WIT values lowered by guestkit into a
// core module, lifted by wasmtime from one export and lowered by wasmtime
// into another, lifted again by guestkit; all three string encodings.
func TestDifferentialWasmtime(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 60
	}
	cases, mismatches := 0, 0
	for _, enc := range []canonical.StringEncoding{canonical.UTF8, canonical.UTF16, canonical.Latin1UTF16} {
		b, err := witgen.NewBatch(41, n, enc)
		if err != nil {
			t.Fatal(err)
		}
		bad := run(t, b)
		cases += len(b.Cases)
		mismatches += len(bad)
		for i, m := range bad {
			if i < 5 {
				t.Errorf("%s: %s", enc, m)
			}
		}
	}
	fmt.Printf("canonical differential: %d cases, %d mismatches (guestkit and wasmtime, utf8, utf16 and latin1+utf16)\n", cases, mismatches)
}

// TestDifferentialWasmtimeCatchesFault breaks the variant payload offset
// and checks the test sees it.
func TestDifferentialWasmtimeCatchesFault(t *testing.T) {
	fault.VariantPayload.Store(true)
	b, err := witgen.NewBatch(42, 80, canonical.Latin1UTF16)
	fault.VariantPayload.Store(false)
	if err != nil {
		t.Fatal(err)
	}
	if bad := run(t, b); len(bad) == 0 {
		t.Fatal("a broken variant payload offset went unnoticed")
	} else {
		t.Logf("broken variant payload offset: %d of %d cases mismatch", len(bad), len(b.Cases))
	}
}
