package dwarflayout

import (
	"debug/dwarf"
	"errors"
	"fmt"
)

// maxEntries bounds the DWARF entries read from one binary, so that a
// hostile file cannot make the reader allocate without limit.
const maxEntries = 1 << 24

// pending is a type whose references are not yet resolved.
type pendingType struct {
	t    *Type
	ref  dwarf.Offset // DW_AT_type; 0 for none
	dims []uint64     // array dimensions, outermost first
	qual bool         // a qualifier: stands for its target
}

// pendingMember is a member whose type is not yet resolved.
type pendingMember struct {
	parent *Type
	index  int
	ref    dwarf.Offset
	name   string
}

// reader turns DWARF entries into Types.
type reader struct {
	d       *dwarf.Data
	byOff   map[dwarf.Offset]*pendingType
	members []pendingMember
	vars    map[string]dwarf.Offset
	order   []*Type
	files   []*dwarf.LineFile
	ptrSize uint64
}

func readTypes(d *dwarf.Data) (g *Guest, err error) {
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, fmt.Errorf("malformed DWARF: %v", r)
		}
	}()
	rd := &reader{d: d, byOff: map[dwarf.Offset]*pendingType{}, vars: map[string]dwarf.Offset{}}
	if err := rd.walk(); err != nil {
		return nil, err
	}
	return rd.link()
}

