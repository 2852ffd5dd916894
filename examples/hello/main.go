// Command hello runs a WebAssembly guest that sends the host a request full
// of guest pointers, and answers it with guestkit: the host declares the
// guest's C types once as Go structs (hellohost/types.go) and reads and writes them
// through guestptr, with no hand-written offsets.
//
//	go run ./examples/hello             # the C guest, guest/hello.wasm (embedded)
//	go run ./examples/hello -guest=go   # the Go guest, goguest, built now
//
// The guest calls the host function guestkit.hello(req, out) -> i32 once,
// checks every field of the reply, then calls guestkit.replies(req, out),
// whose replies the host allocates in the guest through the guest's own
// malloc (a message, and a list of records with strings inside) and writes
// into a guest buffer too small for them (a motto cut on a UTF-8
// boundary); the guest checks every byte and exits 0 if all are right. The host
// follows the request's pointers, checks every value (enum, flags, shape
// kind, bool, UTF-8), prints the request, and writes the reply; on any
// guestptr error it prints the error and returns a nonzero errno instead.
// hello exits 0 only if the guest exited 0 and the host saw a valid request.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/examples/hello/hellohost"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// helloWasm is the C guest, built from guest/hello.c (see
// examples/internal/guestbuild for the exact clang command).
//
//go:embed guest/hello.wasm
var helloWasm []byte

// goGuestPkg is the Go guest's package, built with GOOS=wasip1 GOARCH=wasm.
const goGuestPkg = "github.com/guestkit/guestkit/examples/hello/goguest"

func main() {
	guest := flag.String("guest", "c", "the guest to run: c (guest/hello.wasm) or go (goguest, built with go build)")
	flag.Parse()
	ctx := context.Background()
	wasm := helloWasm
	switch *guest {
	case "c":
	case "go":
		var err error
		if wasm, err = buildGoGuest(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "hello:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "hello: unknown guest %q: want c or go\n", *guest)
		os.Exit(2)
	}
	if err := run(ctx, wasm, os.Stdout); err != nil {
		fmt.Fprintln(os.Stdout, "hello: FAIL:", err)
		os.Exit(1)
	}
}

// run runs the WASI command wasm with guestkit.hello provided, writing the
// host's report and the guest's output to stdout. It returns nil only if the
// guest exited 0 and the host saw a valid request.
func run(ctx context.Context, wasm []byte, stdout io.Writer) error {
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)

	h := &hellohost.Host{Out: hellohost.NewPrefixWriter(stdout, "host: ")}
	_, err := r.NewHostModuleBuilder("guestkit").
		NewFunctionBuilder().
		WithFunc(func(_ context.Context, mod api.Module, req, out uint32) int32 {
			// One adapter per memory, shared by every call: views taken
			// in one call are seen by the next.
			return h.Hello(wazeromem.Of(mod.Memory()), uint64(req), uint64(out))
		}).
		WithParameterNames("req", "out").
		Export("hello").
		NewFunctionBuilder().
		WithFunc(func(ctx context.Context, mod api.Module, req, out uint32) int32 {
			// The replies are allocated in the guest by its own malloc,
			// called back with this call's context.
			alloc, err := wazeromem.Malloc(ctx, mod)
			if err != nil {
				fmt.Fprintf(h.Out, "error: %v\n", err)
				return hellohost.ErrnoNosys
			}
			return h.Replies(wazeromem.Of(mod.Memory()), alloc, uint64(req), uint64(out))
		}).
		WithParameterNames("req", "out").
		Export("replies").
		Instantiate(ctx)
	if err != nil {
		return err
	}

	// Instantiate without running _start, so the module (and its memory)
	// is at hand afterwards; then run _start ourselves.
	cfg := wazero.NewModuleConfig().
		WithName("hello").
		WithArgs("hello").
		WithStdout(hellohost.NewPrefixWriter(stdout, "guest: ")).
		WithStderr(hellohost.NewPrefixWriter(stdout, "guest stderr: ")).
		WithStartFunctions()
	mod, err := r.InstantiateWithConfig(ctx, wasm, cfg)
	if err != nil {
		return err
	}
	defer mod.Close(ctx) // Of keeps nothing alive: no Forget is needed

	start := mod.ExportedFunction("_start")
	if start == nil {
		return errors.New("the guest is not a WASI command: it exports no _start")
	}
	var code uint32
	if _, err := start.Call(ctx); err != nil {
		var exit *sys.ExitError
		if !errors.As(err, &exit) {
			return fmt.Errorf("guest trapped: %w", err)
		}
		code = exit.ExitCode()
	}

	switch {
	case code != 0:
		return fmt.Errorf("the guest exited with code %d", code)
	case h.Calls == 0:
		return errors.New("the guest exited 0 without calling guestkit.hello")
	case !h.Valid:
		return fmt.Errorf("the guest exited 0 but the host saw no valid request: %v", h.Err)
	}
	fmt.Fprintf(stdout, "hello: ok: the guest exited 0 and the host saw a valid request\n")
	return nil
}

// buildGoGuest builds goGuestPkg for GOOS=wasip1 GOARCH=wasm in a temporary
// directory and returns the module. It must run inside this Go module.
func buildGoGuest(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "hello-goguest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "goguest.wasm")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, goGuestPkg)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("GOOS=wasip1 GOARCH=wasm go build %s (run hello from inside the guestkit module): %v\n%s", goGuestPkg, err, msg)
	}
	return os.ReadFile(out)
}
