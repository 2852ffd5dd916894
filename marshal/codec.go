package marshal

import (
	"reflect"

	"github.com/guestkit/guestkit/internal/typecache"
	"github.com/guestkit/guestkit/layout"
)

// codec is a compiled layout: what a read or write of one type under one
// ABI runs. It is private; Codec is its public handle.
type codec struct {
	typ       reflect.Type
	abi       layout.ABI
	layout    *layout.Layout
	size      uint64
	alignMask uint64 // the guest alignment less one
	// transparent: the guest bytes are the Go bytes, a read or write is
	// one copy. block: the value is one copyable block, a read is a copy
	// and the block's word checks. Otherwise step does the work.
	transparent bool
	block       *block
	step        step
	// checked is set when a write can fail, so every value is checked
	// before any byte is written.
	checked bool
	recent  *typecache.Entry // this codec, for the table of recent types
}

func compile(l *layout.Layout) (*codec, error) {
	c := &codec{typ: l.Type, abi: l.ABI, layout: l, size: l.Size, alignMask: l.Align - 1, transparent: l.Transparent}
	if !l.Transparent && l.Copyable && l.Size > 0 && (l.Kind == layout.Struct || l.Kind == layout.Array) {
		c.block = newBlock(l)
		c.step = blockStep(c.block, 0, 0, nil, false)
	} else {
		cc := compiler{abi: l.ABI, ptrW: uint8(l.ABI.PointerSize())}
		pieces, err := cc.compile(l, 0, 0, nil, false)
		if err != nil {
			return nil, err
		}
		c.step = join(pieces)
	}
	c.checked = c.step.chk != nil
	c.recent = entryOf(c)
	return c, nil
}
