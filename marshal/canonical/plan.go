package canonical

import (
	"fmt"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal/canonical/internal/fault"
)

// kind is the WIT type a plan moves.
type kind uint8

const (
	kBool kind = iota + 1
	kS8
	kU8
	kS16
	kU16
	kS32
	kU32
	kS64
	kU64
	kF32
	kF64
	kChar
	kString
	kList    // list<T>: a Go slice
	kFixed   // list<T, N>: a Go array
	kRecord  // record or tuple: a Go struct
	kVariant // variant, option, result: a Go struct with a discriminant
	kEnum    // enum: a named integer with GuestEnumCases
	kFlags   // flags: a named unsigned integer with GuestFlagsMask
	kOwn
	kBorrow
)

// plan is the compiled form of one Go type under one pointer width: what
// WIT type it is, its canonical size, alignment and flat types, and where
// its parts live in the Go value. Plans are immutable once built.
type plan struct {
	typ    reflect.Type
	kind   kind
	size   uint64 // elem_size
	align  uint64 // alignment
	flat   []CoreType
	goSize uintptr

	elem *plan  // kList, kFixed
	n    uint64 // kFixed: length; kEnum: cases; kFlags: labels

	fields []field // kRecord

	cases      []vcase // kVariant, kEnum (payloadless)
	discSize   uint64  // kVariant, kEnum: 1, 2 or 4
	payloadOff uint64  // kVariant: offset of every payload
	tagOff     uintptr // kVariant: Go offset of the discriminant
	tagSize    uintptr // kVariant: Go size of the discriminant
	varFlat    []CoreType

	rt reflect.Type // kOwn, kBorrow: the resource type

	// noPointers: Go values of the type hold no Go pointers, so a lifted
	// list of them is allocated as plain words (no reflect).
	noPointers bool

	// hostCheck: a Go value of this type may be invalid (chars, enums,
	// flags, tags), so lowering checks it before writing. Strings are
	// checked when lowered, before they are allocated.
	hostCheck bool
	// scalarOnly: no strings, lists or handles inside: lowering never
	// allocates, lifting never follows a pointer.
	scalarOnly bool
}

// field is one field of a record.
type field struct {
	name  string
	goOff uintptr
	off   uint64
	p     *plan
}

// vcase is one case of a variant; p is nil for a case without payload.
type vcase struct {
	name  string
	goOff uintptr
	p     *plan
}

type planKey struct {
	t       reflect.Type
	ptrSize uint64
	fault   bool // fault.VariantPayload was set: a deliberately broken plan
}

type planEntry struct {
	once sync.Once
	p    *plan
	err  error
}

var plans sync.Map // planKey -> *planEntry

// planOf returns the cached plan of t for pointers of ptrSize bytes.
func planOf(t reflect.Type, ptrSize uint64) (*plan, error) {
	k := planKey{t, ptrSize, fault.VariantPayload.Load()}
	e, ok := plans.Load(k)
	if !ok {
		e, _ = plans.LoadOrStore(k, &planEntry{})
	}
	pe := e.(*planEntry)
	pe.once.Do(func() {
		c := compiler{ptrSize: ptrSize, busy: map[reflect.Type]bool{}, fault: k.fault}
		pe.p, pe.err = c.compile(t)
		if pe.err != nil {
			pe.err = finish(pe.err, "compile", t)
		}
	})
	return pe.p, pe.err
}

func ptrSizeOf(abi layout.ABI) uint64 {
	if abi == layout.Wasm64 {
		return 8
	}
	return 4
}

type compiler struct {
	ptrSize uint64
	busy    map[reflect.Type]bool
	fault   bool
}

var (
	enumIface  = reflect.TypeFor[layout.Enum]()
	flagsIface = reflect.TypeFor[layout.Flags]()
	optIface   = reflect.TypeFor[optionType]()
	resIface   = reflect.TypeFor[resultType]()
	hdlIface   = reflect.TypeFor[handleType]()
	charType   = reflect.TypeFor[Char]()
	emptyType  = reflect.TypeFor[struct{}]()
)

