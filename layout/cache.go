package layout

import (
	"reflect"
	"sync"
	"unsafe"

	"github.com/guestkit/guestkit/internal/typecache"
)

// cacheKey identifies a layout.
type cacheKey struct {
	t   reflect.Type
	abi ABI
}

// cacheEntry is a computed layout or the error computing it gave.
type cacheEntry struct {
	l      *Layout
	err    error
	recent *typecache.Entry // this entry, for the recent table
}

// recent is the fast path in front of cache.
var recent typecache.Table

// cache maps cacheKey to *cacheEntry. sync.Map reads take no lock and do
// not allocate, and insertions happen once per type and ABI.
var cache sync.Map

// Of returns the guest layout of t under abi. Results, errors included, are
// cached; Of is safe for concurrent use, and a cached result costs no lock
// and no allocation. A type without a guest layout gives an *Error naming
// the field at fault.
func Of(t reflect.Type, abi ABI) (*Layout, error) {
	row := typecache.RowOf(abi.PointerSize())
	if e := (*cacheEntry)(recent.Load(t, row)); e != nil {
		return e.l, e.err
	}
	key := cacheKey{t, abi}
	if e, ok := cache.Load(key); ok {
		e := e.(*cacheEntry)
		recent.Store(row, e.recent)
		return e.l, e.err
	}
	// Computed outside any lock, since nested types call Of. Two
	// goroutines may compute the same layout; the first to store wins, so
	// every caller sees one *Layout.
	l, err := build(t, abi)
	fresh := &cacheEntry{l: l, err: err}
	fresh.recent = typecache.NewEntry(t, unsafe.Pointer(fresh))
	v, _ := cache.LoadOrStore(key, fresh)
	e := v.(*cacheEntry)
	recent.Store(row, e.recent)
	return e.l, e.err
}

// For returns the guest layout of T under abi; see [Of].
func For[T any](abi ABI) (*Layout, error) {
	return Of(reflect.TypeFor[T](), abi)
}
