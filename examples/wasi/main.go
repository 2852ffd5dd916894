// Command wasi runs an example WASI guest under wasihost, the WASI
// preview1 host written with guestptr:
//
//	go run ./examples/wasi [-guest c|go] [args...]
//
// The guest gets the process's stdin, stdout and stderr, the arguments
// after the flags (behind "wasi" as argv[0]), and a small fixed
// environment; the command exits with the guest's exit code ("exit=N" as an
// argument makes the example guests exit with N).
//
// The C guest is the committed examples/wasi/guest/wasi.wasm, embedded in
// the command; the Go guest (examples/wasi/goguest) is built with
// GOOS=wasip1 GOARCH=wasm when asked for, so run the command from inside
// the module.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
	"github.com/guestkit/guestkit/examples/wasi/wasihost"
)

//go:embed guest/wasi.wasm
var cGuest []byte

// env is the environment every guest gets.
var env = []string{"GUESTKIT_GREETING=hello from guestkit", "GUESTKIT_HOST=wasihost"}

func main() {
	guest := flag.String("guest", "c", "the guest to run: c (examples/wasi/guest) or go (examples/wasi/goguest)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./examples/wasi [-guest c|go] [args...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	code, err := run(context.Background(), *guest, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasi:", err)
		os.Exit(1)
	}
	os.Exit(int(code))
}

// run runs the guest named with args and returns its exit code.
func run(ctx context.Context, guest string, args []string) (uint32, error) {
	var wasm []byte
	switch guest {
	case "c":
		wasm = cGuest
	case "go":
		b, err := guestbuild.GoWasm("examples/wasi/goguest")
		if err != nil {
			return 0, err
		}
		wasm = b
	default:
		return 0, fmt.Errorf("unknown guest %q: want c or go", guest)
	}

	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	if _, err := wasihost.Instantiate(ctx, r, wasihost.Config{
		Args:   append([]string{"wasi"}, args...),
		Env:    env,
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}); err != nil {
		return 0, err
	}
	_, err := r.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig())
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}