func typeErr(t reflect.Type, format string, args ...any) error {
	return &Error{Err: ErrType, Type: t, Detail: fmt.Sprintf(format, args...)}
}

func alignTo(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }

func scalarPlan(t reflect.Type, k kind, size uint64, ct CoreType) *plan {
	return &plan{typ: t, kind: k, size: size, align: size, flat: []CoreType{ct}, goSize: t.Size(), scalarOnly: true}
}

func (c *compiler) compile(t reflect.Type) (*plan, error) {
	if c.busy[t] {
		return nil, typeErr(t, "WIT types cannot be recursive")
	}
	c.busy[t] = true
	defer delete(c.busy, t)
	p, err := c.build(t)
	if err != nil {
		return nil, err
	}
	p.noPointers = !hasPointers(t)
	if p.size >= 1<<28 {
		return nil, typeErr(t, "size %d is not below 2^28", p.size)
	}
	return p, nil
}

func (c *compiler) build(t reflect.Type) (*plan, error) {
	if t.Kind() != reflect.Struct && t.Kind() != reflect.Interface {
		switch {
		case t.Implements(enumIface):
			return c.enumPlan(t)
		case t.Implements(flagsIface):
			return c.flagsPlan(t)
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		return scalarPlan(t, kBool, 1, I32), nil
	case reflect.Int8:
		return scalarPlan(t, kS8, 1, I32), nil
	case reflect.Uint8:
		return scalarPlan(t, kU8, 1, I32), nil
	case reflect.Int16:
		return scalarPlan(t, kS16, 2, I32), nil
	case reflect.Uint16:
		return scalarPlan(t, kU16, 2, I32), nil
	case reflect.Int32:
		if t == charType {
			p := scalarPlan(t, kChar, 4, I32)
			p.hostCheck = true
			return p, nil
		}
		return scalarPlan(t, kS32, 4, I32), nil
	case reflect.Uint32:
		return scalarPlan(t, kU32, 4, I32), nil
	case reflect.Int64:
		return scalarPlan(t, kS64, 8, I64), nil
	case reflect.Uint64:
		return scalarPlan(t, kU64, 8, I64), nil
	case reflect.Float32:
		return scalarPlan(t, kF32, 4, F32), nil
	case reflect.Float64:
		return scalarPlan(t, kF64, 8, F64), nil
	case reflect.String:
		pt := I32
		if c.ptrSize == 8 {
			pt = I64
		}
		// Strings are checked as they are lowered, not in the pre-pass.
		return &plan{typ: t, kind: kString, size: 2 * c.ptrSize, align: c.ptrSize, flat: []CoreType{pt, pt}, goSize: t.Size()}, nil
	case reflect.Slice:
		e, err := c.compile(t.Elem())
		if err != nil {
			return nil, within(err, layout.PathStep{AnyIndex: true})
		}
		pt := I32
		if c.ptrSize == 8 {
			pt = I64
		}
		return &plan{typ: t, kind: kList, size: 2 * c.ptrSize, align: c.ptrSize, flat: []CoreType{pt, pt}, goSize: t.Size(), elem: e, hostCheck: e.hostCheck}, nil
	case reflect.Array:
		if t.Len() == 0 {
			return nil, typeErr(t, "a fixed list needs at least one element")
		}
		e, err := c.compile(t.Elem())
		if err != nil {
			return nil, within(err, layout.PathStep{AnyIndex: true})
		}
		n := uint64(t.Len())
		if e.size*n >= 1<<28 {
			return nil, typeErr(t, "size is not below 2^28")
		}
		flat := make([]CoreType, 0, len(e.flat)*int(n))
		for range n {
			flat = append(flat, e.flat...)
		}
		return &plan{typ: t, kind: kFixed, size: e.size * n, align: e.align, flat: flat, goSize: t.Size(), elem: e, n: n, hostCheck: e.hostCheck, scalarOnly: e.scalarOnly}, nil
	case reflect.Struct:
		switch {
		case t.Implements(hdlIface):
			rt, own := reflect.Zero(t).Interface().(handleType).canonicalHandle()
			k := kBorrow
			if own {
				k = kOwn
			}
			return &plan{typ: t, kind: k, size: 4, align: 4, flat: []CoreType{I32}, goSize: t.Size(), rt: rt}, nil
		case t.Implements(optIface):
			return c.variantPlan(t, t.Field(1).Offset, 1, []caseSrc{{"none", 0, nil}, {"some", t.Field(0).Offset, t.Field(0).Type}})
		case t.Implements(resIface):
			return c.variantPlan(t, t.Field(2).Offset, 1, []caseSrc{{"ok", t.Field(0).Offset, t.Field(0).Type}, {"error", t.Field(1).Offset, t.Field(1).Type}})
		}
		return c.structPlan(t)
	}
	return nil, typeErr(t, "Go kind %s has no WIT type (use a sized integer, string, slice, array or struct)", t.Kind())
}

func (c *compiler) enumPlan(t reflect.Type) (*plan, error) {
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
	default:
		return nil, typeErr(t, "an enum must be a sized integer type")
	}
	n := reflect.Zero(t).Interface().(layout.Enum).GuestEnumCases()
	if n == 0 || n >= 1<<32 {
		return nil, typeErr(t, "an enum needs 1 to 2^32-1 cases, not %d", n)
	}
	if t.Size() < 8 && n-1 > 1<<(8*t.Size())-1 {
		return nil, typeErr(t, "%d cases do not fit %s", n, t.Kind())
	}
	d := discSize(n)
	return &plan{typ: t, kind: kEnum, size: d, align: d, flat: []CoreType{I32}, goSize: t.Size(), n: n, discSize: d, hostCheck: true, scalarOnly: true}, nil
}

