// Package typecache is a small associative cache from (Go type, ABI) to a
// value, for the per-type lookups on guestkit's hot paths. A hit is a
// multiply, at most two atomic loads and compares: no lock, no allocation,
// no hashing of an interface. Each type may sit in one of two slots, so two
// hot types that hash alike do not evict each other; a third overwrites.
// Callers keep an authoritative map behind it.
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
	slots [Rows][1 << bits]atomic.Pointer[Entry]
	turn  atomic.Uint32 // which of two full slots a Store evicts
}

// Rows is the number of rows: row 0 stays empty (an invalid ABI), rows 1
// and 2 are wasm32 and wasm64, as RowOf says; row 3 is unused.
const Rows = 4

// RowOf returns the row of an ABI whose pointers are pointerSize bytes (0,
// 4 or 8): 1 for 4, 2 for 8, and the empty row 0 for an invalid ABI.
func RowOf(pointerSize uint64) int {
	return int(pointerSize>>2) & (Rows - 1)
}

// Entry is a type and its value. Make it once per value with NewEntry and
// keep it beside the value, so that storing it again never allocates.
type Entry struct {
	t unsafe.Pointer // the type's *rtype
	v unsafe.Pointer
}

// NewEntry returns the entry of v for t.
func NewEntry(t reflect.Type, v unsafe.Pointer) *Entry {
	return &Entry{TypeWord(t), v}
}

// TypeWord returns the data word of a reflect.Type: its *rtype, unique per
// type for the life of the process. Comparing two is comparing the types,
// without the interface comparison.
func TypeWord(t reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1]
}

// hash is the slot of the type word p.
func hash(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) * 0x9E3779B97F4A7C15 >> (64 - bits) }

func (tb *Table) slots2(p unsafe.Pointer, row int) (*atomic.Pointer[Entry], *atomic.Pointer[Entry]) {
	h := hash(p)
	return &tb.slots[row&(Rows-1)][h], &tb.slots[row&(Rows-1)][h^1]
}

// Load returns the value cached for t in row, or nil.
func (tb *Table) Load(t reflect.Type, row int) unsafe.Pointer {
	p := TypeWord(t)
	if v := tb.LoadFirst(p, row); v != nil {
		return v
	}
	return tb.LoadSecond(p, row)
}

// LoadFirst looks for the type word p in its first slot only; it is small
// enough to inline. On nil, try LoadSecond.
func (tb *Table) LoadFirst(p unsafe.Pointer, row int) unsafe.Pointer {
	if e := tb.slots[row&(Rows-1)][hash(p)].Load(); e != nil && e.t == p {
		return e.v
	}
	return nil
}

// LoadSecond looks for the type word p in its second slot.
func (tb *Table) LoadSecond(p unsafe.Pointer, row int) unsafe.Pointer {
	if e := tb.slots[row&(Rows-1)][hash(p)^1].Load(); e != nil && e.t == p {
		return e.v
	}
	return nil
}

// Store caches e in row. Row 0 is never stored to.
func (tb *Table) Store(row int, e *Entry) {
	if row == 0 || e == nil || e.t == nil {
		return
	}
	a, b := tb.slots2(e.t, row)
	switch x, y := a.Load(), b.Load(); {
	case x == nil || x.t == e.t:
		a.Store(e)
	case y == nil || y.t == e.t:
		b.Store(e)
	case tb.turn.Add(1)&1 == 0:
		a.Store(e)
	default:
		b.Store(e)
	}
}
