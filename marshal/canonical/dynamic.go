package canonical

import (
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

// Dynamic is a [Codec] for a Go type known only at run time, such as one
// built with reflect.StructOf. It is compiled once per (type, ABI) and
// cached like a Codec.
type Dynamic struct {
	p *plan
}

// DynamicOf returns the codec of t for guests of data model abi.
func DynamicOf(t reflect.Type, abi layout.ABI) (Dynamic, error) {
	p, err := planOf(t, ptrSizeOf(abi))
	return Dynamic{p}, err
}

// Size returns the canonical elem_size of the type.
func (d Dynamic) Size() uint64 { return d.p.size }

// Align returns the canonical alignment of the type.
func (d Dynamic) Align() uint64 { return d.p.align }

// Flat returns the type's flattened core types.
func (d Dynamic) Flat() []CoreType { return append([]CoreType(nil), d.p.flat...) }

// Load lifts the value at ptr into a new Go value of the type.
func (d Dynamic) Load(cx *Context, ptr uint64) (reflect.Value, error) {
	v := reflect.New(d.p.typ)
	err := loadAt(cx, d.p, ptr, v.UnsafePointer())
	return v.Elem(), finish(err, "lift", d.p.typ)
}

// Store lowers v, a value of the type, into guest memory at ptr.
func (d Dynamic) Store(cx *Context, ptr uint64, v reflect.Value) error {
	if v.Type() != d.p.typ {
		return finish(failNoAddr(ErrType, "value of type %v", v.Type()), "lower", d.p.typ)
	}
	return finish(storeAt(cx, d.p, ptr, addressable(v)), "lower", d.p.typ)
}

// LiftFlat lifts a value of the type from its flat core values.
func (d Dynamic) LiftFlat(cx *Context, flat []uint64) (reflect.Value, error) {
	v := reflect.New(d.p.typ)
	if len(flat) != len(d.p.flat) {
		return v.Elem(), finish(failNoAddr(ErrType, "%d flat values for %d core types", len(flat), len(d.p.flat)), "lift", d.p.typ)
	}
	l := lifter{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	err := l.liftFlat(d.p, &flatIter{vals: flat}, v.UnsafePointer())
	return v.Elem(), finish(err, "lift", d.p.typ)
}

// LowerFlat lowers v to its flat core values, appended to dst.
func (d Dynamic) LowerFlat(cx *Context, v reflect.Value, dst []uint64) ([]uint64, error) {
	if v.Type() != d.p.typ {
		return dst, finish(failNoAddr(ErrType, "value of type %v", v.Type()), "lower", d.p.typ)
	}
	p := addressable(v)
	if err := check(d.p, p); err != nil {
		return dst, finish(err, "lower", d.p.typ)
	}
	w := lowerer{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	out, err := w.lowerFlat(d.p, p, dst)
	return out, finish(err, "lower", d.p.typ)
}

func addressable(v reflect.Value) unsafe.Pointer {
	if v.CanAddr() {
		return v.Addr().UnsafePointer()
	}
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	return c.UnsafePointer()
}
