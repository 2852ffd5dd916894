package wasihost

import (
	"context"
	"runtime"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// procExit ends the guest with the exit code, as wazero's own proc_exit
// does: it closes the module with the code and panics with a
// *sys.ExitError, which wazero turns into the error of the call (or, for
// code 0 in a start function, into success).
func procExit(ctx context.Context, m api.Module, stack []uint64) {
	code := uint32(stack[0])
	_ = m.CloseWithExitCode(ctx, code)
	panic(sys.NewExitError(code))
}

// procRaise is ENOSYS, as in wazero: a guest has no signal handlers to
// run, and wasi-libc's raise() reports the error.
func procRaise(_ context.Context, _ api.Module, stack []uint64) { stack[0] = uint64(ErrnoNosys) }

// schedYield lets other goroutines run and succeeds.
func schedYield(_ context.Context, _ api.Module, stack []uint64) {
	runtime.Gosched()
	stack[0] = uint64(ErrnoSuccess)
}
