// Package wasmasm is a tiny WebAssembly binary assembler for the test
// guests and benchmark guests of this module, which has no wat2wasm: just
// the sections, types and instructions they use. Every function returns
// encoded bytes; Cat joins them.
package wasmasm

import "bytes"

// Value types.
const (
	I32 = 0x7f
	I64 = 0x7e
)

// Section ids.
const (
	SecType     = 1
	SecImport   = 2
	SecFunction = 3
	SecMemory   = 5
	SecExport   = 7
	SecCode     = 10
	SecData     = 11
)

// Export kinds.
const (
	ExportFunc   = 0
	ExportMemory = 2
)

// Opcodes.
const (
	OpUnreachable = 0x00
	OpBlock       = 0x02
	OpLoop        = 0x03
	OpIf          = 0x04
	OpEnd         = 0x0b
	OpBr          = 0x0c
	OpBrIf        = 0x0d
	OpCall        = 0x10
	OpDrop        = 0x1a
	OpLocalGet    = 0x20
	OpLocalSet    = 0x21
	OpLocalTee    = 0x22
	OpI32Load     = 0x28
	OpI32Store8   = 0x3a
	OpMemoryGrow  = 0x40
	OpI32Const    = 0x41
	OpI32Eqz      = 0x45
	OpI32Add      = 0x6a
	OpI32Sub      = 0x6b
)

// Uleb is v in unsigned LEB128.
func Uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

// Sleb is v in signed LEB128.
func Sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// Cat joins encoded parts.
func Cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// Bytes is b prefixed with its length: a name or a byte vector.
func Bytes(b []byte) []byte { return Cat(Uleb(uint64(len(b))), b) }

// Name is the encoded string s.
func Name(s string) []byte { return Bytes([]byte(s)) }

// Vec is a vector of items: their count, then each.
func Vec(items ...[]byte) []byte { return Cat(Uleb(uint64(len(items))), Cat(items...)) }

// Section is the section id holding a vector of items.
func Section(id byte, items ...[]byte) []byte { return Cat([]byte{id}, Bytes(Vec(items...))) }

// Module is the magic number and version, then the sections in order.
func Module(sections ...[]byte) []byte {
	return Cat([]byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}, Cat(sections...))
}

// FuncType is a function type with the given parameter and result types.
func FuncType(params, results []byte) []byte {
	return Cat([]byte{0x60}, Bytes(params), Bytes(results))
}

// ImportFunc imports module.name as a function of type typeIdx.
func ImportFunc(module, name string, typeIdx uint64) []byte {
	return Cat(Name(module), Name(name), []byte{0x00}, Uleb(typeIdx))
}

// MemoryType is a memory of at least min pages, without a maximum.
func MemoryType(min uint64) []byte { return Cat([]byte{0}, Uleb(min)) }

// MemoryTypeMax is a memory of min to max pages, shared if asked (which
// needs the threads feature).
func MemoryTypeMax(min, max uint64, shared bool) []byte {
	flags := byte(1)
	if shared {
		flags = 3
	}
	return Cat([]byte{flags}, Uleb(min), Uleb(max))
}

// Export exports item idx of kind as name.
func Export(name string, kind byte, idx uint64) []byte {
	return Cat(Name(name), []byte{kind}, Uleb(idx))
}

// Code is a function body with the given local declarations (each a count
// and a type, as Locals makes), then instrs; End is appended.
func Code(locals []byte, instrs ...[]byte) []byte {
	if locals == nil {
		locals = []byte{0}
	}
	return Bytes(Cat(locals, Cat(instrs...), []byte{OpEnd}))
}

// Locals declares n locals of type t, for Code.
func Locals(n uint64, t byte) []byte { return Cat([]byte{1}, Uleb(n), []byte{t}) }

// I32Const pushes v.
func I32Const(v int32) []byte { return Cat([]byte{OpI32Const}, Sleb(int64(v))) }

// Call calls function fn.
func Call(fn uint64) []byte { return Cat([]byte{OpCall}, Uleb(fn)) }

// LocalGet pushes local i.
func LocalGet(i uint64) []byte { return Cat([]byte{OpLocalGet}, Uleb(i)) }

// MemoryGrow is memory.grow of memory 0: pages on the stack, the previous
// size (or -1) left on it.
func MemoryGrow() []byte { return []byte{OpMemoryGrow, 0} }

// I32Store8 stores the low byte of a value at an address, both on the stack
// (alignment 1, offset 0).
func I32Store8() []byte { return []byte{OpI32Store8, 0, 0} }

// DataSegment is an active segment writing b at offset of memory 0.
func DataSegment(offset int32, b []byte) []byte {
	return Cat([]byte{0}, I32Const(offset), []byte{OpEnd}, Bytes(b))
}
