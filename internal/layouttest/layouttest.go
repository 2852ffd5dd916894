// Package layouttest holds checks that tests of several packages make
// against a guest layout: it is computed from package layout alone, so it
// is an independent reference for what marshal and guestptr do.
package layouttest

import (
	"encoding/binary"

	"github.com/guestkit/guestkit/layout"
)

// MarkWritten sets set[off+i] for every byte of the value of layout l at
// off that a write of it covers: every non-blank field of a struct, the
// first member with guest bytes of a C union, and the tag and the active
// case of a tagged union (the tag is read from b, the guest bytes).
// Padding is never marked.
func MarkWritten(l *layout.Layout, b []byte, off uint64, set []bool) {
	switch l.Kind {
	case layout.Struct:
		for _, f := range l.Fields {
			if !f.Blank {
				MarkWritten(f.Layout, b, off+f.Offset, set)
			}
		}
	case layout.Union:
		for _, f := range l.Fields {
			if !f.Blank && f.Layout.Size > 0 {
				MarkWritten(f.Layout, b, off+f.Offset, set)
				return
			}
		}
	case layout.Variant:
		tag := l.Fields[0]
		MarkWritten(tag.Layout, b, off+tag.Offset, set)
		v := LE(b[off+tag.Offset : off+tag.Offset+tag.Layout.Size])
		for _, f := range l.Fields[1:] {
			if f.Case == v {
				MarkWritten(f.Layout, b, off+f.Offset, set)
				return
			}
		}
	case layout.Array:
		for i := range l.Len {
			MarkWritten(l.Elem, b, off+i*l.Elem.Size, set)
		}
	default:
		for i := range l.Size {
			set[off+i] = true
		}
	}
}

// LE reads up to 8 little-endian bytes as an unsigned integer.
func LE(b []byte) uint64 {
	var x [8]byte
	copy(x[:], b)
	return binary.LittleEndian.Uint64(x[:])
}
