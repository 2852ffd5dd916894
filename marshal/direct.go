package marshal

import (
	"math/bits"
	"unsafe"

	"github.com/guestkit/guestkit/internal/typecache"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// The direct paths below are what a read or write of a record costs in the
// common case: one call to a function that calls nothing, whose body is the
// whole check. They cover values
// that are transparent or copyable with at most four word checks (see
// layout.Layout.Copyable), in memories that are not shared and hold no
// borrow; everything else, and every error, takes the general path.

// Peek returns a pointer to the T at r in guest memory when it can be read
// with one copy: T is transparent or copyable, r's memory is not shared
// and holds no borrow, and the T at r is in bounds, aligned for the guest
// and the host, and valid. Otherwise it returns nil: read the general way,
// which says why. Copy the T at once and never keep the pointer: it
// aliases guest memory.
func Peek[T any](r Ref) *T {
	return (*T)(peek(r.Mem, r.Addr, r.target, ptrWord((*T)(nil))))
}

func peek(mem *memory.Memory, addr uint64, c *codec, word unsafe.Pointer) unsafe.Pointer {
	if mem == nil || mem.Shared() || mem.Borrows().Held() != 0 {
		return nil
	}
	abi := mem.ABI()
	if c == nil || c.ptrWord != word || c.abi != abi {
		if c = recentCodec(word, abi); c == nil {
			return nil
		}
	}
	b, ok := mem.Current()
	if !ok || !c.direct || addr > uint64(len(b)) || uint64(len(b))-addr < c.size || addr&c.alignMask != 0 {
		return nil
	}
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), addr)
	if uintptr(p)&c.goAlignMask != 0 {
		return nil
	}
	if k := c.block; k != nil {
		q := &k.quad
		if !k.hasQuad || ld64(unsafe.Add(p, q[0].off))&q[0].mask|ld64(unsafe.Add(p, q[1].off))&q[1].mask|
			ld64(unsafe.Add(p, q[2].off))&q[2].mask|ld64(unsafe.Add(p, q[3].off))&q[3].mask != 0 {
			return nil
		}
	}
	return p
}

// recentCodec finds the codec of the type whose pointer type's word is
// word in both slots of the table of recent types, inline.
func recentCodec(word unsafe.Pointer, abi layout.ABI) *codec {
	row := typecache.RowOf(abi.PointerSize())
	if c := (*codec)(recentPtr.LoadFirst(word, row)); c != nil {
		return c
	}
	return (*codec)(recentPtr.LoadSecond(word, row))
}

// Poke writes *v as the T at r when it can be written directly (the
// conditions of Peek, with *v valid) and reports whether it did; on false
// nothing was written: write the general way, which says why.
func Poke[T any](r Ref, v *T) bool {
	return poke(r.Mem, r.Addr, r.target, ptrWord((*T)(nil)), unsafe.Pointer(v))
}

func poke(mem *memory.Memory, addr uint64, c *codec, word, g unsafe.Pointer) bool {
	if mem == nil || mem.Shared() || mem.Borrows().Held() != 0 {
		return false
	}
	abi := mem.ABI()
	if c == nil || c.ptrWord != word || c.abi != abi {
		if c = recentCodec(word, abi); c == nil {
			return false
		}
	}
	b, ok := mem.Current()
	if !ok || !c.direct || addr > uint64(len(b)) || uint64(len(b))-addr < c.size || addr&c.alignMask != 0 {
		return false
	}
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), addr)
	k := c.block
	if k == nil {
		copy(bytesAt(p, uintptr(c.size)), bytesAt(g, uintptr(c.size)))
		return true
	}
	if !k.few || k.never {
		return false
	}
	for i := range k.fields {
		f := &k.fields[i]
		if v := load(unsafe.Add(g, f.off), f.w); v > f.max || v&f.bad != 0 {
			return false
		}
	}
	for _, ch := range k.chunks {
		to, from := unsafe.Add(p, ch.off), unsafe.Add(g, ch.off)
		switch ch.w {
		case 8:
			*(*uint64)(to) = *(*uint64)(from)
		case 4:
			*(*uint32)(to) = *(*uint32)(from)
		case 2:
			*(*uint16)(to) = *(*uint16)(from)
		default:
			*(*uint8)(to) = *(*uint8)(from)
		}
	}
	return true
}

// View returns the first byte of the n Ts of s and their length in bytes,
// when they can be seen as a []T in place: T is transparent, s's memory
// holds its bytes and is not shared, and the region is in bounds and
// aligned for the guest and the host; n is not 0. Otherwise it returns
// nil: view the general way, which says why. The caller borrows the
// region before it uses the bytes.
func View[T any](s SpanRef) (unsafe.Pointer, uint64) {
	return view(s.Mem, s.Addr, s.Len, s.target, ptrWord((*T)(nil)))
}

func view(mem *memory.Memory, addr, n uint64, c *codec, word unsafe.Pointer) (unsafe.Pointer, uint64) {
	if mem == nil || mem.Shared() || n == 0 {
		return nil, 0
	}
	abi := mem.ABI()
	if c == nil || c.ptrWord != word || c.abi != abi {
		if c = recentCodec(word, abi); c == nil {
			return nil, 0
		}
	}
	b, ok := mem.Current()
	hi, total := bits.Mul64(n, c.size)
	if !ok || !c.transparent || hi != 0 || total == 0 || addr > uint64(len(b)) || uint64(len(b))-addr < total || addr&c.alignMask != 0 {
		return nil, 0
	}
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), addr)
	if uintptr(p)&c.goAlignMask != 0 {
		return nil, 0
	}
	return p, total
}

// Load is the fast path of reading a T that Peek does not cover (a tagged
// union, guest pointers, narrowed integers): when r's memory holds its
// bytes, is not shared and holds no borrow, and the T at r is in bounds
// and aligned, it runs T's compiled steps into *v and reports whether they
// succeeded. On false *v may be partly written: read the general way,
// which says why (the memory is not shared, so it reads the same bytes).
func Load[T any](r Ref, v *T) bool {
	return loadSteps(r.Mem, r.Addr, r.target, ptrWord((*T)(nil)), unsafe.Pointer(v))
}

func loadSteps(mem *memory.Memory, addr uint64, c *codec, word, dst unsafe.Pointer) bool {
	if mem == nil || mem.Shared() || mem.Borrows().Held() != 0 {
		return false
	}
	abi := mem.ABI()
	if c == nil || c.ptrWord != word || c.abi != abi {
		if c = recentCodec(word, abi); c == nil {
			return false
		}
	}
	b, ok := mem.Current()
	if !ok || c.direct || c.size == 0 || addr > uint64(len(b)) || uint64(len(b))-addr < c.size || addr&c.alignMask != 0 {
		return false
	}
	return c.step.dec(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), addr), noescape(dst), mem) == nil
}
