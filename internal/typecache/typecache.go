// Package typecache is a direct-mapped cache from (Go type, ABI width) to a
// value, for the per-type lookups on guestkit's hot paths. A hit is a
// multiply, one atomic load and one compare: no lock, no allocation, no
// hashing of an interface. Collisions overwrite; callers keep an
// authoritative map behind it.
package typecache

import (
	"reflect"
	"sync/atomic"
	"unsafe"
)

const bits = 10

// Table caches pointers in Rows rows (one per ABI). The zero Table is empty
// and ready. Values are unsafe.Pointers so that lookups compile to plain
// code: callers convert them back to the one type they store.
type Table struct {
	slots [Rows][1 << bits]atomic.Pointer[entry]
}

// Rows is the number of rows: row 0 stays empty (an invalid ABI), rows 1
// and 2 are wasm32 and wasm64, as RowOf says; row 3 is unused.
const Rows = 4

// RowOf returns the row of an ABI whose pointers are pointerSize bytes (0,
// 4 or 8): 1 for 4, 2 for 8, and the empty row 0 for an invalid ABI.
func RowOf(pointerSize uint64) int {
	return int(pointerSize>>2) & (Rows - 1)
}

type entry struct {
	t unsafe.Pointer // the type's *rtype
	v unsafe.Pointer
}

// typeWord returns the data word of a reflect.Type: its *rtype, unique per
// type for the life of the process.
func typeWord(t reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1]
}

func (tb *Table) slot(p unsafe.Pointer, row int) *atomic.Pointer[entry] {
	h := uint64(uintptr(p)) * 0x9E3779B97F4A7C15 >> (64 - bits)
	return &tb.slots[row][h]
}

// Load returns the value cached for t in row, or nil.
func (tb *Table) Load(t reflect.Type, row int) unsafe.Pointer {
	p := typeWord(t)
	if e := tb.slot(p, row).Load(); e != nil && e.t == p {
		return e.v
	}
	return nil
}

// Store caches v for t in row. Row 0 is never stored to.
func (tb *Table) Store(t reflect.Type, row int, v unsafe.Pointer) {
	if row == 0 || t == nil {
		return
	}
	p := typeWord(t)
	tb.slot(p, row).Store(&entry{p, v})
}
