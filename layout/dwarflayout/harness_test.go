package dwarflayout_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// requireClang returns a compiler, or skips the test without clang (and,
// when wasi is set, without wasi-libc and wasm-ld to link a WASI guest);
// with GUESTKIT_REQUIRE_CLANG=1 it fails instead.
func requireClang(t *testing.T, wasi bool) dwarflayout.Compiler {
	t.Helper()
	var cc dwarflayout.Compiler
	err := cc.Available()
	if err == nil && wasi {
		if _, lerr := exec.LookPath("wasm-ld"); lerr != nil {
			err = fmt.Errorf("wasm-ld not found: %s", dwarflayout.InstallHint)
		} else if _, serr := os.Stat(filepath.Join(dwarflayout.WASISysroot, "lib", "wasm32-wasi", "libc.a")); serr != nil {
			err = fmt.Errorf("wasi-libc not found: %s", dwarflayout.InstallHint)
		} else if out, perr := exec.Command("clang", "--target=wasm32-wasi", "--sysroot="+dwarflayout.WASISysroot, "-print-libgcc-file-name").Output(); perr != nil {
			err = fmt.Errorf("clang -print-libgcc-file-name: %v", perr)
		} else if _, serr := os.Stat(strings.TrimSpace(string(out))); serr != nil {
			err = fmt.Errorf("%s missing: %s", strings.TrimSpace(string(out)), dwarflayout.InstallHint)
		}
	}
	if err != nil {
		if os.Getenv("GUESTKIT_REQUIRE_CLANG") == "1" {
			t.Fatalf("%v (GUESTKIT_REQUIRE_CLANG=1)", err)
		}
		t.Skipf("%v (set GUESTKIT_REQUIRE_CLANG=1 to make this an error)", err)
	}
	return cc
}

// repoRoot returns the directory of this module's go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !bytes.Contains(b, []byte("module github.com/guestkit/guestkit\n")) {
		t.Fatalf("%s is not the guestkit module root (%v)", root, err)
	}
	return root
}

// harnessCheck is the part of every harness program that checks types
// against a guest and writes their C header.
const harnessCheck = `
type result struct {
	Types, Mismatches int
	Failures          []string
	Err               string
	Header            string
}

func check(wasm string, types []reflect.Type, opts dwarflayout.Options) result {
	var r result
	g, err := dwarflayout.Open(wasm)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	reports, err := g.Check(types, opts)
	if err != nil {
		r.Err = err.Error()
	}
	r.Types = len(reports)
	for _, rep := range reports {
		if !rep.OK() {
			r.Mismatches++
			if len(r.Failures) < 5 {
				r.Failures = append(r.Failures, rep.String())
			}
		}
	}
	h, err := dwarflayout.CHeader(types, dwarflayout.CHeaderOptions{})
	if err != nil {
		r.Err += err.Error()
	}
	r.Header = string(h)
	return r
}
`

// harnessResult is what check reports, as JSON.
type harnessResult struct {
	Types, Mismatches int
	Failures          []string
	Err               string
	Header            string
}

// runHarness writes a module with the generated packages (import path
// harness/NAME) and a main package whose main body is body, builds it
// once, runs it with args, and decodes its JSON output into out. The
// source depends on no path, so a second run finds the build cached.
func runHarness(t *testing.T, pkgs map[string][]byte, imports []string, body string, args []string, out any) {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	if keep := os.Getenv("GUESTLAYOUT_HARNESS_DIR"); keep != "" {
		dir = keep // kept for debugging
	}
	gomod := fmt.Sprintf("module harness\n\ngo 1.25.0\n\nrequire github.com/guestkit/guestkit v0.0.0-00010101000000-000000000000\n\nreplace github.com/guestkit/guestkit => %s\n", root)
	files := map[string][]byte{"go.mod": []byte(gomod)}
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		files["go.sum"] = sum
	}
	for name, src := range pkgs {
		files[filepath.Join(name, name+".go")] = src
		imports = append(imports, "harness/"+name)
	}
	sort.Strings(imports)
	var main strings.Builder
	main.WriteString("package main\n\nimport (\n\t\"encoding/json\"\n\t\"os\"\n\t\"reflect\"\n\n\t\"github.com/guestkit/guestkit/layout/dwarflayout\"\n")
	for _, imp := range imports {
		fmt.Fprintf(&main, "\t%q\n", imp)
	}
	main.WriteString(")\n" + harnessCheck + "\nfunc main() {\n\tout := map[string]any{}\n" + body + "\n\tjson.NewEncoder(os.Stdout).Encode(out)\n}\n")
	files["main.go"] = []byte(main.String())
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	build := exec.Command("go", "build", "-trimpath", "-o", "harness", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the harness in %s: %v\n%s", dir, err, msg)
	}
	built := time.Now()
	cmd := exec.Command(filepath.Join(dir, "harness"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the harness in %s: %v\n%s", dir, err, stderr.String())
	}
	t.Logf("harness built in %v, ran in %v", built.Sub(start).Round(time.Millisecond), time.Since(built).Round(time.Millisecond))
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("harness output: %v\n%s", err, stdout.String())
	}
}

// typeList returns Go source for a []reflect.Type of pkg's types.
func typeList(pkg string, gen *dwarflayout.Generated) string {
	var b strings.Builder
	b.WriteString("[]reflect.Type{")
	for _, t := range gen.Types {
		fmt.Fprintf(&b, "reflect.TypeFor[%s.%s](), ", pkg, t.Name)
	}
	b.WriteString("}")
	return b.String()
}

// nameMap returns Go source for a map[string]string literal.
func nameMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("map[string]string{")
	for _, k := range keys {
		fmt.Fprintf(&b, "%q: %q, ", k, m[k])
	}
	b.WriteString("}")
	return b.String()
}