// walk reads every entry, keeping the stack of enclosing types.
func (rd *reader) walk() error {
	r := rd.d.Reader()
	var stack []*pendingType // nil entries for non-type parents
	for n := 0; ; n++ {
		if n > maxEntries {
			return errors.New("more than 16M DWARF entries")
		}
		e, err := r.Next()
		if err != nil {
			return fmt.Errorf("malformed DWARF: %v", err)
		}
		if e == nil {
			return nil
		}
		if e.Tag == 0 {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		var parent *pendingType
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		if e.Tag == dwarf.TagCompileUnit {
			stack = stack[:0]
			rd.ptrSize = uint64(r.AddressSize())
			rd.files = nil
			if lr, err := rd.d.LineReader(e); err == nil && lr != nil {
				rd.files = lr.Files()
			}
		}
		p := rd.entry(e, parent)
		if e.Children {
			stack = append(stack, p)
		}
	}
}

// entry records one entry and returns it as a parent for its children
// (nil when it is not a type).
func (rd *reader) entry(e *dwarf.Entry, parent *pendingType) *pendingType {
	ref, _ := e.Val(dwarf.AttrType).(dwarf.Offset)
	name, _ := e.Val(dwarf.AttrName).(string)
	size, hasSize := e.Val(dwarf.AttrByteSize).(int64)
	align, _ := e.Val(dwarf.AttrAlignment).(int64)
	t := &Type{Name: name, Size: uint64(max(size, 0)), ExplicitAlign: uint64(max(align, 0)), PointerSize: rd.ptrSize}
	t.Declaration, _ = e.Val(dwarf.AttrDeclaration).(bool)
	if f, ok := e.Val(dwarf.AttrDeclFile).(int64); ok && f >= 0 && f < int64(len(rd.files)) && rd.files[f] != nil {
		t.File = rd.files[f].Name
	}
	if l, ok := e.Val(dwarf.AttrDeclLine).(int64); ok {
		t.Line = int(l)
	}
	p := &pendingType{t: t, ref: ref}
	switch e.Tag {
	case dwarf.TagBaseType:
		t.Kind = Base
		switch enc, _ := e.Val(dwarf.AttrEncoding).(int64); enc {
		case encBool:
			t.Encoding = Bool
		case encFloat:
			t.Encoding = Float
		case encSigned, encSignedChar:
			t.Encoding = Signed
		}
	case dwarf.TagPointerType:
		t.Kind = Pointer
		if !hasSize {
			t.Size = rd.ptrSize
		}
	case dwarf.TagStructType, dwarf.TagUnionType:
		t.Kind = Struct
		if e.Tag == dwarf.TagUnionType {
			t.Kind = Union
		}
	case dwarf.TagEnumerationType:
		t.Kind = Enum
	case dwarf.TagArrayType:
		t.Kind = Array
	case dwarf.TagTypedef:
		t.Kind = Typedef
	case dwarf.TagSubroutineType:
		t.Kind = Function
	case dwarf.TagConstType, dwarf.TagVolatileType, dwarf.TagRestrictType, dwarf.TagAtomicType:
		p.qual = true
	case dwarf.TagUnspecifiedType:
		t.Kind = Void
	case dwarf.TagMember:
		rd.member(e, parent, name, ref)
		return nil
	case dwarf.TagEnumerator:
		if parent != nil && parent.t.Kind == Enum {
			v, _ := e.Val(dwarf.AttrConstValue).(int64)
			parent.t.Enumerators = append(parent.t.Enumerators, Enumerator{name, v})
		}
		return nil
	case dwarf.TagSubrangeType:
		if parent != nil && parent.t.Kind == Array {
			parent.dims = append(parent.dims, subrangeCount(e))
		}
		return nil
	case dwarf.TagVariable:
		if name != "" && ref != 0 {
			rd.vars[name] = ref
		}
		return nil
	default:
		return nil
	}
	rd.byOff[e.Offset] = p
	if !p.qual {
		rd.order = append(rd.order, t)
	}
	return p
}

// DWARF base type encodings (DW_ATE_*).
const (
	encBool       = 0x02
	encFloat      = 0x04
	encSigned     = 0x05
	encSignedChar = 0x06
)

func (rd *reader) member(e *dwarf.Entry, parent *pendingType, name string, ref dwarf.Offset) {
	if parent == nil || (parent.t.Kind != Struct && parent.t.Kind != Union) {
		return
	}
	m := Member{Name: name}
	switch loc := e.Val(dwarf.AttrDataMemberLoc).(type) {
	case int64:
		m.Offset = uint64(max(loc, 0))
	case []byte: // DW_OP_plus_uconst N, as old compilers write it
		if len(loc) > 1 && loc[0] == 0x23 {
			v, _, _ := uleb(loc[1:])
			m.Offset = v
		}
	}
	if bs, ok := e.Val(dwarf.AttrBitSize).(int64); ok && bs > 0 {
		m.BitSize = uint64(bs)
	}
	if a, ok := e.Val(dwarf.AttrAlignment).(int64); ok && a > 0 {
		m.ExplicitAlign = uint64(a)
	}
	parent.t.Members = append(parent.t.Members, m)
	rd.members = append(rd.members, pendingMember{parent.t, len(parent.t.Members) - 1, ref, name})
}

func subrangeCount(e *dwarf.Entry) uint64 {
	if c, ok := e.Val(dwarf.AttrCount).(int64); ok && c > 0 {
		return uint64(c)
	}
	if u, ok := e.Val(dwarf.AttrUpperBound).(int64); ok && u >= 0 {
		return uint64(u) + 1
	}
	return 0 // a flexible array member
}

// resolve returns the type at off, looking through qualifiers; nil is void.
func (rd *reader) resolve(off dwarf.Offset) *Type {
	for i := 0; off != 0 && i < 16; i++ {
		p := rd.byOff[off]
		if p == nil {
			return nil
		}
		if !p.qual {
			return p.t
		}
		off = p.ref
	}
	return nil
}

// link resolves references, expands multi-dimensional arrays and fills in
// the sizes DWARF leaves implicit.
func (rd *reader) link() (*Guest, error) {
	for _, p := range rd.byOff {
		if p.qual {
			continue
		}
		t := p.t
		t.Elem = rd.resolve(p.ref)
		if t.Kind == Array && len(p.dims) > 1 {
			// int a[2][3]: an array of 2 arrays of 3.
			elem := t.Elem
			for i := len(p.dims) - 1; i >= 1; i-- {
				elem = &Type{Kind: Array, Elem: elem, Count: p.dims[i], PointerSize: t.PointerSize}
				rd.order = append(rd.order, elem)
			}
			t.Elem = elem
		}
		if t.Kind == Array && len(p.dims) > 0 {
			t.Count = p.dims[0]
		}
	}
	for _, m := range rd.members {
		m.parent.Members[m.index].Type = rd.resolve(m.ref)
		if m.parent.Members[m.index].Type == nil {
			return nil, fmt.Errorf("member %s of %s has no type", m.name, m.parent.CName())
		}
	}
	for _, t := range rd.order {
		sizeOf(t, 0)
		if t.Kind == Enum && t.Elem != nil && t.Elem.Kind == Base {
			t.Encoding = t.Elem.Encoding
		} else if t.Kind == Enum {
			for _, e := range t.Enumerators {
				if e.Value < 0 {
					t.Encoding = Signed
				}
			}
		}
	}
	g := &Guest{PointerSize: rd.ptrSize, byName: map[string][]*Type{}, vars: map[string]*Type{}}
	for _, t := range rd.order {
		g.add(t)
	}
	for name, off := range rd.vars {
		if t := rd.resolve(off); t != nil {
			g.vars[name] = t
		}
	}
	return g, nil
}

// sizeOf fills in the size of typedefs and arrays from what they name.
func sizeOf(t *Type, depth int) uint64 {
	if t == nil || depth > 64 {
		return 0
	}
	switch t.Kind {
	case Typedef:
		t.Size = sizeOf(t.Elem, depth+1)
	case Array:
		if es := sizeOf(t.Elem, depth+1); t.Count > 0 && es <= (1<<63)/t.Count {
			t.Size = es * t.Count
		} else {
			t.Size = 0
		}
	}
	return t.Size
}
