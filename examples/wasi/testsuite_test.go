package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
	"github.com/guestkit/guestkit/examples/wasi/wasihost"
)

// The WebAssembly/wasi-testsuite's preview1 tests, run under wasihost and
// under wazero's built-in WASI side by side. The prebuilt suite lives
// outside the project, at ../shared/wasi-testsuite/ from the module root;
// see its README for the semantics of a test, which suiteCase follows.

// requireSuiteEnv makes a missing suite a failure rather than a skip.
const requireSuiteEnv = "GUESTKIT_REQUIRE_WASI_TESTSUITE"

// suiteCase is one test of the suite: a wasm file and its JSON spec.
type suiteCase struct {
	name     string // "rust/fd_readdir"
	wasm     string
	args     []string
	env      [][2]string // in file order
	root     string      // a directory to preopen as "/", copied per run
	stdin    string
	stdout   *string
	exitCode uint32
}

// suiteResult is how one run of a case went: "" if it passed, else why
// not.
type suiteResult string

// TestWASITestsuite runs every preview1 test of the suite under both
// hosts, prints a table and the scores, and fails if a test wazero passes
// fails under wasihost.
func TestWASITestsuite(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the wasi-testsuite takes a while")
	}
	cases := loadSuite(t)
	type row struct {
		name                string
		wasihost, wazeroRes suiteResult
	}
	var rows []row
	for _, c := range cases {
		var r row
		r.name = c.name
		ran := false
		t.Run(c.name, func(t *testing.T) {
			ran = true
			r.wazeroRes = runSuiteCase(t, c, "wazero")
			r.wasihost = runSuiteCase(t, c, "wasihost")
			switch {
			case r.wazeroRes == "" && r.wasihost != "":
				t.Errorf("passes under wazero, fails under wasihost: %s", r.wasihost)
			case r.wasihost != "":
				t.Logf("fails under wasihost: %s", r.wasihost)
			}
		})
		if ran {
			rows = append(rows, r)
		}
	}
	var b strings.Builder
	mark := func(r suiteResult) string {
		if r == "" {
			return "pass"
		}
		return "FAIL"
	}
	okHost, okWazero := 0, 0
	fmt.Fprintf(&b, "%-50s %-8s %-8s\n", "test", "wasihost", "wazero")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-50s %-8s %-8s", r.name, mark(r.wasihost), mark(r.wazeroRes))
		if r.wasihost != "" {
			fmt.Fprintf(&b, "  wasihost: %.150s", strings.ReplaceAll(string(r.wasihost), "\n", " | "))
		}
		b.WriteString("\n")
		if r.wasihost == "" {
			okHost++
		}
		if r.wazeroRes == "" {
			okWazero++
		}
	}
	fmt.Fprintf(&b, "wasi-testsuite: wasihost %d/%d, wazero %d/%d\n", okHost, len(rows), okWazero, len(rows))
	t.Log("\n" + b.String())
	fmt.Print(b.String())
}

