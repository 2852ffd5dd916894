package guestptr

import (
	"sync"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// A value written into a memory may hold Ptr, Slice and String fields. Their
// addresses are written, not their memories, so a pointer bound to another
// memory would silently point at the wrong bytes: writes refuse it with
// ErrForeignMemory. A pointer bound to no memory (a zero value, or one
// decoded from bare bytes) is an address only, and may be written anywhere.

// binder finds, in a Go value of one layout, the first guest pointer bound
// to a memory other than mem; nil when the layout holds no pointers.
// On a find it returns the path to it, innermost step first, built on the
// way out so that a check that finds nothing allocates nothing.
type binder func(v unsafe.Pointer, mem *memory.Memory) ([]layout.PathStep, bool)

var binders sync.Map // *layout.Layout -> binder (nil: no pointers)

// binderOf returns l's binder, compiling it on first use.
func binderOf(l *layout.Layout) binder {
	if b, ok := binders.Load(l); ok {
		return b.(binder)
	}
	b := compileBinder(l, 0)
	binders.Store(l, b)
	return b
}

// compileBinder returns the binder of l placed at Go offset goOff.
func compileBinder(l *layout.Layout, goOff uintptr) binder {
	switch l.Kind {
	case layout.Pointer, layout.Span:
		// Ref and SpanRef both start with their memory.
		return func(v unsafe.Pointer, mem *memory.Memory) ([]layout.PathStep, bool) {
			m := *(**memory.Memory)(unsafe.Add(v, goOff))
			return nil, m != nil && m != mem
		}
	case layout.Array:
		elem := compileBinder(l.Elem, 0)
		if elem == nil {
			return nil
		}
		n, stride := l.Len, l.Type.Elem().Size()
		return func(v unsafe.Pointer, mem *memory.Memory) ([]layout.PathStep, bool) {
			for i := range n {
				if p, bad := elem(unsafe.Add(v, goOff+uintptr(i)*stride), mem); bad {
					return append(p, layout.IndexStep(i)), true
				}
			}
			return nil, false
		}
	case layout.Struct, layout.Union:
		type part struct {
			name string
			b    binder
		}
		var parts []part
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			if b := compileBinder(f.Layout, goOff+f.GoOffset); b != nil {
				parts = append(parts, part{f.Name, b})
			}
			if l.Kind == layout.Union && f.Layout.Size > 0 {
				break // a union writes its first member only
			}
		}
		if len(parts) == 0 {
			return nil
		}
		return func(v unsafe.Pointer, mem *memory.Memory) ([]layout.PathStep, bool) {
			for _, p := range parts {
				if q, bad := p.b(v, mem); bad {
					return append(q, layout.FieldStep(p.name)), true
				}
			}
			return nil, false
		}
	case layout.Variant:
		tag := l.Fields[0]
		cases := map[uint64]binder{}
		names := map[uint64]string{}
		for _, f := range l.Fields[1:] {
			if b := compileBinder(f.Layout, goOff+f.GoOffset); b != nil {
				cases[f.Case], names[f.Case] = b, f.Name
			}
		}
		if len(cases) == 0 {
			return nil
		}
		tagOff, w := goOff+tag.GoOffset, tag.Layout.Type.Size()
		return func(v unsafe.Pointer, mem *memory.Memory) ([]layout.PathStep, bool) {
			t := loadUint(unsafe.Add(v, tagOff), w)
			if b := cases[t]; b != nil {
				if q, bad := b(v, mem); bad {
					return append(q, layout.FieldStep(names[t])), true
				}
			}
			return nil, false
		}
	}
	return nil
}

// loadUint loads a Go unsigned integer of w bytes.
func loadUint(p unsafe.Pointer, w uintptr) uint64 {
	switch w {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	}
	return *(*uint64)(p)
}

// foreignIn checks the n values of layout l at v, Go stride apart, for a
// pointer bound to a memory other than mem. indexed puts the element's
// index in front of the path.
func foreignIn(l *layout.Layout, v unsafe.Pointer, n uint64, stride uintptr, mem *memory.Memory, indexed bool) error {
	if l == nil || l.Kind != layout.Pointer && l.Kind != layout.Span && len(l.Fields) == 0 && l.Elem == nil {
		return nil
	}
	b := binderOf(l)
	if b == nil {
		return nil
	}
	q := noescape(v)
	for i := range n {
		if p, bad := b(unsafe.Add(q, uintptr(i)*stride), mem); bad {
			if indexed {
				p = append(p, layout.IndexStep(i))
			}
			fp := make(layout.Path, len(p))
			for k := range p {
				fp[k] = p[len(p)-1-k]
			}
			return &marshal.FieldError{Path: fp, Err: ErrForeignMemory}
		}
	}
	return nil
}

// CheckBound reports, for a value v about to be written into mem, the first
// Ptr, Slice or String inside it that is bound to another memory
// (ErrForeignMemory). Writes through Ptr and Slice make this check
// themselves; it is exported for code that encodes values by other means.
func CheckBound[T any](mem *memory.Memory, v *T) error {
	if mem == nil {
		return nil
	}
	l, err := layout.For[T](mem.ABI())
	if err != nil {
		return err
	}
	return foreignIn(l, unsafe.Pointer(v), 1, 0, mem, false)
}

// noescape hides p from escape analysis: binders are closures, and a
// pointer passed to a closure escapes as far as the compiler can tell,
// which would move every value written onto the heap. No binder keeps the
// pointers it is given.
//
//go:nocheckptr
func noescape(p unsafe.Pointer) unsafe.Pointer {
	return unsafe.Add(nil, uintptr(p))
}
