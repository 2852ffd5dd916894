package canonical

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

// Func is the canonical ABI of one function: its parameters are the fields
// of the struct P, in order (struct{} for none), and its result is R
// (struct{} for none). It flattens them with MaxFlatParams and
// MaxFlatResults: more flat parameters are spilled to memory and passed as
// one pointer, a result of more than one flat value returns through
// memory.
//
// The caller's side of a lifted guest export is LowerArgs then
// LiftResult; the callee's side of a host import called by the guest is
// LiftArgs then LowerResult. A Func is compiled once per (P, R, ABI).
type Func[P, R any] struct {
	params  *plan
	result  *plan // nil: no result
	spillP  bool
	spillR  bool
	ptrType CoreType
	handles bool // handles anywhere: calls need a table and a scope
}

// FuncOf returns the canonical ABI of func(P's fields...) R for guests of
// data model abi.
func FuncOf[P, R any](abi layout.ABI) (*Func[P, R], error) {
	ps := ptrSizeOf(abi)
	f := &Func[P, R]{ptrType: I32}
	if ps == 8 {
		f.ptrType = I64
	}
	pt, rt := reflect.TypeFor[P](), reflect.TypeFor[R]()
	if pt.Kind() != reflect.Struct {
		return nil, &Error{Op: "compile", Type: pt, Err: ErrType, Detail: "parameters must be a struct, one field per parameter"}
	}
	if pt.NumField() == 0 {
		f.params = &plan{typ: pt, kind: kRecord, align: 1, scalarOnly: true}
	} else {
		p, err := planOf(pt, ps)
		if err != nil {
			return nil, err
		}
		if p.kind != kRecord {
			return nil, &Error{Op: "compile", Type: pt, Err: ErrType, Detail: "parameters must be a plain struct, one field per parameter"}
		}
		f.params = p
	}
	if rt != emptyType {
		r, err := planOf(rt, ps)
		if err != nil {
			return nil, err
		}
		f.result = r
	}
	f.spillP = len(f.params.flat) > MaxFlatParams
	f.spillR = f.result != nil && len(f.result.flat) > MaxFlatResults
	f.handles = hasHandles(f.params) || (f.result != nil && hasHandles(f.result))
	return f, nil
}

func hasHandles(p *plan) bool {
	switch p.kind {
	case kOwn, kBorrow:
		return true
	case kList, kFixed:
		return hasHandles(p.elem)
	case kRecord:
		for _, f := range p.fields {
			if hasHandles(f.p) {
				return true
			}
		}
	case kVariant:
		for _, c := range p.cases {
			if c.p != nil && hasHandles(c.p) {
				return true
			}
		}
	}
	return false
}

// UsesHandles reports whether a parameter or the result holds a handle.
func (f *Func[P, R]) UsesHandles() bool { return f.handles }

// ExportParams returns the core parameter types of a lifted export (the
// guest's core function): the flat parameters, or one pointer.
func (f *Func[P, R]) ExportParams() []CoreType {
	if f.spillP {
		return []CoreType{f.ptrType}
	}
	return append([]CoreType(nil), f.params.flat...)
}

// ExportResults returns the core result types of a lifted export.
func (f *Func[P, R]) ExportResults() []CoreType {
	switch {
	case f.result == nil:
		return nil
	case f.spillR:
		return []CoreType{f.ptrType}
	}
	return append([]CoreType(nil), f.result.flat...)
}

// ImportParams returns the core parameter types of a lowered import (what
// the guest's core code calls): the flat parameters or one pointer, then a
// result pointer when the result returns through memory.
func (f *Func[P, R]) ImportParams() []CoreType {
	ps := f.ExportParams()
	if f.spillR {
		ps = append(ps, f.ptrType)
	}
	return ps
}

// ImportResults returns the core result types of a lowered import.
func (f *Func[P, R]) ImportResults() []CoreType {
	if f.spillR || f.result == nil {
		return nil
	}
	return append([]CoreType(nil), f.result.flat...)
}

