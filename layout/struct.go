package layout

import (
	"fmt"
	"reflect"
)

// structMode is how a struct's fields are placed.
type structMode uint8

const (
	modeStruct  structMode = iota // in order (the C struct rule)
	modeUnion                     // all at offset 0
	modeVariant                   // a tag, then every case at one payload offset
)

// structOptions are the struct-level options from blank struct{} fields.
type structOptions struct {
	packed bool
	union  bool
	align  uint64
	mode   structMode
}

// pending is a field whose layout is known but whose offset is not yet.
type pending struct {
	field Field
	tag   fieldTag
	align uint64
}

func structLayout(t reflect.Type, abi ABI) (*Layout, error) {
	fail := func(sf reflect.StructField, format string, args ...any) error {
		return &Error{Type: t, Path: Path{FieldStep(sf.Name)}, Reason: fmt.Sprintf(format, args...)}
	}
	var (
		opts   structOptions
		fields []pending
		goOnly bool // a `guest:"-"` field takes Go bytes
	)
	for i := range t.NumField() {
		sf := t.Field(i)
		ft, err := parseTag(string(sf.Tag))
		if err != nil {
			return nil, fail(sf, "%v", err)
		}
		if ft.skip {
			goOnly = goOnly || sf.Type.Size() > 0
			continue
		}
		if sf.Name == "_" && sf.Type.Kind() == reflect.Struct && sf.Type.NumField() == 0 && (ft.hasMarks || ft.tag || ft.isCase) {
			if err := opts.add(ft); err != nil {
				return nil, fail(sf, "%v", err)
			}
			continue
		}
		if ft.packed || ft.union {
			return nil, fail(sf, "packed and union belong on a blank field: _ struct{} `guest:\",packed\"`")
		}
		fl, err := fieldTypeLayout(sf.Type, abi, &ft)
		if err != nil {
			return nil, asError(err).within(t, FieldStep(sf.Name))
		}
		p := pending{
			field: Field{Name: sf.Name, Index: i, GoOffset: sf.Offset, Layout: fl, Blank: sf.Name == "_", Tag: ft.tag, IsCase: ft.isCase, Case: ft.caseNum},
			tag:   ft,
			align: fl.Align,
		}
		if ft.tag && ft.isCase {
			return nil, fail(sf, "a field cannot be both the tag and a case")
		}
		if ft.tag || ft.isCase {
			opts.mode = modeVariant
		}
		fields = append(fields, p)
	}
	if opts.union {
		if opts.mode == modeVariant {
			return nil, &Error{Type: t, Reason: "a struct cannot be both a union and a tagged union"}
		}
		opts.mode = modeUnion
	}
	for i := range fields {
		if opts.packed {
			fields[i].align = 1
		}
		fields[i].align = max(fields[i].align, fields[i].tag.align)
	}
	l := &Layout{Type: t, ABI: abi, Kind: Struct, Align: max(1, opts.align)}
	var err error
	switch opts.mode {
	case modeUnion:
		l.Kind = Union
		err = placeUnion(l, fields)
	case modeVariant:
		l.Kind = Variant
		err = placeVariant(l, fields, opts.packed)
	default:
		err = placeStruct(l, fields)
	}
	if err != nil {
		return nil, err
	}
	l.Copyable = structCopyable(l, goOnly)
	l.Transparent = l.Copyable && structTransparent(l)
	return l, nil
}

// add records the options of a blank struct{} field.
func (o *structOptions) add(ft fieldTag) error {
	if ft.typ != nil || ft.hasOff || ft.tag || ft.isCase {
		return fmt.Errorf("a blank struct{} field takes only packed, align=N and union")
	}
	o.packed = o.packed || ft.packed
	o.align = max(o.align, ft.align)
	o.union = o.union || ft.union
	return nil
}

// placeStruct applies the C struct rule, honouring offset=N.
func placeStruct(l *Layout, fields []pending) error {
	var off uint64
	for _, p := range fields {
		f := p.field
		start, ok := alignUp(off, p.align)
		if p.tag.hasOff {
			switch {
			case p.tag.offset < off:
				return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: fmt.Sprintf("offset=%d overlaps the previous field, which ends at %d", p.tag.offset, off)}
			case p.tag.offset%p.align != 0:
				return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: fmt.Sprintf("offset=%d breaks the field's alignment of %d", p.tag.offset, p.align)}
			}
			start, ok = p.tag.offset, true
		}
		f.Offset = start
		off = start + f.Layout.Size
		if !ok || off < start {
			return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: "struct size overflows"}
		}
		l.Align = max(l.Align, p.align)
		l.Fields = append(l.Fields, f)
	}
	return finishSize(l, off)
}

