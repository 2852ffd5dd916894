package marshal

import (
	"reflect"
	"sync"
	"unsafe"

	"github.com/guestkit/guestkit/internal/typecache"
	"github.com/guestkit/guestkit/layout"
)

// The one cache from (type, ABI) to a compiled codec: a lock-free table of
// recent types in front of a map that holds every codec, and the error of
// every type that has none.
var (
	recent typecache.Table
	codecs sync.Map // key -> *cached
)

type key struct {
	t   reflect.Type
	abi layout.ABI
}

type cached struct {
	c   *codec
	err error
}

// lookup returns the codec of t under abi, or nil when t has no layout.
func lookup(t reflect.Type, abi layout.ABI) *codec {
	if c := (*codec)(recent.Load(t, typecache.RowOf(abi.PointerSize()))); c != nil {
		return c
	}
	c, _ := compiled(t, abi)
	return c
}

// recentPtr is recent keyed by the type word of *T, which generic code
// gets from a nil *T in an interface without reflect.
var recentPtr typecache.Table

// ptrWord is the type word of an interface holding a nil *T: the *T's
// type, a key as unique as T's that generic code gets without reflect.
func ptrWord(nilPtr any) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(&nilPtr))[0] }

// codecOf returns the codec of t under abi, or why there is none.
func codecOf(t reflect.Type, abi layout.ABI) (*codec, error) {
	if c := (*codec)(recent.Load(t, typecache.RowOf(abi.PointerSize()))); c != nil {
		return c, nil
	}
	return compiled(t, abi)
}

// compiled finds or compiles the codec of t under abi, and puts it in the
// table of recent types.
func compiled(t reflect.Type, abi layout.ABI) (*codec, error) {
	k := key{t, abi}
	v, ok := codecs.Load(k)
	if !ok {
		// Compiled outside any lock: a pointer's target is looked up
		// only when a value is decoded, so compiling never waits on
		// another compilation. Two goroutines may compile one type; the
		// first to store wins, so every caller sees one codec.
		var e cached
		l, err := layout.Of(t, abi)
		if err == nil {
			e.c, err = compile(l)
		}
		e.err = err
		v, _ = codecs.LoadOrStore(k, &e)
	}
	e := v.(*cached)
	if e.c != nil {
		row := typecache.RowOf(abi.PointerSize())
		recent.Store(row, e.c.recent)
		recentPtr.Store(row, e.c.recentPtr)
	}
	return e.c, e.err
}

// entryOf makes c's entry in the table of recent types.
func entryOf(c *codec) *typecache.Entry { return typecache.NewEntry(c.typ, unsafe.Pointer(c)) }
