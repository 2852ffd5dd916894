package bench

import (
	"bytes"
	"encoding/binary"

	wa "github.com/guestkit/guestkit/internal/wasmasm"
)

// The FdWrite guest: a hand-assembled WebAssembly module that imports
// wasi_snapshot_preview1.fd_write, holds a list of ciovecs in its data
// segment and exports
//
//	run(count i32) i32
//
// which calls fd_write(1, iovs, len(iovs), nwritten) count times, traps on
// a nonzero errno, and returns the sum of the nwritten results. It also
// exports its memory as "memory", as WASI requires.
const (
	guestIovs     = 0x100 // the ciovecs
	guestNwritten = 0x0f0 // fd_write's result
	guestBytes    = 0x200 // the bytes the ciovecs point to
)

// FdWriteGuest returns the guest for buffers, the bytes of one fd_write,
// one ciovec per buffer, and what one fd_write writes.
func FdWriteGuest(buffers []string) (wasm, perCall []byte) {
	// Data: the ciovecs, then the bytes.
	var iovs, data []byte
	for _, s := range buffers {
		iovs = binary.LittleEndian.AppendUint32(iovs, uint32(guestBytes+len(data)))
		iovs = binary.LittleEndian.AppendUint32(iovs, uint32(len(s)))
		data = append(data, s...)
		perCall = append(perCall, s...)
	}

	var code bytes.Buffer
	op := func(b ...byte) { code.Write(b) }
	i32const := func(v int32) { code.Write(wa.I32Const(v)) }
	op(0x01, 0x01, 0x7f) // one local group: 1 i32 (local 1: the total)
	op(0x02, 0x40)       // block
	op(0x20, 0x00, 0x45) //   local.get 0; i32.eqz
	op(0x0d, 0x00)       //   br_if 0 (count 0: done)
	op(0x03, 0x40)       //   loop
	i32const(1)          //     fd
	i32const(guestIovs)  //     iovs
	i32const(int32(len(buffers)))
	i32const(guestNwritten)
	op(0x10, 0x00)             //     call fd_write
	op(0x04, 0x40, 0x00, 0x0b) //     if (errno != 0) unreachable end
	op(0x20, 0x01)             //     local.get 1
	i32const(guestNwritten)    //
	op(0x28, 0x02, 0x00)       //     i32.load align=4
	op(0x6a, 0x21, 0x01)       //     i32.add; local.set 1
	op(0x20, 0x00)             //     local.get 0
	i32const(1)                //
	op(0x6b, 0x22, 0x00)       //     i32.sub; local.tee 0
	op(0x0d, 0x00)             //     br_if 0 (loop while count != 0)
	op(0x0b)                   //   end loop
	op(0x0b)                   // end block
	op(0x20, 0x01)             // local.get 1
	op(0x0b)                   // end function

	wasm = wa.Module(
		wa.Section(wa.SecType,
			wa.FuncType([]byte{wa.I32, wa.I32, wa.I32, wa.I32}, []byte{wa.I32}), // 0: fd_write
			wa.FuncType([]byte{wa.I32}, []byte{wa.I32}),                         // 1: run
		),
		wa.Section(wa.SecImport, wa.ImportFunc("wasi_snapshot_preview1", "fd_write", 0)),
		wa.Section(wa.SecFunction, wa.Uleb(1)),
		wa.Section(wa.SecMemory, wa.MemoryType(1)),
		wa.Section(wa.SecExport,
			wa.Export("memory", wa.ExportMemory, 0),
			wa.Export("run", wa.ExportFunc, 1),
		),
		wa.Section(wa.SecCode, wa.Bytes(code.Bytes())),
		wa.Section(wa.SecData, wa.DataSegment(guestIovs, iovs), wa.DataSegment(guestBytes, data)),
	)
	return wasm, perCall
}