func (c *compiler) flagsPlan(t reflect.Type) (*plan, error) {
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return nil, typeErr(t, "flags must be an unsigned integer type")
	}
	mask := reflect.Zero(t).Interface().(layout.Flags).GuestFlagsMask()
	n := uint64(bits.Len64(mask))
	if mask == 0 || mask != 1<<n-1 || n > 32 {
		return nil, typeErr(t, "flags need a mask of 1 to 32 low bits (2^n-1), not %#x", mask)
	}
	if n > uint64(8*t.Size()) {
		return nil, typeErr(t, "%d flags do not fit %s", n, t.Kind())
	}
	s := uint64(4)
	switch {
	case n <= 8:
		s = 1
	case n <= 16:
		s = 2
	}
	return &plan{typ: t, kind: kFlags, size: s, align: s, flat: []CoreType{I32}, goSize: t.Size(), n: n, hostCheck: true, scalarOnly: true}, nil
}

// discSize is the byte size of the discriminant of n cases.
func discSize(n uint64) uint64 {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 4
}

type caseSrc struct {
	name  string
	goOff uintptr
	t     reflect.Type // nil or struct{}: no payload
}

// guestTag parses a field's `guest` tag: "-", ",tag" and ",case=K".
func guestTag(f reflect.StructField) (skip, isTag bool, isCase bool, k uint64, err error) {
	raw, ok := f.Tag.Lookup("guest")
	if !ok {
		return
	}
	parts := strings.Split(raw, ",")
	if parts[0] == "-" && len(parts) == 1 {
		return true, false, false, 0, nil
	}
	for _, o := range parts[1:] {
		switch {
		case o == "tag":
			isTag = true
		case strings.HasPrefix(o, "case="):
			isCase = true
			k, err = strconv.ParseUint(o[5:], 10, 32)
		}
	}
	return
}

