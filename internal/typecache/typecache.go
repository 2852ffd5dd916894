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

// Table caches values of type V. The zero Table is empty and ready.
type Table[V any] struct {
	slots [2][1 << bits]atomic.Pointer[entry[V]]
}

type entry[V any] struct {
	t unsafe.Pointer // the type's *rtype
	v *V
}

// typeWord returns the data word of a reflect.Type: its *rtype, unique per
// type for the life of the process.
func typeWord(t reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1]
}

func (tb *Table[V]) slot(p unsafe.Pointer, wide bool) *atomic.Pointer[entry[V]] {
	h := uint64(uintptr(p)) * 0x9E3779B97F4A7C15 >> (64 - bits)
	w := 0
	if wide {
		w = 1
	}
	return &tb.slots[w][h]
}

// Load returns the value cached for t, or nil.
func (tb *Table[V]) Load(t reflect.Type, wide bool) *V {
	p := typeWord(t)
	if e := tb.slot(p, wide).Load(); e != nil && e.t == p {
		return e.v
	}
	return nil
}

// Store caches v for t.
func (tb *Table[V]) Store(t reflect.Type, wide bool, v *V) {
	p := typeWord(t)
	tb.slot(p, wide).Store(&entry[V]{p, v})
}
