package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
	"github.com/guestkit/guestkit/examples/wasi/wasihost"
)

// compileCache shares compiled guests between the runs of the test.
var compileCache = wazero.NewCompilationCache()

// runCase is one run of a guest: its inputs.
type runCase struct {
	name  string
	args  []string
	env   [][2]string
	stdin string
	files bool // mount a fresh directory as "/"
}

// outcome is what a run of a guest produced, as the guest shows it to the
// world, plus the WASI calls it made and the errno each returned.
type outcome struct {
	Stdout, Stderr string
	ExitCode       uint32
	// Calls are the distinct "function errno" pairs of the run's WASI
	// calls, sorted: what each function answered, whatever the timing.
	Calls []string
}

var greetingEnv = [][2]string{{"GUESTKIT_GREETING", "hi there"}, {"B_SECOND", "2"}, {"A_THIRD", "x=y"}}

var runs = []runCase{
	{name: "no args", args: []string{"wasi"}},
	{name: "args env stdin exit=3", args: []string{"wasi", "alpha", "two words", "exit=3"}, env: greetingEnv,
		stdin: "line one\nline two\n\x00\xff binary tail"},
	{name: "unicode and exit=0", args: []string{"wasi", "héllo wörld", "", "exit=0"}, env: [][2]string{{"EMPTY", ""}, {"UNI", "ünï"}}},
	{name: "files", args: []string{"wasi", "files"}, files: true},
	{name: "large stdin exit=42", args: []string{"wasi", "exit=42"}, env: greetingEnv,
		stdin: strings.Repeat("0123456789abcdef\n", 10000)},
}

// guests returns the example guests: the committed C build and the Go
// guest, built now.
func guests(t *testing.T) map[string][]byte {
	t.Helper()
	root, err := guestbuild.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.ReadFile(filepath.Join(root, "examples", "wasi", "guest", "wasi.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	goWasm, err := guestbuild.GoWasm("examples/wasi/goguest")
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"c": c, "go": goWasm}
}

// TestCompareWithWazero runs each example guest under wasihost and under
// wazero's own wasi_snapshot_preview1 with the same arguments, environment
// and stdin, and requires the same stdout, stderr, exit code and errno for
// every WASI function called.
func TestCompareWithWazero(t *testing.T) {
	for name, wasm := range guests(t) {
		for _, rc := range runs {
			// Not in parallel: wazero's compiler races when runtimes that
			// share a compilation cache compile and instantiate one
			// module at once with function listeners.
			t.Run(name+"/"+rc.name, func(t *testing.T) {
				want := runWazero(t, wasm, rc)
				got := runGuestkit(t, wasm, rc)
				if name == "go" {
					// The Go runtime meets its 2ms timer with or without
					// a poll_oneoff, depending on timing.
					want.Calls = slices.DeleteFunc(want.Calls, isPollOK)
					got.Calls = slices.DeleteFunc(got.Calls, isPollOK)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("wasihost differs from wazero's wasi_snapshot_preview1 (-wazero +wasihost):\n%s", diff)
				}
				t.Logf("exit %d, WASI calls: %v", got.ExitCode, got.Calls)
				if !strings.Contains(got.Stdout, fmt.Sprintf("exit %d\n", got.ExitCode)) {
					t.Errorf("exit code %d, stdout:\n%s", got.ExitCode, got.Stdout)
				}
			})
		}
	}
}

func isPollOK(call string) bool { return call == "poll_oneoff ESUCCESS" }

// calls records the errno of every WASI function a guest calls.
type calls struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *calls) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if def.ModuleName() != wasihost.ModuleName {
		return nil
	}
	return listener{c, def.Name()}
}

func (c *calls) sorted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k := range c.seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type listener struct {
	c    *calls
	name string
}

func (listener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
}

func (l listener) After(_ context.Context, _ api.Module, def api.FunctionDefinition, results []uint64) {
	key := l.name
	if len(def.ResultTypes()) == 1 && len(results) > 0 {
		key += " " + wasihost.Errno(uint32(results[0])).String()
	}
	l.c.mu.Lock()
	l.c.seen[key] = true
	l.c.mu.Unlock()
}

func (l listener) Abort(context.Context, api.Module, api.FunctionDefinition, error) {
	l.c.mu.Lock()
	l.c.seen[l.name+" (no return)"] = true
	l.c.mu.Unlock()
}

// start instantiates wasm in a runtime whose WASI module host makes, and
// returns the outcome.
func start(t *testing.T, wasm []byte, cfg wazero.ModuleConfig, host func(context.Context, wazero.Runtime) error, stdout, stderr *bytes.Buffer) outcome {
	t.Helper()
	rec := &calls{seen: map[string]bool{}}
	ctx := experimental.WithFunctionListenerFactory(context.Background(), rec)
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(compileCache))
	defer r.Close(ctx)
	if err := host(ctx, r); err != nil {
		t.Fatal(err)
	}
	cm, err := r.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.InstantiateModule(ctx, cm, cfg)
	o := outcome{Stdout: stdout.String(), Stderr: stderr.String(), Calls: rec.sorted()}
	var exit *sys.ExitError
	switch {
	case errors.As(err, &exit):
		o.ExitCode = exit.ExitCode()
	case err != nil:
		t.Fatalf("run failed: %v\nstdout:\n%s\nstderr:\n%s", err, o.Stdout, o.Stderr)
	}
	return o
}

// runWazero runs wasm under wazero's wasi_snapshot_preview1 with real
// clocks and sleep.
func runWazero(t *testing.T, wasm []byte, rc runCase) outcome {
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().
		WithArgs(rc.args...).
		WithStdin(strings.NewReader(rc.stdin)).
		WithStdout(&stdout).
		WithStderr(&stderr).
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep()
	for _, kv := range rc.env {
		cfg = cfg.WithEnv(kv[0], kv[1])
	}
	if rc.files {
		cfg = cfg.WithFSConfig(wazero.NewFSConfig().WithDirMount(t.TempDir(), "/"))
	}
	return start(t, wasm, cfg, func(ctx context.Context, r wazero.Runtime) error {
		_, err := wasi_snapshot_preview1.Instantiate(ctx, r)
		return err
	}, &stdout, &stderr)
}

// runGuestkit runs wasm under wasihost.
func runGuestkit(t *testing.T, wasm []byte, rc runCase) outcome {
	var stdout, stderr bytes.Buffer
	cfg := wasihost.Config{
		Args:   rc.args,
		Stdin:  strings.NewReader(rc.stdin),
		Stdout: &stdout,
		Stderr: &stderr,
	}
	for _, kv := range rc.env {
		cfg.Env = append(cfg.Env, kv[0]+"="+kv[1])
	}
	if rc.files {
		cfg.Preopens = []wasihost.Preopen{{GuestPath: "/", Dir: t.TempDir()}}
	}
	return start(t, wasm, wazero.NewModuleConfig(), func(ctx context.Context, r wazero.Runtime) error {
		_, err := wasihost.Instantiate(ctx, r, cfg)
		return err
	}, &stdout, &stderr)
}