// LowerArgs lowers the arguments for a call of a guest export, appending
// the core arguments to dst: flat, or spilled into memory allocated with
// cx.Realloc (lower_flat_values).
func (f *Func[P, R]) LowerArgs(cx *Context, args *P, dst []uint64) ([]uint64, error) {
	v := unsafe.Pointer(args)
	if err := check(f.params, v); err != nil {
		return dst, finish(err, "lower", f.params.typ)
	}
	w := lowerer{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	if !f.spillP {
		out, err := w.lowerFlat(f.params, v, dst)
		return out, finish(err, "lower", f.params.typ)
	}
	ptr, err := w.alloc(0, 0, f.params.align, f.params.size)
	if err == nil {
		err = w.store(f.params, v, ptr)
	}
	return append(dst, ptr), finish(err, "lower", f.params.typ)
}

// LiftResult lifts the result of a guest export from its core results
// (lift_flat_values).
func (f *Func[P, R]) LiftResult(cx *Context, core []uint64) (R, error) {
	var r R
	if f.result == nil {
		return r, nil
	}
	return r, finish(f.liftValues(cx, f.result, f.spillR, core, unsafe.Pointer(&r)), "lift", f.result.typ)
}

func (f *Func[P, R]) liftValues(cx *Context, p *plan, spilled bool, core []uint64, dst unsafe.Pointer) error {
	l := lifter{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	if !spilled {
		if len(core) < len(p.flat) {
			return failNoAddr(ErrType, "%d core values for %d flat types", len(core), len(p.flat))
		}
		return l.liftFlat(p, &flatIter{vals: core[:len(p.flat)]}, dst)
	}
	if len(core) < 1 {
		return failNoAddr(ErrType, "no pointer to the spilled values")
	}
	ptr := l.ptrVal(core[0])
	if err := checkRange(uint64(len(l.mem)), ptr, p.size, p.align, "spilled values"); err != nil {
		return err
	}
	return l.load(p, ptr, dst)
}

// LiftArgs lifts the arguments of a host import from the core parameters
// the guest passed (all of them, the result pointer included).
func (f *Func[P, R]) LiftArgs(cx *Context, core []uint64) (P, error) {
	var p P
	if len(f.params.fields) == 0 {
		return p, nil
	}
	return p, finish(f.liftValues(cx, f.params, f.spillP, core, unsafe.Pointer(&p)), "lift", f.params.typ)
}

// LowerResult lowers the result of a host import: into flat values
// appended to dst, or through the result pointer, the last of the core
// parameters the guest passed (lower_flat_values with an out-param).
func (f *Func[P, R]) LowerResult(cx *Context, r *R, core []uint64, dst []uint64) ([]uint64, error) {
	if f.result == nil {
		return dst, nil
	}
	v := unsafe.Pointer(r)
	if err := check(f.result, v); err != nil {
		return dst, finish(err, "lower", f.result.typ)
	}
	w := lowerer{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	if !f.spillR {
		out, err := w.lowerFlat(f.result, v, dst)
		return out, finish(err, "lower", f.result.typ)
	}
	if len(core) == 0 {
		return dst, finish(failNoAddr(ErrType, "no result pointer"), "lower", f.result.typ)
	}
	ptr := core[len(core)-1]
	if w.ptrSize == 4 {
		ptr = uint64(uint32(ptr))
	}
	if err := checkRange(uint64(len(w.mem)), ptr, f.result.size, f.result.align, "result pointer"); err != nil {
		return dst, finish(err, "lower", f.result.typ)
	}
	return dst, finish(w.store(f.result, v, ptr), "lower", f.result.typ)
}

// String returns the core signature of the export, as "(i32 i32) -> (i32)".
func (f *Func[P, R]) String() string {
	return fmt.Sprintf("%v -> %v", f.ExportParams(), f.ExportResults())
}