func (c *compiler) structPlan(t reflect.Type) (*plan, error) {
	var (
		tagIdx = -1
		cases  []caseSrc
		caseK  []uint64
		plain  []reflect.StructField
	)
	for i := range t.NumField() {
		f := t.Field(i)
		skip, isTag, isCase, k, err := guestTag(f)
		if err != nil {
			return nil, typeErr(t, "field %s: bad case number: %v", f.Name, err)
		}
		switch {
		case skip || f.Name == "_":
		case isTag:
			tagIdx = i
		case isCase:
			cases = append(cases, caseSrc{toLabel(f.Name), f.Offset, f.Type})
			caseK = append(caseK, k)
		default:
			plain = append(plain, f)
		}
	}
	if tagIdx >= 0 {
		if len(plain) > 0 {
			return nil, typeErr(t, "field %s: a variant holds only its tag and its cases", plain[0].Name)
		}
		ordered := make([]caseSrc, len(cases))
		seen := make([]bool, len(cases))
		for i, k := range caseK {
			if k >= uint64(len(cases)) || seen[k] {
				return nil, typeErr(t, "variant cases must be numbered 0 to %d, each once", len(cases)-1)
			}
			seen[k] = true
			ordered[k] = cases[i]
		}
		tf := t.Field(tagIdx)
		switch tf.Type.Kind() {
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			return nil, typeErr(t, "variant tag %s must be an unsigned integer", tf.Name)
		}
		return c.variantPlan(t, tf.Offset, tf.Type.Size(), ordered)
	}
	if len(cases) > 0 {
		return nil, typeErr(t, "cases without a `guest:\",tag\"` field")
	}
	if len(plain) == 0 {
		return nil, typeErr(t, "a record needs at least one field")
	}
	p := &plan{typ: t, kind: kRecord, align: 1, goSize: t.Size(), scalarOnly: true}
	for _, f := range plain {
		fp, err := c.compile(f.Type)
		if err != nil {
			return nil, within(err, layout.FieldStep(f.Name))
		}
		p.size = alignTo(p.size, fp.align)
		p.fields = append(p.fields, field{name: f.Name, goOff: f.Offset, off: p.size, p: fp})
		p.size += fp.size
		p.align = max(p.align, fp.align)
		p.flat = append(p.flat, fp.flat...)
		p.hostCheck = p.hostCheck || fp.hostCheck
		p.scalarOnly = p.scalarOnly && fp.scalarOnly
	}
	p.size = alignTo(p.size, p.align)
	return p, nil
}

// toLabel turns a Go name into a WIT-ish label for messages.
func toLabel(s string) string { return strings.ToLower(s) }

func (c *compiler) variantPlan(t reflect.Type, tagOff, tagSize uintptr, cs []caseSrc) (*plan, error) {
	if len(cs) == 0 {
		return nil, typeErr(t, "a variant needs at least one case")
	}
	n := uint64(len(cs))
	d := discSize(n)
	p := &plan{typ: t, kind: kVariant, goSize: t.Size(), n: n, discSize: d, tagOff: tagOff, tagSize: tagSize, scalarOnly: true}
	if tagSize < 8 && n-1 > 1<<(8*tagSize)-1 {
		return nil, typeErr(t, "%d cases do not fit the tag", n)
	}
	maxAlign, maxSize := uint64(1), uint64(0)
	var join []CoreType
	for _, s := range cs {
		vc := vcase{name: s.name, goOff: s.goOff}
		if s.t != nil && s.t != emptyType {
			cp, err := c.compile(s.t)
			if err != nil {
				return nil, within(err, layout.FieldStep(s.name))
			}
			vc.p = cp
			maxAlign = max(maxAlign, cp.align)
			maxSize = max(maxSize, cp.size)
			for i, ft := range cp.flat {
				if i < len(join) {
					join[i] = joinType(join[i], ft)
				} else {
					join = append(join, ft)
				}
			}
			p.hostCheck = p.hostCheck || cp.hostCheck
			p.scalarOnly = p.scalarOnly && cp.scalarOnly
		}
		p.cases = append(p.cases, vc)
	}
	p.hostCheck = true // the tag itself
	p.payloadOff = alignTo(d, maxAlign)
	if c.fault {
		p.payloadOff = d // the deliberate fault: no payload alignment
	}
	p.align = max(d, maxAlign)
	p.size = alignTo(p.payloadOff+maxSize, p.align)
	p.flat = append([]CoreType{I32}, join...)
	return p, nil
}

// joinType is the spec's join of two flat types at one position.
func joinType(a, b CoreType) CoreType {
	if a == b {
		return a
	}
	if (a == I32 && b == F32) || (a == F32 && b == I32) {
		return I32
	}
	return I64
}

// hasPointers reports whether Go values of t hold Go pointers.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.Interface, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
