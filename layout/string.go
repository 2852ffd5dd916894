package layout

import (
	"fmt"
	"strings"
)

// String returns a pahole-style table of the layout: one row per field with
// its guest offset, size, name and guest type, and a row for every padding
// hole. Nested structs and unions are expanded, indented under their field.
func (l *Layout) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  size %d  align %d", l.Type, l.ABI, l.Size, l.Align)
	if l.Transparent {
		b.WriteString("  transparent")
	}
	b.WriteString("\noffset  size  field")
	b.WriteString(strings.Repeat(" ", 22))
	b.WriteString("guest type\n")
	if len(l.Fields) == 0 {
		row(&b, 0, l.Size, "", l.GuestType(), 0)
		return b.String()
	}
	writeFields(&b, l, 0, 0)
	return b.String()
}

// writeFields writes the rows of a struct, union or tagged union placed at
// base, with holes between fields and at the end.
func writeFields(b *strings.Builder, l *Layout, base uint64, depth int) {
	var end uint64
	for _, f := range l.Fields {
		if f.Offset > end && !(l.Kind == Variant && f.IsCase && f.Offset == end) {
			hole(b, base+end, f.Offset-end, depth)
		}
		name := f.Name
		if f.IsCase {
			name = fmt.Sprintf("%s (case %d)", f.Name, f.Case)
		}
		row(b, base+f.Offset, f.Layout.Size, name, f.Layout.GuestType(), depth)
		if len(f.Layout.Fields) > 0 {
			writeFields(b, f.Layout, base+f.Offset, depth+1)
		}
		if l.Kind == Struct {
			end = f.Offset + f.Layout.Size
		} else {
			end = max(end, f.Offset+f.Layout.Size)
		}
		if l.Kind == Variant && f.Tag && len(l.Fields) > 1 && l.Fields[1].Offset > end {
			hole(b, base+end, l.Fields[1].Offset-end, depth)
			end = l.Fields[1].Offset
		}
	}
	if l.Size > end {
		hole(b, base+end, l.Size-end, depth)
	}
}

func row(b *strings.Builder, off, size uint64, name, guest string, depth int) {
	name = strings.Repeat("  ", depth) + name
	fmt.Fprintf(b, "%6d  %4d  %-26s %s\n", off, size, name, guest)
}

func hole(b *strings.Builder, off, size uint64, depth int) {
	row(b, off, size, "", fmt.Sprintf("/* %d-byte hole */", size), depth)
}

// GuestType names the guest type of l: u8, i64, f32, bool, u16 enum(3),
// u64 flags(0x1f), [4]u32, ptr<T>, ptr+len<T>, struct, union or variant.
func (l *Layout) GuestType() string {
	switch l.Kind {
	case Bool:
		return "bool"
	case Int, Uint, Float:
		name := fmt.Sprintf("%c%d", "iuf"[l.Kind-Int], 8*l.Size)
		switch l.Check.Kind {
		case CheckEnum:
			name += fmt.Sprintf(" enum(%d)", l.Check.Cases)
		case CheckFlags:
			name += fmt.Sprintf(" flags(%#x)", l.Check.Mask)
		}
		return name
	case Array:
		return fmt.Sprintf("[%d]%s", l.Len, l.Elem.GuestType())
	case Pointer:
		return "ptr<" + l.Pointee.String() + ">"
	case Span:
		return "ptr+len<" + l.Pointee.String() + ">"
	}
	return l.Kind.String()
}