// placeUnion puts every field at offset 0.
func placeUnion(l *Layout, fields []pending) error {
	var size uint64
	for _, p := range fields {
		if p.tag.hasOff {
			return &Error{Type: l.Type, Path: Path{FieldStep(p.field.Name)}, Reason: "offset=N has no meaning in a union"}
		}
		l.Align = max(l.Align, p.align)
		size = max(size, p.field.Layout.Size)
		l.Fields = append(l.Fields, p.field)
	}
	return finishSize(l, size)
}

// placeVariant lays out a tagged union: the tag first, then every case at
// align_up(tag size, max case alignment).
func placeVariant(l *Layout, fields []pending, packed bool) error {
	if len(fields) == 0 || !fields[0].field.Tag {
		return &Error{Type: l.Type, Reason: "a tagged union's first field must be its tag (`guest:\",tag\"`)"}
	}
	tag := fields[0]
	if tag.field.Layout.Kind != Uint || tag.field.Layout.Check.Kind == CheckFlags {
		return &Error{Type: l.Type, Path: Path{FieldStep(tag.field.Name)}, Reason: "a tag must be an unsigned integer or an enum"}
	}
	maxTag := uint64(1)<<(8*tag.field.Layout.Size) - 1
	if tag.field.Layout.Size == 8 {
		maxTag = 1<<64 - 1
	}
	if c := tag.field.Layout.Check; c.Kind == CheckEnum && c.Cases > 0 {
		maxTag = min(maxTag, c.Cases-1)
	}
	// unionAlign is the cases' alignment before packing: C rounds the
	// union of the payloads to it even inside a packed struct.
	var caseAlign, unionAlign, caseSize uint64 = 1, 1, 0
	seen := map[uint64]string{}
	for _, p := range fields[1:] {
		f := p.field
		switch {
		case f.Tag:
			return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: "a tagged union has exactly one tag"}
		case !f.IsCase:
			return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: "every field after a tag must be a case (`guest:\",case=K\"`) or left out (`guest:\"-\"`)"}
		case p.tag.hasOff:
			return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: "offset=N has no meaning in a tagged union"}
		case f.Case > maxTag:
			return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: fmt.Sprintf("case=%d does not fit the tag %s", f.Case, tag.field.Name)}
		}
		if other, dup := seen[f.Case]; dup {
			return &Error{Type: l.Type, Path: Path{FieldStep(f.Name)}, Reason: fmt.Sprintf("case=%d is also the case of %s", f.Case, other)}
		}
		seen[f.Case] = f.Name
		if !packed {
			// Packed, the payloads' union sits right after the tag
			// whatever its members ask: C packs the union as one member.
			caseAlign = max(caseAlign, p.align)
		}
		unionAlign = max(unionAlign, f.Layout.Align, p.tag.align)
		caseSize = max(caseSize, f.Layout.Size)
	}
	if len(fields) == 1 {
		return &Error{Type: l.Type, Reason: "a tagged union needs at least one case"}
	}
	payload, _ := alignUp(tag.field.Layout.Size, caseAlign)
	caseSize, _ = alignUp(caseSize, unionAlign)
	tag.field.Offset = 0
	l.Fields = append(l.Fields, tag.field)
	for _, p := range fields[1:] {
		p.field.Offset = payload
		l.Fields = append(l.Fields, p.field)
	}
	l.Align = max(l.Align, tag.align, caseAlign)
	return finishSize(l, payload+caseSize)
}

// finishSize rounds end up to the struct's alignment.
func finishSize(l *Layout, end uint64) error {
	size, ok := alignUp(end, l.Align)
	if !ok {
		return &Error{Type: l.Type, Reason: "struct size overflows"}
	}
	l.Size = size
	return nil
}

// structCopyable reports whether a struct's Go bytes are its guest bytes
// apart from padding and blank fields: same size, every field copyable at
// the same offset, and no Go-only field whose bytes a copy would overwrite.
func structCopyable(l *Layout, goOnly bool) bool {
	if l.Kind != Struct || goOnly || uint64(l.Type.Size()) != l.Size {
		return false
	}
	for _, f := range l.Fields {
		if !f.Layout.Copyable || uint64(f.GoOffset) != f.Offset {
			return false
		}
	}
	return true
}

// structTransparent reports whether a copyable struct's Go bytes equal its
// guest bytes exactly: every field transparent, no blank fields, and no
// padding to copy over.
func structTransparent(l *Layout) bool {
	var covered uint64
	for _, f := range l.Fields {
		if (f.Blank && f.Layout.Size > 0) || !f.Layout.Transparent {
			return false
		}
		covered += f.Layout.Size
	}
	return covered == l.Size
}
