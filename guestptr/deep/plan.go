package deep

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// The guest forms of native fields in a mirror: only their shape matters
// to the layout (a pointer, or a pointer and a length); what they point to
// is planned by this package.
var (
	spanShape  = reflect.TypeFor[guestptr.Slice[byte]]()
	ptrShape   = reflect.TypeFor[guestptr.Ptr[byte]]()
	ptrType    = reflect.TypeFor[layout.PointerType]()
	mirrorsMu  sync.Mutex
	mirrorsMap = map[reflect.Type]reflect.Type{}
)

// Mirror returns the guest mirror of the native type t: t itself when it
// holds no Go strings, slices or pointers, else the type whose layout is
// t's guest layout (see the package documentation).
func Mirror(t reflect.Type) (reflect.Type, error) {
	mirrorsMu.Lock()
	defer mirrorsMu.Unlock()
	return mirror(t)
}

func mirror(t reflect.Type) (reflect.Type, error) {
	if m, ok := mirrorsMap[t]; ok {
		return m, nil
	}
	m, err := mirrorOf(t)
	if err != nil {
		return nil, err
	}
	mirrorsMap[t] = m
	return m, nil
}

func mirrorOf(t reflect.Type) (reflect.Type, error) {
	if t.Implements(ptrType) {
		return t, nil
	}
	switch t.Kind() {
	case reflect.String, reflect.Slice:
		return spanShape, nil
	case reflect.Pointer:
		return ptrShape, nil
	case reflect.Array:
		e, err := mirror(t.Elem())
		if err != nil || e == t.Elem() {
			return t, err
		}
		return reflect.ArrayOf(t.Len(), e), nil
	case reflect.Struct:
		fields := make([]reflect.StructField, t.NumField())
		changed := false
		for i := range fields {
			f := t.Field(i)
			m := f.Type
			if f.Tag.Get("guest") != "-" {
				var err error
				if m, err = mirror(f.Type); err != nil {
					return nil, err
				}
			}
			changed = changed || m != f.Type
			fields[i] = reflect.StructField{Name: f.Name, PkgPath: f.PkgPath, Type: m, Tag: f.Tag}
		}
		if !changed {
			return t, nil
		}
		return reflect.StructOf(fields), nil
	}
	return t, nil
}

// plan is how one native type moves under one ABI. Its functions are set
// once compiled; a plan may refer to itself through its elem, for types
// that refer to themselves through pointers and slices.
type plan struct {
	t      reflect.Type
	l      *layout.Layout // the mirror's layout
	size   uint64         // guest size and alignment
	align  uint64
	goSize uintptr
	plain  bool // t is its own mirror: marshal moves it
	dyn    marshal.Dynamic
	// load reads the guest value at src (in bounds) into the Go value at dst.
	load func(ld *loader, src, dst unsafe.Pointer, depth int) error
	// measure checks the Go value at v and lists the blocks it needs.
	measure func(st *storer, v unsafe.Pointer, depth int) error
	// store encodes the Go value at v, which measure passed, at dst in
	// the scratch buffer.
	store func(st *storer, dst, v unsafe.Pointer)
}

type planKey struct {
	t   reflect.Type
	abi layout.ABI
}

var (
	plans   sync.Map   // planKey -> *plan
	planMu  sync.Mutex // serializes compiling
	pending map[planKey]*plan
)

// planFor returns the plan of t under abi, compiling it on first use.
func planFor(t reflect.Type, abi layout.ABI) (*plan, error) {
	if p, ok := plans.Load(planKey{t, abi}); ok {
		return p.(*plan), nil
	}
	planMu.Lock()
	defer planMu.Unlock()
	pending = map[planKey]*plan{}
	p, err := compile(t, abi)
	if err != nil {
		pending = nil
		return nil, err
	}
	for k, q := range pending {
		plans.Store(k, q)
	}
	pending = nil
	return p, nil
}

// compile returns the plan of t, from the cache or the plans being
// compiled (so cycles close), or compiles it.
func compile(t reflect.Type, abi layout.ABI) (*plan, error) {
	k := planKey{t, abi}
	if p, ok := plans.Load(k); ok {
		return p.(*plan), nil
	}
	if p, ok := pending[k]; ok {
		return p, nil
	}
	m, err := Mirror(t)
	if err != nil {
		return nil, err
	}
	l, err := layout.Of(m, abi)
	if err != nil {
		return nil, err
	}
	p := &plan{t: t, l: l, size: l.Size, align: l.Align, goSize: t.Size()}
	pending[k] = p
	switch l.Kind {
	case layout.Bool, layout.Int, layout.Uint, layout.Float:
		q := scalarPlan(t, l)
		*p = *q
		return p, nil
	}
	if m == t {
		if p.dyn, err = marshal.DynamicFor(t, abi); err != nil {
			return nil, err
		}
		p.plain = true
		p.load, p.measure, p.store = plainLoad(p), plainMeasure(p), plainStore(p)
		return p, nil
	}
	switch t.Kind() {
	case reflect.String:
		p.load, p.measure, p.store = stringLoad, stringMeasure, stringStore
	case reflect.Slice:
		elem, err := compile(t.Elem(), abi)
		if err != nil {
			return nil, err
		}
		p.load, p.measure, p.store = sliceLoad(t, elem), sliceMeasure(elem), sliceStore(elem)
	case reflect.Pointer:
		elem, err := compile(t.Elem(), abi)
		if err != nil {
			return nil, err
		}
		p.load, p.measure, p.store = ptrLoad(t, elem), ptrMeasure(elem), ptrStore(elem)
	case reflect.Array:
		elem, err := compile(t.Elem(), abi)
		if err != nil {
			return nil, err
		}
		p.load, p.measure, p.store = arrayLoad(t, l, elem), arrayMeasure(t, elem), arrayStore(t, l, elem)
	case reflect.Struct:
		if l.Kind != layout.Struct {
			return nil, &layout.Error{Type: t, Reason: fmt.Sprintf("%v: Go strings, slices or pointers inside a %s; use guestptr types there", ErrUnsupported, l.Kind)}
		}
		fields, err := structFields(t, l, abi)
		if err != nil {
			return nil, err
		}
		p.load, p.measure, p.store = structLoad(fields), structMeasure(fields), structStore(fields)
	default:
		return nil, &layout.Error{Type: t, Reason: ErrUnsupported.Error()}
	}
	return p, nil
}

// field is one field of a native struct.
type field struct {
	name  string
	off   uint64  // guest offset
	goOff uintptr // Go offset
	p     *plan
	step  layout.PathStep
}

func structFields(t reflect.Type, l *layout.Layout, abi layout.ABI) ([]field, error) {
	var out []field
	for _, f := range l.Fields {
		if f.Blank || f.Layout.Size == 0 {
			continue
		}
		sf := t.Field(f.Index)
		var p *plan
		var err error
		switch f.Layout.Kind {
		case layout.Bool, layout.Int, layout.Uint, layout.Float:
			// A scalar's field tag may narrow it: move it as laid out.
			p = scalarPlan(sf.Type, f.Layout)
		default:
			p, err = compile(sf.Type, abi)
		}
		if err != nil {
			if le, ok := err.(*layout.Error); ok {
				return nil, &layout.Error{Type: t, Path: le.Path.Prepend(layout.FieldStep(f.Name)), Reason: le.Reason}
			}
			return nil, err
		}
		out = append(out, field{name: f.Name, off: f.Offset, goOff: sf.Offset, p: p, step: layout.FieldStep(f.Name)})
	}
	return out, nil
}
