package hellohost

import (
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory"
)

// SampleGuest assembles a guest whose memory starts as mem's first 0x700
// bytes (SampleRequest) and whose _start calls
// guestkit.hello(SampleReqAddr, SampleOutAddr), then exits with the status it returned,
// or drops the status and exits 0 when exitWithStatus is false, or never
// calls hello when callHello is false: a hand-assembled guest for the
// runtime bindings' tests of their verdicts.
func SampleGuest(mem *memory.Memory, callHello, exitWithStatus bool) []byte {
	body := [][]byte{wa.I32Const(SampleReqAddr), wa.I32Const(SampleOutAddr), wa.Call(0), wa.Call(1)}
	switch {
	case !callHello:
		body = nil
	case !exitWithStatus:
		body[3] = []byte{wa.OpDrop}
	}
	return wa.Module(
		wa.Section(wa.SecType,
			wa.FuncType([]byte{wa.I32, wa.I32}, []byte{wa.I32}), // guestkit.hello
			wa.FuncType([]byte{wa.I32}, nil),                    // proc_exit
			wa.FuncType(nil, nil)),                              // _start
		wa.Section(wa.SecImport,
			wa.ImportFunc("guestkit", "hello", 0),
			wa.ImportFunc("wasi_snapshot_preview1", "proc_exit", 1)),
		wa.Section(wa.SecFunction, wa.Uleb(2)),
		wa.Section(wa.SecMemory, wa.MemoryType(1)),
		wa.Section(wa.SecExport, wa.Export("_start", wa.ExportFunc, 2), wa.Export("memory", wa.ExportMemory, 0)),
		wa.Section(wa.SecCode, wa.Code(nil, body...)),
		wa.Section(wa.SecData, wa.DataSegment(0, mem.Bytes()[:0x700])),
	)
}
