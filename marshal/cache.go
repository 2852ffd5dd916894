package marshal

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

// codecs maps *layout.Layout to *codec.
var codecs sync.Map

// codecOf returns the codec of t under abi, compiling it on first use.
func codecOf(t reflect.Type, abi layout.ABI) (*codec, error) {
	if c := recent(t, abi); c != nil {
		return c, nil
	}
	return compiledOf(t, abi)
}

// compiledOf finds or compiles the codec of t under abi, and remembers it
// in the recent table.
func compiledOf(t reflect.Type, abi layout.ABI) (*codec, error) {
	l, err := layout.Of(t, abi)
	if err != nil {
		return nil, err
	}
	v, ok := codecs.Load(l)
	if !ok {
		c, err := compile(l)
		if err != nil {
			return nil, err
		}
		v, _ = codecs.LoadOrStore(l, c)
	}
	c := v.(*codec)
	remember(t, abi, c)
	return c, nil
}

// The recent table is a direct-mapped cache in front of the maps, indexed
// by the address of the type descriptor: a hit is a multiply, a load and a
// compare, so generic code can find its codec on every call. Collisions
// just overwrite; the maps behind stay authoritative.
const recentBits = 10

type recentEntry struct {
	t unsafe.Pointer // the *rtype
	c *codec
}

var recentTable [2][1 << recentBits]atomic.Pointer[recentEntry]

// typeWord returns the data word of a reflect.Type: its *rtype, unique per
// type and cheaper to compare than the interface.
func typeWord(t reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1]
}

func recentSlot(p unsafe.Pointer, abi layout.ABI) *atomic.Pointer[recentEntry] {
	h := uint64(uintptr(p)) * 0x9E3779B97F4A7C15 >> (64 - recentBits)
	return &recentTable[abi.PointerSize()>>3][h]
}

func recent(t reflect.Type, abi layout.ABI) *codec {
	if !abi.Valid() {
		return nil
	}
	p := typeWord(t)
	if e := recentSlot(p, abi).Load(); e != nil && e.t == p {
		return e.c
	}
	return nil
}

func remember(t reflect.Type, abi layout.ABI, c *codec) {
	p := typeWord(t)
	recentSlot(p, abi).Store(&recentEntry{p, c})
}
