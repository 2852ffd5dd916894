// Command hello is guestkit's examples/hello on wasmtime instead of wazero:
// the same C guest sends the host a request full of guest pointers, and the
// same host code (package examples/hello/hellohost) answers it through
// guestptr, over a wasmtime memory adapted by wasmtimemem. It prints what `go run ./examples/hello` prints.
//
//	go run ./examples/hello                   # the C guest, guest/hello.wasm (embedded)
//	go run ./examples/hello -wasm=guest.wasm  # another build of a hello guest
//
// (run from memory/wasmtimemem). The guest imports WASI, which wasmtime
// provides; its stdout goes to a temporary file, printed with the "guest: "
// prefix once it exits. The guest prints only after the host has answered,
// so the output is in the order wazero's streaming gives.
//
// hello exits 0 only if the guest exited 0 and the host saw a valid request.
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/guestkit/guestkit/examples/hello/hellohost"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wasmtimemem"
)

// helloWasm is examples/hello's C guest, copied byte for byte (a test checks
// the copy), since a Go module cannot embed files of another.
//
//go:embed guest/hello.wasm
var helloWasm []byte

func main() {
	path := flag.String("wasm", "", "the guest module to run (default: the embedded C guest)")
	flag.Parse()
	wasm := helloWasm
	if *path != "" {
		var err error
		if wasm, err = os.ReadFile(*path); err != nil {
			fmt.Fprintln(os.Stderr, "hello:", err)
			os.Exit(1)
		}
	}
	if err := run(wasm, os.Stdout); err != nil {
		fmt.Fprintln(os.Stdout, "hello: FAIL:", err)
		os.Exit(1)
	}
}

// run runs the WASI command wasm on wasmtime with guestkit.hello provided,
// writing the host's report and the guest's output to stdout. It returns nil
// only if the guest exited 0 and the host saw a valid request.
func run(wasm []byte, stdout io.Writer) error {
	engine := wasmtime.NewEngine()
	module, err := wasmtime.NewModule(engine, wasm)
	if err != nil {
		return err
	}
	store := wasmtime.NewStore(engine)
	defer store.Close()

	dir, err := os.MkdirTemp("", "wasmtime-hello-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	outPath, errPath := filepath.Join(dir, "stdout"), filepath.Join(dir, "stderr")
	wasi := wasmtime.NewWasiConfig()
	wasi.SetArgv([]string{"hello"})
	if err := wasi.SetStdoutFile(outPath); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	if err := wasi.SetStderrFile(errPath); err != nil {
		return fmt.Errorf("stderr: %w", err)
	}
	store.SetWasi(wasi)

	linker := wasmtime.NewLinker(engine)
	if err := linker.DefineWasi(); err != nil {
		return err
	}
	h := &hellohost.Host{Out: hellohost.NewPrefixWriter(stdout, "host: ")}
	// One guestkit memory for the guest's memory, made once it exists and
	// shared by every call: views taken in one call are seen by the next.
	var mem *memory.Memory
	err = linker.FuncWrap("guestkit", "hello", func(req, out int32) int32 {
		return h.Hello(mem, uint64(uint32(req)), uint64(uint32(out)))
	})
	if err != nil {
		return err
	}
	// The replies are allocated in the guest by its own malloc.
	var alloc memory.Allocator
	err = linker.FuncWrap("guestkit", "replies", func(req, out int32) int32 {
		if alloc == nil {
			fmt.Fprintf(h.Out, "error: %v\n", wasmtimemem.ErrNoAllocator)
			return hellohost.ErrnoNosys
		}
		return h.Replies(mem, alloc, uint64(uint32(req)), uint64(uint32(out)))
	})
	if err != nil {
		return err
	}
	instance, err := linker.Instantiate(store, module)
	if err != nil {
		return err
	}
	var wmem *wasmtime.Memory
	if ext := instance.GetExport(store, "memory"); ext != nil {
		wmem = ext.Memory()
	}
	mem = wasmtimemem.New(store, wmem)
	if a, err := wasmtimemem.Malloc(store, instance); err == nil {
		alloc = a
	}

	start := instance.GetFunc(store, "_start")
	if start == nil {
		return errors.New("the guest is not a WASI command: it exports no _start")
	}
	var code int32
	_, callErr := start.Call(store)
	if callErr != nil {
		var exit *wasmtime.Error
		status, ok := int32(0), false
		if errors.As(callErr, &exit) {
			status, ok = exit.ExitStatus()
		}
		if !ok {
			return fmt.Errorf("guest trapped: %w", callErr)
		}
		code = status
	}
	for _, f := range []struct{ path, prefix string }{{outPath, "guest: "}, {errPath, "guest stderr: "}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		pw := hellohost.NewPrefixWriter(stdout, f.prefix)
		if _, err := pw.Write(b); err != nil {
			return err
		}
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
