package marshal

import (
	"reflect"
	"sync"

	"github.com/guestkit/guestkit/internal/typecache"
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

// recentCodecs is the fast path in front of the maps.
var recentCodecs typecache.Table

func recent(t reflect.Type, abi layout.ABI) *codec {
	return (*codec)(recentCodecs.Load(t, typecache.RowOf(abi.PointerSize())))
}

func remember(t reflect.Type, abi layout.ABI, c *codec) {
	recentCodecs.Store(typecache.RowOf(abi.PointerSize()), c.recent)
}
