package marshal

import (
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/internal/typecache"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// codec is a compiled layout: what a read or write of one type under one
// ABI runs. It is private; Codec is its public handle.
type codec struct {
	typ         reflect.Type
	ptrWord     unsafe.Pointer // the type word of *typ, to check a carried codec cheaply
	abi         layout.ABI
	layout      *layout.Layout
	size        uint64
	alignMask   uint64  // the guest alignment less one
	goAlignMask uintptr // the Go alignment less one
	// transparent: the guest bytes are the Go bytes, a read or write is
	// one copy. block: the value is one copyable block, a read is a copy
	// and the block's word checks. Otherwise step does the work.
	transparent bool
	block       *block
	direct      bool // transparent or block: a read is a typed copy, then the block's checks
	step        step
	// checked is set when a write can fail, so every value is checked
	// before any byte is written.
	checked   bool
	recent    *typecache.Entry // this codec, for the table of recent types
	recentPtr *typecache.Entry // the same, keyed by *T, for recentPtr
}

func compile(l *layout.Layout) (*codec, error) {
	c := &codec{typ: l.Type, abi: l.ABI, layout: l, size: l.Size, alignMask: l.Align - 1, goAlignMask: uintptr(l.Type.Align()) - 1, transparent: l.Transparent}
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
	c.direct = l.Size > 0 && (c.transparent || c.block != nil)
	c.recent = entryOf(c)
	c.recentPtr = typecache.NewEntry(reflect.PointerTo(l.Type), unsafe.Pointer(c))
	c.ptrWord = typecache.TypeWord(reflect.PointerTo(l.Type))
	return c, nil
}

// validInPlace reports whether the direct value at p, in guest memory
// that is not shared, passes its checks when they are at most four word
// masks (transparent values have none). false means "copy, then check the
// copy", not "invalid".
func (k *codec) validInPlace(p unsafe.Pointer, mem *memory.Memory) bool {
	b := k.block
	if mem != nil && mem.Shared() {
		return false
	}
	if b == nil {
		return true
	}
	q := &b.quad
	return b.hasQuad && ld64(unsafe.Add(p, q[0].off))&q[0].mask|ld64(unsafe.Add(p, q[1].off))&q[1].mask|
		ld64(unsafe.Add(p, q[2].off))&q[2].mask|ld64(unsafe.Add(p, q[3].off))&q[3].mask == 0
}
