package main

// Short names for the wasm assembler the test guests are written with.

import "github.com/guestkit/guestkit/internal/wasmasm"

const (
	i32 = wasmasm.I32

	secType     = wasmasm.SecType
	secImport   = wasmasm.SecImport
	secFunction = wasmasm.SecFunction
	secMemory   = wasmasm.SecMemory
	secExport   = wasmasm.SecExport
	secCode     = wasmasm.SecCode
	secData     = wasmasm.SecData

	exportFunc   = wasmasm.ExportFunc
	exportMemory = wasmasm.ExportMemory

	opCall       = wasmasm.OpCall
	opDrop       = wasmasm.OpDrop
	opLocalGet   = wasmasm.OpLocalGet
	opI32Store8  = wasmasm.OpI32Store8
	opMemoryGrow = wasmasm.OpMemoryGrow
	opI32Const   = wasmasm.OpI32Const
	opEnd        = wasmasm.OpEnd
)

var (
	uleb          = wasmasm.Uleb
	sleb          = wasmasm.Sleb
	cat           = wasmasm.Cat
	bytesVec      = wasmasm.Bytes
	section       = wasmasm.Section
	wasmModule    = wasmasm.Module
	funcType      = wasmasm.FuncType
	importFunc    = wasmasm.ImportFunc
	memoryType    = wasmasm.MemoryType
	memoryTypeMax = wasmasm.MemoryTypeMax
	export        = wasmasm.Export
	i32Const      = wasmasm.I32Const
	call          = wasmasm.Call
	localGet      = wasmasm.LocalGet
	memoryGrow    = wasmasm.MemoryGrow
	i32Store8     = wasmasm.I32Store8
	dataSegment   = wasmasm.DataSegment
)

// code is a function body without locals; end is appended.
func code(instrs ...[]byte) []byte { return wasmasm.Code(nil, instrs...) }
