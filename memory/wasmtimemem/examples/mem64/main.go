// Command mem64 runs a memory64 (wasm64) C guest on wasmtime and answers it
// with guestkit over wasmtimemem: the guest sends requests full of 64-bit
// pointers (a record holding a string and a pointer, a string, a list of
// records, a tagged union), and during the valid one the host has the guest
// grow its memory while it holds a mutable view of a guest buffer, then
// fills the buffer through the view. The guest checks every reply and logs
// each check; bad requests must fail with an errno and change nothing.
//
//	go run ./examples/mem64    # from memory/wasmtimemem
//
// guest/mem64.c is freestanding C (no libc), built by
// `clang --target=wasm64`; see build_test.go for the exact command and
// `go generate` to rebuild the committed guest/mem64.wasm.
//
// mem64 exits 0 only if the guest passed every check and the host answered
// the valid request.
package main

//go:generate go test -run TestCommittedGuestMatchesSource -update .

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/guestkit/guestkit/examples/hello/hellohost"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wasmtimemem"
)

// mem64Wasm is the guest, built from guest/mem64.c.
//
//go:embed guest/mem64.wasm
var mem64Wasm []byte

func main() {
	if err := run(mem64Wasm, os.Stdout); err != nil {
		fmt.Fprintln(os.Stdout, "mem64: FAIL:", err)
		os.Exit(1)
	}
}

// run runs the guest's export run on wasmtime with guestkit.serve and
// guestkit.log provided, writing the host's report and the guest's log to
// stdout. It returns nil only if run returned 0 (no failed check) and the
// host answered a request.
func run(wasm []byte, stdout io.Writer) error {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmMemory64(true)
	engine := wasmtime.NewEngineWithConfig(cfg)
	module, err := wasmtime.NewModule(engine, wasm)
	if err != nil {
		return err
	}
	store := wasmtime.NewStore(engine)
	defer store.Close()
	// Memories grow in place up to wasmtime's reservation; cap them there
	// so that no growth can move a memory under a view.
	store.Limiter(wasmtimemem.ReservedBytes, -1, -1, -1, -1)

	h := &host{out: hellohost.NewPrefixWriter(stdout, "host: ")}
	guestLog := hellohost.NewPrefixWriter(stdout, "guest: ")
	var mem *memory.Memory // the guest's memory, once instantiated
	linker := wasmtime.NewLinker(engine)
	err = linker.FuncWrap("guestkit", "serve", func(caller *wasmtime.Caller, req, out int64) int32 {
		grow := func(pages uint64) (uint64, error) {
			return growGuest(caller, pages)
		}
		return h.serve(mem, grow, uint64(req), uint64(out))
	})
	if err != nil {
		return err
	}
	err = linker.FuncWrap("guestkit", "log", func(s, n int64) {
		logLine(guestLog, mem, uint64(s), uint64(n))
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
	if mem.ABI().PointerSize() != 8 {
		return fmt.Errorf("the guest's memory is %s, not memory64", mem.ABI())
	}
	fn := instance.GetFunc(store, "run")
	if fn == nil {
		return errors.New("the guest exports no run")
	}
	res, err := fn.Call(store)
	if err != nil {
		return fmt.Errorf("guest trapped: %w", err)
	}
	failed, ok := res.(int32)
	switch {
	case !ok:
		return fmt.Errorf("run returned %v, not an i32", res)
	case failed != 0:
		return fmt.Errorf("%d of the guest's checks failed", failed)
	case h.served == 0:
		return errors.New("the host answered no request")
	}
	fmt.Fprintf(stdout, "mem64: ok: the guest passed every check\n")
	return nil
}

// growGuest calls the guest's export grow(pages) -> previous pages, which
// returns -1 when the memory cannot grow.
func growGuest(caller *wasmtime.Caller, pages uint64) (uint64, error) {
	ext := caller.GetExport("grow")
	if ext == nil || ext.Func() == nil {
		return 0, errors.New("the guest exports no grow")
	}
	res, err := ext.Func().Call(caller, int64(pages))
	if err != nil {
		return 0, err
	}
	prev, ok := res.(int64)
	if !ok || prev < 0 {
		return 0, fmt.Errorf("grow returned %v", res)
	}
	return uint64(prev), nil
}
