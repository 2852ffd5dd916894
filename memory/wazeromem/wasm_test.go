package wazeromem_test

// A tiny WebAssembly binary assembler for test guests (there is no wat2wasm
// here): just the sections and instructions the tests use.

const (
	i32 = 0x7f // value type i32

	secType     = 1
	secImport   = 2
	secFunction = 3
	secMemory   = 5
	secExport   = 7
	secCode     = 10

	exportFunc   = 0
	exportMemory = 2

	opCall       = 0x10
	opLocalGet   = 0x20
	opI32Store8  = 0x3a
	opMemoryGrow = 0x40
	opI32Const   = 0x41
	opEnd        = 0x0b
)

// uleb is v in unsigned LEB128.
func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// sleb is v in signed LEB128.
func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// bytesVec is a length-prefixed byte string (names, value type lists).
func bytesVec(b []byte) []byte { return cat(uleb(uint64(len(b))), b) }

// section is a section whose content is a vector of items.
func section(id byte, items ...[]byte) []byte {
	content := cat(uleb(uint64(len(items))), cat(items...))
	return cat([]byte{id}, uleb(uint64(len(content))), content)
}

// wasmModule is the module made of sections, in order.
func wasmModule(sections ...[]byte) []byte {
	return cat([]byte("\x00asm\x01\x00\x00\x00"), cat(sections...))
}

func funcType(params, results []byte) []byte {
	return cat([]byte{0x60}, bytesVec(params), bytesVec(results))
}

func importFunc(module, name string, typeIdx uint64) []byte {
	return cat(bytesVec([]byte(module)), bytesVec([]byte(name)), []byte{exportFunc}, uleb(typeIdx))
}

// memoryType is a memory of min pages with no maximum.
func memoryType(min uint64) []byte { return cat([]byte{0}, uleb(min)) }

// memoryTypeMax is a memory of min to max pages, shared if asked (which
// needs the threads feature).
func memoryTypeMax(min, max uint64, shared bool) []byte {
	flags := byte(1)
	if shared {
		flags = 3
	}
	return cat([]byte{flags}, uleb(min), uleb(max))
}

func export(name string, kind byte, idx uint64) []byte {
	return cat(bytesVec([]byte(name)), []byte{kind}, uleb(idx))
}

// code is a function body without locals; end is appended.
func code(instrs ...[]byte) []byte {
	body := cat([]byte{0}, cat(instrs...), []byte{opEnd})
	return bytesVec(body)
}

func i32Const(v int32) []byte { return cat([]byte{opI32Const}, sleb(int64(v))) }

func call(fn uint64) []byte { return cat([]byte{opCall}, uleb(fn)) }

func localGet(i uint64) []byte { return cat([]byte{opLocalGet}, uleb(i)) }

// memoryGrow is memory.grow of memory 0: pages on the stack, the previous
// size (or -1) left on it.
func memoryGrow() []byte { return []byte{opMemoryGrow, 0} }

// i32Store8 stores the low byte of the value at the address, both on the
// stack (alignment 1, offset 0).
func i32Store8() []byte { return []byte{opI32Store8, 0, 0} }
