package guestbuild_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// cache shares compiled code between the runs of one test process.
var cache = wazero.NewCompilationCache()

// runConfig describes one run of a guest under wazero.
type runConfig struct {
	args  []string
	env   [][2]string
	stdin string
	// mounts maps guest paths to host directories, each becoming a preopen.
	mounts [][2]string
	// host, if set, instantiates extra host modules (such as "guestkit").
	host func(ctx context.Context, r wazero.Runtime) error
	// fullWASI gives the guest all of wazero's WASI preview1. Otherwise
	// every imported WASI function outside guestbuild.WASIFunctions answers
	// ENOSYS, as on the guestkit host.
	fullWASI bool
}

// runResult is what one run produced.
type runResult struct {
	stdout, stderr string
	exitCode       uint32
	// wasiCalls are the distinct wasi_snapshot_preview1 functions called.
	wasiCalls []string
}

// callRecorder records which imported WASI functions a guest calls.
type callRecorder struct {
	mu    sync.Mutex
	names map[string]bool
}

func (c *callRecorder) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	if def.ModuleName() != guestbuild.WASIModule {
		return nil
	}
	name := def.Name()
	return experimental.FunctionListenerFunc(func(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
		c.mu.Lock()
		c.names[name] = true
		c.mu.Unlock()
	})
}

func (c *callRecorder) sorted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for n := range c.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// runGuest runs the WASI command wasm under wazero's own WASI preview1 (see
// runConfig.fullWASI) with real clocks and sleep, and returns its output and
// exit code.
func runGuest(t *testing.T, wasm []byte, rc runConfig) runResult {
	t.Helper()
	rec := &callRecorder{names: map[string]bool{}}
	ctx := experimental.WithFunctionListenerFactory(context.Background(), rec)
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(cache))
	defer r.Close(ctx)
	cm, err := r.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	if rc.fullWASI {
		wasi_snapshot_preview1.MustInstantiate(ctx, r)
	} else if err := instantiateRestrictedWASI(ctx, r, cm); err != nil {
		t.Fatal(err)
	}
	if rc.host != nil {
		if err := rc.host(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().
		WithArgs(rc.args...).
		WithStdin(bytes.NewReader([]byte(rc.stdin))).
		WithStdout(&stdout).
		WithStderr(&stderr).
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(randSource{})
	for _, kv := range rc.env {
		cfg = cfg.WithEnv(kv[0], kv[1])
	}
	if len(rc.mounts) > 0 {
		fs := wazero.NewFSConfig()
		for _, m := range rc.mounts {
			fs = fs.WithReadOnlyDirMount(m[1], m[0])
		}
		cfg = cfg.WithFSConfig(fs)
	}
	mod, err := r.InstantiateModule(ctx, cm, cfg)
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), wasiCalls: rec.sorted()}
	var exit *sys.ExitError
	switch {
	case err == nil:
		mod.Close(ctx)
	case errors.As(err, &exit):
		res.exitCode = exit.ExitCode()
	default:
		t.Fatalf("run failed: %v\nstdout:\n%s\nstderr:\n%s", err, res.stdout, res.stderr)
	}
	return res
}

// errnoNosys is WASI preview1's ENOSYS.
const errnoNosys = 52

// instantiateRestrictedWASI instantiates wazero's WASI preview1 with every
// function that cm imports from it but that is not in
// guestbuild.WASIFunctions replaced by one returning ENOSYS.
func instantiateRestrictedWASI(ctx context.Context, r wazero.Runtime, cm wazero.CompiledModule) error {
	b := r.NewHostModuleBuilder(guestbuild.WASIModule)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		if mod != guestbuild.WASIModule || slices.Contains(guestbuild.WASIFunctions, name) {
			continue
		}
		results := def.ResultTypes()
		b.NewFunctionBuilder().
			WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, stack []uint64) {
				if len(results) > 0 {
					stack[0] = errnoNosys
				}
			}), def.ParamTypes(), results).
			Export(name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

// randSource is a fixed random source that never yields an all-zero buffer;
// the guests print only whether random bytes are nonzero.
type randSource struct{}

func (randSource) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*131 + 7)
	}
	return len(p), nil
}

func committedC(t *testing.T, name string) []byte {
	t.Helper()
	for _, g := range guestbuild.CGuests {
		if g.Name == name {
			root, err := guestbuild.ModuleRoot()
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(root, g.Wasm()))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("no C guest %q", name)
	return nil
}

func goGuest(t *testing.T, pkg string) []byte {
	t.Helper()
	b, err := os.ReadFile(guestbuild.BuildGo(t, pkg))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// outsideList returns the names not in guestbuild.WASIFunctions.
func outsideList(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(guestbuild.WASIFunctions, n) {
			out = append(out, n)
		}
	}
	return out
}