// loadSuite unpacks the suite into a temporary directory and reads its
// cases, sorted by name.
func loadSuite(t *testing.T) []suiteCase {
	t.Helper()
	root, err := guestbuild.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tarball := filepath.Join(root, "..", "shared", "wasi-testsuite", "testsuite-wasip1.tar.gz")
	f, err := os.Open(tarball)
	if err != nil {
		if os.Getenv(requireSuiteEnv) == "1" {
			t.Fatalf("%s=1 but the wasi-testsuite is missing: %v", requireSuiteEnv, err)
		}
		t.Skipf("wasi-testsuite not found (%v); unpack WebAssembly/wasi-testsuite's prebuilt preview1 tests there to run it", err)
	}
	defer f.Close()
	dir := t.TempDir()
	if err := untar(f, dir); err != nil {
		t.Fatalf("unpacking %s: %v", tarball, err)
	}
	var cases []suiteCase
	for _, lang := range []string{"assemblyscript", "c", "rust"} {
		tdir := filepath.Join(dir, "testsuite", "tests", lang, "testsuite", "wasm32-wasip1")
		wasms, _ := filepath.Glob(filepath.Join(tdir, "*.wasm"))
		for _, w := range wasms {
			c, err := readCase(lang, w)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no tests in %s", tarball)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].name < cases[j].name })
	return cases
}

// untar unpacks a .tar.gz into dir, refusing names that leave it.
func untar(r io.Reader, dir string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if !filepath.IsLocal(name) {
			return fmt.Errorf("bad name %q", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, b, 0o644|os.FileMode(h.Mode)&0o111); err != nil {
				return err
			}
		}
	}
}

// readCase reads the spec of the test in wasm: the JSON file beside it,
// if any.
func readCase(lang, wasm string) (suiteCase, error) {
	base := strings.TrimSuffix(filepath.Base(wasm), ".wasm")
	c := suiteCase{name: lang + "/" + base, wasm: wasm}
	b, err := os.ReadFile(strings.TrimSuffix(wasm, ".wasm") + ".json")
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	var spec struct {
		Args     []string        `json:"args"`
		Env      json.RawMessage `json:"env"`
		Root     string          `json:"root"`
		Stdin    string          `json:"stdin"`
		Stdout   *string         `json:"stdout"`
		ExitCode uint32          `json:"exit_code"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return c, fmt.Errorf("%s: %w", c.name, err)
	}
	c.args, c.stdin, c.stdout, c.exitCode = spec.Args, spec.Stdin, spec.Stdout, spec.ExitCode
	if spec.Root != "" {
		c.root = filepath.Join(filepath.Dir(wasm), spec.Root)
	}
	if len(spec.Env) > 0 {
		// The environment in file order: a map would lose it.
		dec := json.NewDecoder(bytes.NewReader(spec.Env))
		if _, err := dec.Token(); err != nil {
			return c, err
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return c, err
			}
			var v string
			if err := dec.Decode(&v); err != nil {
				return c, err
			}
			c.env = append(c.env, [2]string{k.(string), v})
		}
	}
	return c, nil
}

// copyDir copies the tree at src to dst, symbolic links as links.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}

// suiteTimeout bounds one run of one test.
const suiteTimeout = 60 * time.Second

// runSuiteCase runs c under host ("wasihost" or "wazero") and says how it
// went.
func runSuiteCase(t *testing.T, c suiteCase, host string) suiteResult {
	t.Helper()
	wasm, err := os.ReadFile(c.wasm)
	if err != nil {
		t.Fatal(err)
	}
	var dir string
	if c.root != "" {
		dir = t.TempDir()
		if err := copyDir(c.root, dir); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), suiteTimeout)
	defer cancel()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(compileCache).WithCloseOnContextDone(true))
	defer r.Close(ctx)
	var stdout, stderr bytes.Buffer
	args := append([]string{filepath.Base(c.wasm)}, c.args...)
	cfg := wazero.NewModuleConfig()
	switch host {
	case "wazero":
		cfg = cfg.WithArgs(args...).WithStdin(strings.NewReader(c.stdin)).WithStdout(&stdout).WithStderr(&stderr).
			WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader)
		for _, kv := range c.env {
			cfg = cfg.WithEnv(kv[0], kv[1])
		}
		if dir != "" {
			cfg = cfg.WithFSConfig(wazero.NewFSConfig().WithDirMount(dir, "/"))
		}
		if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
			t.Fatal(err)
		}
	case "wasihost":
		hc := wasihost.Config{Args: args, Stdin: strings.NewReader(c.stdin), Stdout: &stdout, Stderr: &stderr}
		for _, kv := range c.env {
			hc.Env = append(hc.Env, kv[0]+"="+kv[1])
		}
		if dir != "" {
			hc.Preopens = []wasihost.Preopen{{GuestPath: "/", Dir: dir}}
		}
		h, err := wasihost.New(hc)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if _, err := h.Instantiate(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	_, err = r.InstantiateWithConfig(ctx, wasm, cfg)
	var code uint32
	var exit *sys.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return suiteResult(fmt.Sprintf("%v (after %v); stderr: %s; stdout: %s", err, time.Since(start).Round(time.Millisecond), stderr.String(), stdout.String()))
	}
	var why []string
	if code != c.exitCode {
		why = append(why, fmt.Sprintf("exit code %d, want %d", code, c.exitCode))
	}
	if c.stdout != nil {
		got := stdout.String()
		if len(got) > len(*c.stdout) {
			got = got[:len(*c.stdout)]
		}
		if got != *c.stdout {
			why = append(why, fmt.Sprintf("stdout %q, want %q", stdout.String(), *c.stdout))
		}
	}
	if len(why) > 0 {
		return suiteResult(strings.Join(why, "; ") + "; stderr: " + stderr.String())
	}
	return ""
}
