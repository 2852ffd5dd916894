package bench

import (
	"bytes"
	"encoding/binary"
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
	i32const := func(v int32) { op(0x41); code.Write(sleb(int64(v))) }
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

	const i32 = 0x7f
	var m bytes.Buffer
	m.Write([]byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00})
	section(&m, 1, vec( // types
		[]byte{0x60, 4, i32, i32, i32, i32, 1, i32}, // 0: fd_write
		[]byte{0x60, 1, i32, 1, i32},                // 1: run
	))
	// Import fd_write with type 0; run has type 1; one memory of 1 page.
	section(&m, 2, vec(cat(name("wasi_snapshot_preview1"), name("fd_write"), []byte{0x00, 0x00})))
	section(&m, 3, vec([]byte{0x01}))
	section(&m, 5, vec([]byte{0x00, 0x01}))
	section(&m, 7, vec(
		cat(name("memory"), []byte{0x02, 0x00}),
		cat(name("run"), []byte{0x00, 0x01}),
	))
	section(&m, 10, vec(cat(uleb(uint64(code.Len())), code.Bytes())))
	segment := func(addr int32, b []byte) []byte {
		return cat([]byte{0x00, 0x41}, sleb(int64(addr)), []byte{0x0b}, uleb(uint64(len(b))), b)
	}
	section(&m, 11, vec(segment(guestIovs, iovs), segment(guestBytes, data)))
	return m.Bytes(), perCall
}

// section appends a section of id with payload.
func section(m *bytes.Buffer, id byte, payload []byte) {
	m.WriteByte(id)
	m.Write(uleb(uint64(len(payload))))
	m.Write(payload)
}

// vec is a WebAssembly vector: a count, then the items.
func vec(items ...[]byte) []byte { return cat(append([][]byte{uleb(uint64(len(items)))}, items...)...) }

// name is a WebAssembly name: a length, then UTF-8.
func name(s string) []byte { return cat(uleb(uint64(len(s))), []byte(s)) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

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
