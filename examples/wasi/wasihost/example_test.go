package wasihost_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/examples/wasi/wasihost"
)

// Run the example C guest (examples/wasi/guest/wasi.c) under wasihost with
// fixed arguments, environment and stdin, and print what it wrote and its
// exit code.
func Example() {
	ctx := context.Background()
	wasm, err := os.ReadFile("../guest/wasi.wasm")
	if err != nil {
		log.Fatal(err)
	}

	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	var stdout, stderr strings.Builder
	_, err = wasihost.Instantiate(ctx, r, wasihost.Config{
		Args:   []string{"wasi", "hello, guest", "exit=3"},
		Env:    []string{"GUESTKIT_GREETING=hi"},
		Stdin:  strings.NewReader("some input\n"),
		Stdout: &stdout,
		Stderr: &stderr,
	})
	if err != nil {
		log.Fatal(err)
	}

	_, err = r.Instantiate(ctx, wasm)
	var exit *sys.ExitError
	if !errors.As(err, &exit) {
		log.Fatal(err)
	}
	fmt.Print(stdout.String())
	fmt.Print(stderr.String())
	fmt.Println("exit code", exit.ExitCode())
	// Output:
	// wasi guest: hello on stdout
	// argc 3
	// argv[0] wasi
	// argv[1] hello, guest
	// argv[2] exit=3
	// getenv GUESTKIT_GREETING=hi
	// getenv GUESTKIT_UNSET unset
	// environ[0] GUESTKIT_GREETING=hi
	// environ count 1
	// stdin 11 bytes fnv1a64 c09188730f2ad591 err OK
	// clock realtime ok yes sane yes
	// clock monotonic ok yes nondecreasing yes
	// clock_getres realtime ok yes sane yes
	// clock_getres monotonic ok yes sane yes
	// nanosleep 2ms ok yes slept at least 2ms yes
	// getentropy ok yes nonzero yes
	// arc4random_buf nonzero yes
	// fd_fdstat_get(1) OK
	// fd_fdstat_get(99) EBADF
	// lseek(99) EBADF
	// close(99) EBADF
	// fd_prestat_get(3) EBADF
	// preopens 0
	// exit 3
	// wasi guest: hello on stderr
	// wasi guest: exit 3
	// exit code 3
}

// Give one run its own configuration through the context, on a host
// shared by many runs.
func ExampleWithConfig() {
	ctx := context.Background()
	wasm, err := os.ReadFile("../guest/wasi.wasm")
	if err != nil {
		log.Fatal(err)
	}
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	if _, err := wasihost.Instantiate(ctx, r, wasihost.Config{}); err != nil {
		log.Fatal(err)
	}
	compiled, err := r.CompileModule(ctx, wasm)
	if err != nil {
		log.Fatal(err)
	}
	for _, arg := range []string{"first", "second"} {
		var stdout strings.Builder
		runCtx, err := wasihost.WithConfig(ctx, wasihost.Config{Args: []string{"wasi", arg}, Stdout: &stdout})
		if err != nil {
			log.Fatal(err)
		}
		// Each instance needs its own name, or none.
		mod, err := r.InstantiateModule(runCtx, compiled, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			log.Fatal(err)
		}
		mod.Close(ctx)
		line, _, _ := strings.Cut(stdout.String()[strings.Index(stdout.String(), "argv[1]"):], "\n")
		fmt.Println(line)
	}
	// Output:
	// argv[1] first
	// argv[1] second
}
