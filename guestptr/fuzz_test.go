package guestptr_test

// Fuzz targets for everything in guestptr that takes guest data: Ptr.Read,
// Ptr.Write, the Slice operations and the String operations. Each checks
// invariants, not only the absence of panics:
//
//   - an error is an *guestptr.Error matching the sentinel a reference
//     model of bounds, wrap-around and alignment predicts, or one of the
//     value sentinels when the region is fine;
//   - a successful Read written back to a copy of memory reproduces every
//     byte (guest padding is never written, so the copy equals the
//     original), and reads back as the same value;
//   - a failed write changes no byte, a successful one changes only the
//     value's non-padding bytes, and reads back as the value written;
//   - views alias exactly their region, and nothing stays borrowed.
//
// The helpers and record types here are shared with hostile_test.go and
// concurrency_test.go; every name starts with fz so the other test files of
// the package are free to use plain names.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"reflect"
	"runtime/metrics"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/internal/layouttest"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// ---------------------------------------------------------------------------
// Record types: together they cover every kind layout knows.

type fzEnum uint8 // 5 cases

func (fzEnum) GuestEnumCases() uint64 { return 5 }

type fzEnum64 uint64 // 300 cases, stored as a guest u16

func (fzEnum64) GuestEnumCases() uint64 { return 300 }

type fzFlags uint16 // 5 bits

func (fzFlags) GuestFlagsMask() uint64 { return 0x1f }

type fzRights uint64 // 30 bits

func (fzRights) GuestFlagsMask() uint64 { return 1<<30 - 1 }

type fzEventtype uint8 // 3 cases

func (fzEventtype) GuestEnumCases() uint64 { return 3 }

type fzClockid uint32 // 4 cases

func (fzClockid) GuestEnumCases() uint64 { return 4 }

type fzSubclockflags uint16 // 1 bit

func (fzSubclockflags) GuestFlagsMask() uint64 { return 1 }

// fzScalars: every integer and float width, signed and unsigned, narrowed
// fields, the sized-by-tag Go types and a Go-only field.
type fzScalars struct {
	A    uint8
	B    int16
	C    uint32
	D    int64
	E    float32
	F    float64
	G    uint64  `guest:"u16"`
	H    int32   `guest:"i8"`
	I    int     `guest:"i32"`
	J    uint    `guest:"u64"`
	K    uintptr `guest:"u32"`
	L    int32   `guest:"u16"`
	Skip string  `guest:"-"`
}

// fzChecked: bools, enums and flags of several widths.
type fzChecked struct {
	Ok  bool
	E   fzEnum
	F   fzFlags
	R   fzRights
	C   fzClockid
	E64 fzEnum64 `guest:"u16"`
	No  bool
}

// fzArrays: arrays of scalars, of checked values, nested and narrowed.
type fzArrays struct {
	A [3]uint16
	B [2]bool
	C [2][2]fzEnum
	D [5]byte
	E [2]uint64 `guest:"u32"`
	F [0]uint32
	G [2]fzFlags
}

// fzInner has padding: A@0, B@4, C@8, size 12.
type fzInner struct {
	A uint8
	B uint32
	C uint16
}

// fzNested: nested structs, arrays of them, padding everywhere.
type fzNested struct {
	X fzInner
	Y [2]fzInner
	Z uint8
	W struct {
		P bool
		Q int64
	}
}

// fzPacked: a C packed struct (every field at alignment 1).
type fzPacked struct {
	_ struct{} `guest:",packed"`
	A uint8
	B uint32
	C uint16
	D fzInner
	E fzEnum
}

// fzPlaced: align=N and offset=N on fields, a blank field that takes guest
// space but is never read or written, and a struct alignment of 16.
type fzPlaced struct {
	A uint8  `guest:",align=8"`
	B uint16 `guest:",offset=10"`
	_ [3]byte
	C uint32
	_ struct{} `guest:",align=16"`
}

// fzUnion is a C union: every member at offset 0; only A is written.
type fzUnion struct {
	_ struct{} `guest:",union"`
	A uint32
	B [8]byte
	C float32
	D fzInner
}

// fzUnionZ is a C union whose first member has no guest bytes: B is the
// member written.
type fzUnionZ struct {
	_ struct{} `guest:",union"`
	Z struct{}
	B uint16
	C uint64
}

type fzUnions struct {
	U    fzUnion
	Z    fzUnionZ
	Tail uint8
}

// fzVariant is a tagged union with an enum tag of 5 cases, 4 of them with
// a payload: tag 4 is a valid enum but selects no case.
type fzVariant struct {
	Tag fzEnum   `guest:",tag"`
	A   uint8    `guest:",case=0"`
	B   uint64   `guest:",case=1"`
	C   fzInner  `guest:",case=2"`
	D   struct{} `guest:",case=3"`
}

// fzSparse is a tagged union with a u8 tag and sparse cases, one of them
// another tagged union and one a string.
type fzSparse struct {
	Tag uint8           `guest:",tag"`
	A   fzVariant       `guest:",case=1"`
	B   [2]int16        `guest:",case=5"`
	C   guestptr.String `guest:",case=200"`
}

type fzSparseRec struct {
	V [2]fzSparse
	N uint16
}

// fzPointers has every guest pointer type as a field.
type fzPointers struct {
	P    guestptr.Ptr[uint32]
	S    guestptr.Slice[uint16]
	Str  guestptr.String
	Q    guestptr.Ptr[fzInner]
	Self guestptr.Ptr[fzPointers]
	N    uint8
}

// fzSubscription is WASI preview1's subscription_t.
type fzSubscription struct {
	Userdata uint64
	U        fzSubscriptionU
}

type fzSubscriptionU struct {
	Tag     fzEventtype     `guest:",tag"`
	Clock   fzSubClock      `guest:",case=0"`
	FdRead  fzSubFdReadwrit `guest:",case=1"`
	FdWrite fzSubFdReadwrit `guest:",case=2"`
}

type fzSubClock struct {
	ID        fzClockid
	Timeout   uint64
	Precision uint64
	Flags     fzSubclockflags
}

type fzSubFdReadwrit struct{ Fd uint32 }

// fzIovecs is WASI iovecs next to an fdstat.
type fzIovecs struct {
	Iovs [3]struct {
		Buf guestptr.Ptr[byte]
		Len uint32
	}
	Fd struct {
		FsFiletype         fzEnum
		FsFlags            fzFlags
		FsRightsBase       fzRights
		FsRightsInheriting fzRights
	}
}

// fzRec24 is a transparent 24-byte record: it has views.
type fzRec24 struct {
	A, B uint64
	C    uint32
	D    uint16
	E    [2]uint8
}

// fzEmpty has no guest bytes but an alignment of 4.
type fzEmpty struct {
	_ struct{} `guest:",align=4"`
}

// fzKind is one record type with its operations, for the fuzz targets to
// pick by a selector byte.
type fzKind struct {
	name  string
	typ   reflect.Type
	read  func(m *memory.Memory, addr uint64) (reflect.Value, error)
	write func(m *memory.Memory, addr uint64, v reflect.Value) error
	slice func(t *testing.T, c *fzSliceCase)
}

func fzMake[T any]() fzKind {
	return fzKind{
		name: reflect.TypeFor[T]().String(),
		typ:  reflect.TypeFor[T](),
		read: func(m *memory.Memory, addr uint64) (reflect.Value, error) {
			v, err := guestptr.New[T](m, addr).Read()
			return reflect.ValueOf(&v).Elem(), err
		},
		write: func(m *memory.Memory, addr uint64, v reflect.Value) error {
			return guestptr.New[T](m, addr).Write(v.Interface().(T))
		},
		slice: fzSliceOps[T],
	}
}

// fzRecords are the record types FuzzPtrRead and FuzzPtrWrite pick from.
var fzRecords = []fzKind{
	fzMake[fzScalars](),
	fzMake[fzChecked](),
	fzMake[fzArrays](),
	fzMake[fzNested](),
	fzMake[fzPacked](),
	fzMake[fzPlaced](),
	fzMake[fzUnions](),
	fzMake[fzVariant](),
	fzMake[fzSparseRec](),
	fzMake[fzPointers](),
	fzMake[fzSubscription](),
	fzMake[fzIovecs](),
	fzMake[fzRec24](),
	fzMake[fzEmpty](),
}

// fzElems are the element types FuzzSlice picks from: every width, a
// transparent record, zero-size types, checked and padded records, and
// pointers.
var fzElems = []fzKind{
	fzMake[byte](),
	fzMake[uint16](),
	fzMake[uint32](),
	fzMake[uint64](),
	fzMake[fzRec24](),
	fzMake[struct{}](),
	fzMake[fzEmpty](),
	fzMake[bool](),
	fzMake[fzEnum](),
	fzMake[fzChecked](),
	fzMake[fzInner](),
	fzMake[fzVariant](),
	fzMake[guestptr.Ptr[uint32]](),
	fzMake[fzPacked](),
}

// fzPointerMakers build the guest pointer values fzFill puts in fields.
var fzPointerMakers = map[reflect.Type]func(m *memory.Memory, addr, n uint64) reflect.Value{}

func fzPointerMaker[T any]() {
	fzPointerMakers[reflect.TypeFor[guestptr.Ptr[T]]()] = func(m *memory.Memory, addr, _ uint64) reflect.Value {
		return reflect.ValueOf(guestptr.New[T](m, addr))
	}
	fzPointerMakers[reflect.TypeFor[guestptr.Slice[T]]()] = func(m *memory.Memory, addr, n uint64) reflect.Value {
		return reflect.ValueOf(guestptr.NewSlice[T](m, addr, n))
	}
}

func init() {
	fzPointerMaker[uint32]()
	fzPointerMaker[uint16]()
	fzPointerMaker[byte]()
	fzPointerMaker[fzInner]()
	fzPointerMaker[fzPointers]()
	fzPointerMakers[reflect.TypeFor[guestptr.String]()] = func(m *memory.Memory, addr, n uint64) reflect.Value {
		return reflect.ValueOf(guestptr.NewString(m, addr, n))
	}
}

// ---------------------------------------------------------------------------
// Reference models.

// fzWantRegion is the error a region of count elements of size bytes at
// addr must give in a memory of memLen bytes, computed in 128 bits:
// ErrOverflow when it passes the end of the address space, ErrOutOfBounds
// when it passes the end of memory, nil when it fits.
func fzWantRegion(abi layout.ABI, memLen, addr, count, size uint64) error {
	hi, total := bits.Mul64(count, size)
	if hi != 0 {
		return guestptr.ErrOverflow
	}
	end, carry := bits.Add64(addr, total, 0)
	if carry != 0 {
		return guestptr.ErrOverflow
	}
	if abi == layout.Wasm32 && (addr > 1<<32-1 || total > 0 && end-1 > 1<<32-1) {
		return guestptr.ErrOverflow
	}
	if end > memLen {
		return guestptr.ErrOutOfBounds
	}
	return nil
}

// fzWantPlace adds the alignment check to fzWantRegion.
func fzWantPlace(abi layout.ABI, memLen, addr, count, size, align uint64) error {
	if err := fzWantRegion(abi, memLen, addr, count, size); err != nil {
		return err
	}
	if addr%align != 0 {
		return guestptr.ErrMisaligned
	}
	return nil
}

// fzElemAddr is the address of element i of size bytes past addr, and
// whether it fits the address space.
func fzElemAddr(abi layout.ABI, addr, i, size uint64) (uint64, bool) {
	hi, off := bits.Mul64(i, size)
	sum, carry := bits.Add64(addr, off, 0)
	if hi != 0 || carry != 0 || sum > abi.MaxAddress() {
		return 0, false
	}
	return sum, true
}

var fzSentinels = []error{
	guestptr.ErrOutOfBounds, guestptr.ErrMisaligned, guestptr.ErrOverflow,
	guestptr.ErrBorrowed, guestptr.ErrReleased, guestptr.ErrInvalidBool,
	guestptr.ErrInvalidEnum, guestptr.ErrInvalidFlags, guestptr.ErrInvalidTag,
	guestptr.ErrValueRange, guestptr.ErrInvalidUTF8, guestptr.ErrLengthMismatch,
	guestptr.ErrNotTransparent, guestptr.ErrShared, guestptr.ErrNoMemory,
	guestptr.ErrNoField, guestptr.ErrTooLarge,
}

// fzValueSentinels are the errors a read of a well-placed value may give.
var fzValueSentinels = []error{guestptr.ErrInvalidBool, guestptr.ErrInvalidEnum, guestptr.ErrInvalidFlags, guestptr.ErrInvalidTag}

// fzCheckErr fails unless err is an *guestptr.Error for op that matches
// exactly one sentinel, and that one is want (or, when want is nil, one of
// alts).
func fzCheckErr(t *testing.T, what string, err error, op string, want error, alts ...error) {
	t.Helper()
	var e *guestptr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v (%T) is not an *guestptr.Error", what, err, err)
	}
	if op != "" && e.Op != op {
		t.Fatalf("%s: error %v has Op %q, want %q", what, err, e.Op, op)
	}
	if e.Type == nil || e.Error() == "" {
		t.Fatalf("%s: error %#v has no type or text", what, e)
	}
	var matched []error
	for _, s := range fzSentinels {
		if errors.Is(err, s) {
			matched = append(matched, s)
		}
	}
	if len(matched) != 1 {
		t.Fatalf("%s: error %v matches %d sentinels: %v", what, err, len(matched), matched)
	}
	if want != nil {
		if matched[0] != want {
			t.Fatalf("%s: error %v, want one matching %v", what, err, want)
		}
		return
	}
	for _, a := range alts {
		if matched[0] == a {
			return
		}
	}
	t.Fatalf("%s: error %v, want one of %v", what, err, alts)
}

// fzBits returns a scalar Go value's bits: floats bit for bit, so NaNs
// compare by payload.
func fzBits(v reflect.Value) uint64 {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return 1
		}
		return 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return uint64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint()
	case reflect.Float32:
		return uint64(math.Float32bits(float32(v.Float())))
	case reflect.Float64:
		return math.Float64bits(v.Float())
	}
	panic("fzBits of " + v.Type().String())
}

type fzAddrer interface{ Addr() uint64 }
type fzLener interface{ Len() uint64 }
type fzMemer interface{ Memory() *memory.Memory }

// fzEqual compares want and got as the guest sees them: every field the
// layout names, the first member of a C union, the tag and active case of
// a tagged union, floats bit for bit, pointers by address and length. Guest
// pointers in got must be bound to mem when mem is not nil. It returns the
// path of the first difference, or "".
func fzEqual(l *layout.Layout, want, got reflect.Value, mem *memory.Memory, path string) string {
	switch l.Kind {
	case layout.Struct:
		for _, f := range l.Fields {
			if !f.Blank {
				if d := fzEqual(f.Layout, want.Field(f.Index), got.Field(f.Index), mem, path+"."+f.Name); d != "" {
					return d
				}
			}
		}
	case layout.Union:
		for _, f := range l.Fields {
			if !f.Blank && f.Layout.Size > 0 {
				return fzEqual(f.Layout, want.Field(f.Index), got.Field(f.Index), mem, path+"."+f.Name)
			}
		}
	case layout.Variant:
		tag := l.Fields[0]
		w, g := fzBits(want.Field(tag.Index)), fzBits(got.Field(tag.Index))
		if w != g {
			return fmt.Sprintf("%s.%s: tag %d, want %d", path, tag.Name, g, w)
		}
		for _, f := range l.Fields[1:] {
			if f.Case == w {
				return fzEqual(f.Layout, want.Field(f.Index), got.Field(f.Index), mem, path+"."+f.Name)
			}
		}
	case layout.Array:
		for i := range int(l.Len) {
			if d := fzEqual(l.Elem, want.Index(i), got.Index(i), mem, fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case layout.Pointer, layout.Span:
		w, g := want.Interface(), got.Interface()
		if a, b := w.(fzAddrer).Addr(), g.(fzAddrer).Addr(); a != b {
			return fmt.Sprintf("%s: address %#x, want %#x", path, b, a)
		}
		if l.Kind == layout.Span {
			if a, b := w.(fzLener).Len(), g.(fzLener).Len(); a != b {
				return fmt.Sprintf("%s: length %d, want %d", path, b, a)
			}
		}
		if mem != nil && g.(fzMemer).Memory() != mem {
			return fmt.Sprintf("%s: bound to memory %p, want %p", path, g.(fzMemer).Memory(), mem)
		}
	default:
		if w, g := fzBits(want), fzBits(got); w != g {
			return fmt.Sprintf("%s: %#x, want %#x", path, g, w)
		}
	}
	return ""
}

// fzRand hands out fuzz bytes; past the end it gives zeros.
type fzRand struct{ b []byte }

func (r *fzRand) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fzRand) u64() uint64 {
	var x [8]byte
	n := copy(x[:], r.b)
	r.b = r.b[n:]
	return binary.LittleEndian.Uint64(x[:])
}

// fzFill sets v, of layout l, from r. Most values are valid; one choice in
// eight is raw and may not fit its guest field (ErrValueRange), name no
// enum case or tagged-union case, or set unknown flag bits. It returns
// whether it made an invalid choice in a part of the value that a write
// checks (not an inactive case, nor a C union member after the first).
func fzFill(v reflect.Value, l *layout.Layout, r *fzRand, m *memory.Memory, live bool) (invalid bool) {
	switch l.Kind {
	case layout.Struct, layout.Union:
		first := true
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			sub := live && (l.Kind == layout.Struct || first)
			if f.Layout.Size > 0 {
				first = false
			}
			if fzFill(v.Field(f.Index), f.Layout, r, m, sub) {
				invalid = true
			}
		}
		for i := range v.NumField() { // Go-only fields get a value a read never sets
			if fv := v.Field(i); fv.Kind() == reflect.String && fv.CanSet() {
				fv.SetString("go only")
			}
		}
		return invalid
	case layout.Variant:
		tag := l.Fields[0]
		cases := l.Fields[1:]
		var val uint64
		if c := r.byte(); c%8 != 0 {
			val = cases[int(c/8)%len(cases)].Case
		} else {
			val = r.u64() & fzMask(tag.Layout.Size)
		}
		v.Field(tag.Index).SetUint(val)
		active := false
		for _, f := range cases {
			if fzFill(v.Field(f.Index), f.Layout, r, m, live && f.Case == val) {
				invalid = true
			}
			active = active || f.Case == val
		}
		return invalid || live && !active
	case layout.Array:
		for i := range v.Len() {
			if fzFill(v.Index(i), l.Elem, r, m, live) {
				invalid = true
			}
		}
		return invalid
	case layout.Pointer, layout.Span:
		mk := fzPointerMakers[v.Type()]
		if mk == nil {
			panic("no maker for " + v.Type().String())
		}
		c := r.byte()
		addr, n := r.u64(), r.u64()
		if c%8 != 0 {
			addr &= l.ABI.MaxAddress()
			n &= l.ABI.MaxAddress()
		}
		v.Set(mk(m, addr, n))
		return live && (addr > l.ABI.MaxAddress() || n > l.ABI.MaxAddress() && l.Kind == layout.Span)
	case layout.Bool:
		v.SetBool(r.byte()&1 == 1)
		return false
	case layout.Float:
		raw := r.u64()
		if v.Kind() == reflect.Float32 {
			*(*uint32)(v.Addr().UnsafePointer()) = uint32(raw)
		} else {
			*(*uint64)(v.Addr().UnsafePointer()) = raw
		}
		return false
	}
	// Integers, enums and flags.
	c, raw := r.byte(), r.u64()
	goBits := uint64(v.Type().Size()) * 8
	if c%8 != 0 {
		raw &= fzMask(l.Size)
		switch l.Check.Kind {
		case layout.CheckEnum:
			if l.Check.Cases > 0 {
				raw %= l.Check.Cases
			}
		case layout.CheckFlags:
			raw &= l.Check.Mask
		}
		if l.Kind == layout.Int { // sign-extend from the guest width
			raw = uint64(int64(raw<<(64-8*l.Size)) >> (64 - 8*l.Size))
		}
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(raw<<(64-goBits)) >> (64 - goBits))
	default:
		v.SetUint(raw & fzMask(goBits/8))
	}
	// Whether the value fits: read it back from the Go value.
	got := fzBits(v)
	switch {
	case l.Kind == layout.Int:
		return live && int64(got<<(64-8*l.Size))>>(64-8*l.Size) != int64(got)
	case got&^fzMask(l.Size) != 0:
		return live
	case l.Check.Kind == layout.CheckEnum && got >= l.Check.Cases:
		return live
	case l.Check.Kind == layout.CheckFlags && got&^l.Check.Mask != 0:
		return live
	}
	return false
}

func fzMask(size uint64) uint64 {
	if size >= 8 {
		return 1<<64 - 1
	}
	return 1<<(8*size) - 1
}

func fzLayout(t testing.TB, typ reflect.Type, abi layout.ABI) *layout.Layout {
	t.Helper()
	l, err := layout.Of(typ, abi)
	if err != nil {
		t.Fatalf("layout of %v: %v", typ, err)
	}
	return l
}

// fzMemory makes a memory of the ABI flags selects (bit 0) holding data,
// at most 64 KiB of it.
func fzMemory(data []byte, flags uint8) (*memory.Memory, layout.ABI) {
	if len(data) > 64<<10 {
		data = data[:64<<10]
	}
	var m *memory.Memory
	if flags&1 == 0 {
		m = memory.New(uint64(len(data)))
	} else {
		m = memory.NewWasm64(uint64(len(data)))
	}
	copy(m.Bytes(), data)
	return m, m.ABI()
}

func fzClone(m *memory.Memory) *memory.Memory {
	var c *memory.Memory
	if m.ABI() == layout.Wasm32 {
		c = memory.New(uint64(len(m.Bytes())))
	} else {
		c = memory.NewWasm64(uint64(len(m.Bytes())))
	}
	copy(c.Bytes(), m.Bytes())
	return c
}

// fzAddr keeps a raw address (mode 0) or folds it near memory so that
// in-bounds addresses are common.
func fzAddr(addr uint64, mode uint8, memLen int) uint64 {
	if mode%4 == 0 {
		return addr
	}
	return addr % uint64(memLen+32)
}

func fzUnchanged(t *testing.T, what string, before []byte, m *memory.Memory) {
	t.Helper()
	if !bytes.Equal(before, m.Bytes()) { // cmp.Diff only to show it: it is slow
		t.Fatalf("%s changed memory (-before +after):\n%s", what, cmp.Diff(before, m.Bytes()))
	}
}

func fzNoneHeld(t *testing.T, what string, m *memory.Memory) {
	t.Helper()
	if n := m.Borrows().Held(); n != 0 {
		t.Fatalf("after %s, %d borrows are still held", what, n)
	}
}

// fzHeapAllocs returns the bytes allocated on the heap so far. Large
// objects are counted when allocated, which is what the allocation
// invariants need: no guest length may make the host allocate more than
// the memory holds.
var fzHeapSample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}

func fzHeapAllocs() uint64 {
	metrics.Read(fzHeapSample)
	return fzHeapSample[0].Value.Uint64()
}

// ---------------------------------------------------------------------------
// FuzzPtrRead

func fzSeedRecords(f *testing.F, add func(sel uint8, flags uint8, addr uint64, data []byte)) {
	for sel := range len(fzRecords) {
		for _, flags := range []uint8{0, 1, 2, 3} {
			data := make([]byte, 128)
			for i := range data {
				data[i] = byte(i % 2)
			}
			add(uint8(sel), flags, 16, data)
		}
		add(uint8(sel), 0, 1<<32-1, make([]byte, 64))
		add(uint8(sel), 1, 1<<64-1, make([]byte, 64))
		add(uint8(sel), 2, 17, bytes.Repeat([]byte{0xff}, 96))
	}
}

func FuzzPtrRead(f *testing.F) {
	fzSeedRecords(f, func(sel, flags uint8, addr uint64, data []byte) { f.Add(data, addr, sel, flags) })
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, sel, flags uint8) {
		k := fzRecords[int(sel)%len(fzRecords)]
		mem, abi := fzMemory(data, flags)
		addr = fzAddr(addr, flags>>1, len(mem.Bytes()))
		l := fzLayout(t, k.typ, abi)
		before := bytes.Clone(mem.Bytes())

		v, err := k.read(mem, addr)
		fzUnchanged(t, "Read", before, mem)
		fzNoneHeld(t, "Read", mem)
		want := fzWantPlace(abi, uint64(len(before)), addr, 1, l.Size, l.Align)
		if err != nil {
			fzCheckErr(t, "Read", err, "read", want, fzValueSentinels...)
			if !v.IsZero() {
				t.Fatalf("failed Read returned a non-zero %v: %+v", k.typ, v)
			}
			return
		}
		if want != nil {
			t.Fatalf("Read of %v at %#x in %d bytes succeeded; want %v", k.typ, addr, len(before), want)
		}
		if d := fzEqual(l, v, v, mem, ""); d != "" {
			t.Fatalf("Read: %s", d)
		}

		// Written back to a copy, the value reproduces every byte it
		// covers, and leaves padding alone, so the copy is unchanged.
		// (The value's pointers are bound to mem: written into another
		// memory they would be ErrForeignMemory, so it goes back to mem.)
		cp := mem
		if err := k.write(cp, addr, v); err != nil {
			t.Fatalf("writing back the value read: %v", err)
		}
		set := make([]bool, l.Size)
		layouttest.MarkWritten(l, before[addr:addr+l.Size], 0, set)
		for i, in := range set {
			if in && cp.Bytes()[addr+uint64(i)] != before[addr+uint64(i)] {
				t.Fatalf("written back, byte %d of the %v is %#x, was %#x", i, k.typ, cp.Bytes()[addr+uint64(i)], before[addr+uint64(i)])
			}
		}
		fzUnchanged(t, "writing back the value read", before, cp)

		v2, err := k.read(cp, addr)
		if err != nil {
			t.Fatalf("reading the copy: %v", err)
		}
		if d := fzEqual(l, v, v2, cp, ""); d != "" {
			t.Fatalf("read back: %s", d)
		}
	})
}

// ---------------------------------------------------------------------------
// FuzzPtrWrite

func FuzzPtrWrite(f *testing.F) {
	fzSeedRecords(f, func(sel, flags uint8, addr uint64, data []byte) {
		f.Add(data, addr, sel, flags, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
		f.Add(data, addr, sel, flags, bytes.Repeat([]byte{0}, 64))
		f.Add(data, addr, sel, flags, bytes.Repeat([]byte{9, 0xff}, 64))
	})
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, sel, flags uint8, val []byte) {
		k := fzRecords[int(sel)%len(fzRecords)]
		mem, abi := fzMemory(data, flags)
		addr = fzAddr(addr, flags>>1, len(mem.Bytes()))
		l := fzLayout(t, k.typ, abi)
		v := reflect.New(k.typ).Elem()
		invalid := fzFill(v, l, &fzRand{val}, mem, true)
		before := bytes.Clone(mem.Bytes())

		err := k.write(mem, addr, v)
		fzNoneHeld(t, "Write", mem)
		want := fzWantPlace(abi, uint64(len(before)), addr, 1, l.Size, l.Align)
		if err != nil {
			fzUnchanged(t, "failed Write", before, mem)
			fzCheckErr(t, "Write", err, "write", want, guestptr.ErrValueRange, guestptr.ErrInvalidEnum, guestptr.ErrInvalidFlags, guestptr.ErrInvalidTag)
			if want == nil && !invalid {
				t.Fatalf("Write of a valid %v failed: %v", k.typ, err)
			}
			return
		}
		if want != nil {
			t.Fatalf("Write of %v at %#x in %d bytes succeeded; want %v", k.typ, addr, len(before), want)
		}
		if invalid {
			t.Fatalf("Write of an invalid %v succeeded: %+v", k.typ, v)
		}
		// Only the value's non-padding bytes may change.
		after := mem.Bytes()
		set := make([]bool, l.Size)
		layouttest.MarkWritten(l, after[addr:addr+l.Size], 0, set)
		for i := range after {
			j := uint64(i) - addr
			if (uint64(i) < addr || j >= l.Size || !set[j]) && after[i] != before[i] {
				t.Fatalf("Write of %v at %#x changed byte %#x, outside the value's fields", k.typ, addr, i)
			}
		}
		got, err := k.read(mem, addr)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if d := fzEqual(l, v, got, mem, ""); d != "" {
			t.Fatalf("read back: %s", d)
		}
	})
}

// ---------------------------------------------------------------------------
// FuzzSlice

// fzSliceCase is one FuzzSlice input.
type fzSliceCase struct {
	mem        *memory.Memory
	abi        layout.ABI
	addr, n    uint64
	flags      uint8
	r          *fzRand
	before     []byte
	maxAllocGo uint64
}

func FuzzSlice(f *testing.F) {
	for sel := range len(fzElems) {
		data := make([]byte, 256)
		for i := range data {
			data[i] = byte(i & 1)
		}
		for _, flags := range []uint8{0, 1, 2, 3, 4, 5, 8, 9, 16, 17, 32, 33} {
			f.Add(data, uint64(8), uint64(4), uint8(sel), flags, []byte{7, 1, 2, 3})
		}
		f.Add(data, uint64(0), uint64(1<<32), uint8(sel), uint8(0), []byte(nil))
		f.Add(data, uint64(0), uint64(1<<40), uint8(sel), uint8(1), []byte(nil))
		f.Add(data, uint64(1<<32-8), uint64(2), uint8(sel), uint8(0), []byte(nil))
		f.Add(data, uint64(1<<64-8), uint64(2), uint8(sel), uint8(1), []byte(nil))
		f.Add(data, uint64(0x1000), uint64(178956971), uint8(sel), uint8(0), []byte(nil))
		f.Add(data, uint64(0x1000), uint64(768614336404564651), uint8(sel), uint8(1), []byte(nil))
		f.Add(data, uint64(1), uint64(3), uint8(sel), uint8(2), []byte(nil))
	}
	f.Fuzz(func(t *testing.T, data []byte, addr, n uint64, sel, flags uint8, val []byte) {
		k := fzElems[int(sel)%len(fzElems)]
		mem, abi := fzMemory(data, flags)
		addr = fzAddr(addr, flags>>1, len(mem.Bytes()))
		if flags&8 != 0 { // a length that fits
			n %= uint64(len(mem.Bytes())) + 2
		}
		c := &fzSliceCase{mem: mem, abi: abi, addr: addr, n: n, flags: flags, r: &fzRand{val}, before: bytes.Clone(mem.Bytes())}
		k.slice(t, c)
		fzNoneHeld(t, "the slice operations", mem)
	})
}

// fzSliceOps runs every Slice operation on a Slice[T] and checks it.
func fzSliceOps[T any](t *testing.T, c *fzSliceCase) {
	mem, abi, addr, n := c.mem, c.abi, c.addr, c.n
	l := fzLayout(t, reflect.TypeFor[T](), abi)
	size, goSize := l.Size, uint64(reflect.TypeFor[T]().Size())
	memLen := uint64(len(c.before))
	s := guestptr.NewSlice[T](mem, addr, n)
	if s.Len() != n || s.Addr() != addr || s.Memory() != mem || s.Ptr().Addr() != addr {
		t.Fatalf("NewSlice(%#x, %d) = %v", addr, n, s)
	}

	// Get, Range, All and Ptr.Add compute addresses only.
	for _, i := range []uint64{0, 1, n - 1, n, n / 2, c.r.u64()} {
		p, ok := s.Get(i)
		wantAddr, fits := fzElemAddr(abi, addr, i, size)
		if ok != (i < n && fits) {
			t.Fatalf("Get(%d) of %v: ok %v, want %v", i, s, ok, !ok)
		}
		if ok && (p.Addr() != wantAddr || p.Memory() != mem) {
			t.Fatalf("Get(%d) of %v = %v, want address %#x", i, s, p, wantAddr)
		}
		q, err := s.Ptr().Add(i)
		if (err == nil) != fits {
			t.Fatalf("Ptr().Add(%d) of %v: %v, want fits=%v", i, s, err, fits)
		}
		if err != nil {
			fzCheckErr(t, "Add", err, "add", guestptr.ErrOverflow)
		} else if q.Addr() != wantAddr {
			t.Fatalf("Ptr().Add(%d) of %v = %v, want %#x", i, s, q, wantAddr)
		}
		for _, j := range []uint64{i, i + 1, n, c.r.u64()} {
			sub, ok := s.Range(i, j)
			_, fitsI := fzElemAddr(abi, addr, i, size)
			if ok != (i <= j && j <= n && fitsI) {
				t.Fatalf("Range(%d, %d) of %v: ok %v", i, j, s, ok)
			}
			if ok && (sub.Addr() != wantAddr || sub.Len() != j-i || sub.Memory() != mem) {
				t.Fatalf("Range(%d, %d) of %v = %v", i, j, s, sub)
			}
		}
	}
	// All yields up to and including the first element that overflows or
	// starts past the end of the memory.
	var i uint64
	allFits := func(k uint64) (uint64, bool, error) {
		a, fits := fzElemAddr(abi, addr, k, size)
		switch {
		case !fits:
			return a, false, guestptr.ErrOverflow
		case a > memLen:
			return a, false, guestptr.ErrOutOfBounds
		}
		return a, true, nil
	}
	wantYields := min(n, 8)
	for k := range wantYields {
		if _, fits, _ := allFits(k); !fits {
			wantYields = k + 1
			break
		}
	}
	for p, err := range s.All() {
		wantAddr, fits, wantErr := allFits(i)
		if fits != (err == nil) {
			t.Fatalf("All() of %v, element %d: %v, want fits=%v", s, i, err, fits)
		}
		if err != nil {
			fzCheckErr(t, "All", err, "", wantErr)
		} else if p.Addr() != wantAddr {
			t.Fatalf("All() of %v, element %d: %v, want %#x", s, i, p, wantAddr)
		}
		if i++; i == 8 {
			break
		}
	}
	if i != wantYields {
		t.Fatalf("All() of %v yielded %d elements, want %d", s, i, wantYields)
	}

	// ToSlice: placement first, then no copy larger than the memory.
	want := fzWantPlace(abi, memLen, addr, n, max(size, 1), l.Align)
	wantCopy := want
	if hi, goBytes := bits.Mul64(n, goSize); want == nil && (hi != 0 || goBytes > memLen) {
		wantCopy = guestptr.ErrTooLarge
	}
	heap0 := fzHeapAllocs()
	out, err := s.ToSlice()
	grew := fzHeapAllocs() - heap0
	fzUnchanged(t, "ToSlice", c.before, mem)
	if limit := min(n, memLen)*goSize + 1<<20; grew > limit {
		t.Fatalf("ToSlice of %v allocated %d bytes; the memory has %d", s, grew, memLen)
	}
	if err != nil {
		fzCheckErr(t, "ToSlice", err, "read", wantCopy, fzValueSentinels...)
		if out != nil {
			t.Fatalf("failed ToSlice returned %d elements", len(out))
		}
	} else {
		if wantCopy != nil {
			t.Fatalf("ToSlice of %v in %d bytes succeeded; want %v", s, memLen, wantCopy)
		}
		if uint64(len(out)) != n {
			t.Fatalf("ToSlice of %v gave %d elements", s, len(out))
		}
		for i := range min(n, 16) {
			p, _ := s.Get(i)
			e, err := p.Read()
			if err != nil {
				t.Fatalf("element %d of %v: ToSlice succeeded but Read: %v", i, s, err)
			}
			if d := fzEqual(l, reflect.ValueOf(e), reflect.ValueOf(out[i]), mem, fmt.Sprintf("[%d]", i)); d != "" {
				t.Fatalf("ToSlice of %v: %s", s, d)
			}
		}
	}

	// CopyFromSlice: a wrong length, then what ToSlice read, then random
	// values.
	wrong := make([]T, 0)
	if n == 0 {
		wrong = make([]T, 1)
	}
	if err := s.CopyFromSlice(wrong); err == nil {
		t.Fatalf("CopyFromSlice of %d elements into %v succeeded", len(wrong), s)
	} else {
		fzCheckErr(t, "CopyFromSlice", err, "write", guestptr.ErrLengthMismatch)
	}
	fzUnchanged(t, "CopyFromSlice of the wrong length", c.before, mem)
	if err == nil {
		if err := s.CopyFromSlice(out); err != nil {
			t.Fatalf("CopyFromSlice of what ToSlice read: %v", err)
		}
		fzUnchanged(t, "CopyFromSlice of what ToSlice read", c.before, mem)
	}
	if n <= 64 {
		vals := make([]T, n)
		invalid := false
		for i := range vals {
			if fzFill(reflect.ValueOf(&vals[i]).Elem(), l, c.r, mem, true) {
				invalid = true
			}
		}
		err := s.CopyFromSlice(vals)
		if err != nil {
			fzUnchanged(t, "failed CopyFromSlice", c.before, mem)
			fzCheckErr(t, "CopyFromSlice", err, "write", want, guestptr.ErrValueRange, guestptr.ErrInvalidEnum, guestptr.ErrInvalidFlags, guestptr.ErrInvalidTag)
			if want == nil && !invalid {
				t.Fatalf("CopyFromSlice of valid values into %v: %v", s, err)
			}
		} else {
			if want != nil || invalid {
				t.Fatalf("CopyFromSlice into %v succeeded; want %v (invalid values: %v)", s, want, invalid)
			}
			after := mem.Bytes()
			set := make([]bool, n*size)
			for i := range n {
				layouttest.MarkWritten(l, after[addr:addr+n*size], i*size, set)
			}
			for i := range after {
				j := uint64(i) - addr
				if (uint64(i) < addr || j >= n*size || !set[j]) && after[i] != c.before[i] {
					t.Fatalf("CopyFromSlice into %v changed byte %#x, outside the elements' fields", s, i)
				}
			}
			back := make([]T, n) // ToSlice may refuse a copy larger than the memory
			if err := s.CopyToSlice(back); err != nil {
				t.Fatalf("CopyToSlice after CopyFromSlice: %v", err)
			}
			for i := range vals {
				if d := fzEqual(l, reflect.ValueOf(vals[i]), reflect.ValueOf(back[i]), mem, fmt.Sprintf("[%d]", i)); d != "" {
					t.Fatalf("CopyFromSlice then ToSlice: %s", d)
				}
			}
			copy(mem.Bytes(), c.before)
		}
	}

	// Views.
	// A view checks, after the region, that T is transparent and that the
	// host address suits Go's alignment of T (a tiny Linear memory may sit
	// at an address aligned to less than 8).
	wantView := want
	switch {
	case wantView != nil:
	case !l.Transparent:
		wantView = guestptr.ErrNotTransparent
	case n*size > 0 && uintptr(unsafe.Pointer(&mem.Bytes()[addr]))%uintptr(reflect.TypeFor[T]().Align()) != 0:
		wantView = guestptr.ErrMisaligned
	}
	fzView(t, c, s, l, wantView, out)
	fzMutView(t, c, s, l, wantView)
}

// fzRegionBytes returns the bytes behind a view's elements.
func fzRegionBytes[T any](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), uintptr(len(v))*unsafe.Sizeof(v[0]))
}

func fzView[T any](t *testing.T, c *fzSliceCase, s guestptr.Slice[T], l *layout.Layout, want error, out []T) {
	mem, addr, n, size := c.mem, c.addr, c.n, l.Size
	heap0 := fzHeapAllocs()
	v, err := s.AsSlice()
	if grew := fzHeapAllocs() - heap0; grew > 1<<20 {
		t.Fatalf("AsSlice of %v allocated %d bytes", s, grew)
	}
	if err != nil {
		fzCheckErr(t, "AsSlice", err, "view", want)
		fzNoneHeld(t, "a failed AsSlice", mem)
		if v.Slice() != nil {
			t.Fatalf("failed AsSlice has elements")
		}
		return
	}
	if want != nil {
		t.Fatalf("AsSlice of %v succeeded; want %v", s, want)
	}
	got := v.Slice()
	if uint64(len(got)) != n || uint64(v.Len()) != n {
		t.Fatalf("AsSlice of %v has %d elements", s, len(got))
	}
	if n*size > uint64(len(mem.Bytes()))-addr {
		t.Fatalf("AsSlice of %v: %d bytes past %#x do not fit %d", s, n*size, addr, len(mem.Bytes()))
	}
	if rb := fzRegionBytes(got); n*size > 0 {
		if &rb[0] != &mem.Bytes()[addr] || uint64(len(rb)) != n*size {
			t.Fatalf("AsSlice of %v does not alias [%#x, %#x)", s, addr, addr+n*size)
		}
		if !bytes.Equal(rb, c.before[addr:addr+n*size]) {
			t.Fatalf("AsSlice of %v shows other bytes", s)
		}
	}
	for i := range min(n, uint64(len(out))) {
		if d := fzEqual(l, reflect.ValueOf(out[i]), reflect.ValueOf(got[i]), nil, fmt.Sprintf("[%d]", i)); d != "" {
			t.Fatalf("AsSlice vs ToSlice of %v: %s", s, d)
		}
	}
	// While held: reads and shared views pass, writes and mutable views
	// of the region do not.
	if n*size > 0 {
		if err := guestptr.New[byte](mem, addr).Write(1); err == nil {
			t.Fatalf("Write into a shared view of %v succeeded", s)
		} else {
			fzCheckErr(t, "Write into a shared view", err, "write", guestptr.ErrBorrowed)
		}
		if _, err := s.AsSliceMut(); err == nil {
			t.Fatalf("AsSliceMut over a shared view of %v succeeded", s)
		} else {
			fzCheckErr(t, "AsSliceMut over a shared view", err, "view", guestptr.ErrBorrowed)
		}
		if err := s.CopyFromSlice(make([]T, n)); err == nil {
			t.Fatalf("CopyFromSlice over a shared view of %v succeeded", s)
		} else {
			fzCheckErr(t, "CopyFromSlice over a shared view", err, "write", guestptr.ErrBorrowed)
		}
		if _, err := guestptr.New[byte](mem, addr).Read(); err != nil {
			t.Fatalf("Read in a shared view: %v", err)
		}
	}
	v2, err := s.AsSlice()
	if err != nil {
		t.Fatalf("a second shared view of %v: %v", s, err)
	}
	fzUnchanged(t, "shared views", c.before, mem)
	if err := v2.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := v.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if v.Slice() != nil {
		t.Fatalf("a released view still has elements")
	}
	if err := v.Release(); err == nil {
		t.Fatalf("a second Release succeeded")
	} else {
		fzCheckErr(t, "second Release", err, "release", guestptr.ErrReleased)
	}
}

func fzMutView[T any](t *testing.T, c *fzSliceCase, s guestptr.Slice[T], l *layout.Layout, want error) {
	mem, addr, n, size := c.mem, c.addr, c.n, l.Size
	v, err := s.AsSliceMut()
	if err != nil {
		fzCheckErr(t, "AsSliceMut", err, "view", want)
		fzNoneHeld(t, "a failed AsSliceMut", mem)
		return
	}
	if want != nil {
		t.Fatalf("AsSliceMut of %v succeeded; want %v", s, want)
	}
	got := v.Slice()
	if uint64(len(got)) != n {
		t.Fatalf("AsSliceMut of %v has %d elements", s, len(got))
	}
	total := n * size
	if total > 0 {
		if rb := fzRegionBytes(got); &rb[0] != &mem.Bytes()[addr] || uint64(len(rb)) != total {
			t.Fatalf("AsSliceMut of %v does not alias its region", s)
		}
		if _, err := guestptr.New[byte](mem, addr+total-1).Read(); err == nil {
			t.Fatalf("Read inside a mutable view of %v succeeded", s)
		} else {
			fzCheckErr(t, "Read inside a mutable view", err, "read", guestptr.ErrBorrowed)
		}
		if _, err := s.AsSlice(); err == nil {
			t.Fatalf("AsSlice over a mutable view of %v succeeded", s)
		} else {
			fzCheckErr(t, "AsSlice over a mutable view", err, "view", guestptr.ErrBorrowed)
		}
		if _, err := guestptr.NewString(mem, addr, total).Read(); err == nil {
			t.Fatalf("String.Read over a mutable view of %v succeeded", s)
		} else {
			fzCheckErr(t, "String.Read over a mutable view", err, "read", guestptr.ErrBorrowed)
		}
	}
	// Write through the view, maybe after the memory grows and moves: the
	// writes must reach the memory either way.
	grow := c.flags&16 != 0
	if grow {
		if _, err := mem.Grow(1); err != nil {
			t.Fatalf("Grow: %v", err)
		}
	}
	rb := fzRegionBytes(got)
	for i := range rb {
		rb[i] ^= 0xa5
	}
	if err := v.Release(); err != nil {
		t.Fatalf("Release of a mutable view: %v", err)
	}
	if v.Slice() != nil {
		t.Fatalf("a released mutable view still has elements")
	}
	if err := v.Release(); err == nil {
		t.Fatalf("a second Release succeeded")
	} else {
		fzCheckErr(t, "second Release", err, "release", guestptr.ErrReleased)
	}
	after := mem.Bytes()
	for i := range c.before {
		w := c.before[i]
		if uint64(i) >= addr && uint64(i)-addr < total {
			w ^= 0xa5
		}
		if after[i] != w {
			t.Fatalf("after writing through a mutable view of %v (grow %v), byte %#x is %#x, want %#x", s, grow, i, after[i], w)
		}
	}
	for _, b := range after[len(c.before):] {
		if b != 0 {
			t.Fatalf("the grown memory is not zero past the old end")
		}
	}
}

// ---------------------------------------------------------------------------
// FuzzString

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "hello", "héllo, wörld", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\x80", "ok\xffok", "日本語", "\U0010ffff", "\xf4\x90\x80\x80"} {
		data := append([]byte("xx"), s...)
		data = append(data, "yy"...)
		for _, flags := range []uint8{0, 1, 2, 3} {
			f.Add(data, uint64(2), uint64(len(s)), flags)
		}
	}
	f.Add([]byte("abc"), uint64(1<<32-2), uint64(4), uint8(0))
	f.Add([]byte("abc"), uint64(1<<64-2), uint64(4), uint8(1))
	f.Add([]byte("abc"), uint64(1), uint64(1<<32), uint8(0))
	f.Add([]byte("abc"), uint64(1), uint64(1<<40), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, addr, n uint64, flags uint8) {
		mem, abi := fzMemory(data, flags)
		addr = fzAddr(addr, flags>>1, len(mem.Bytes()))
		if flags&8 != 0 {
			n %= uint64(len(mem.Bytes())) + 2
		}
		before := bytes.Clone(mem.Bytes())
		s := guestptr.NewString(mem, addr, n)
		want := fzWantRegion(abi, uint64(len(before)), addr, n, 1)
		inBounds := want == nil
		var region []byte
		if inBounds {
			region = before[addr : addr+n]
			if !utf8.Valid(region) {
				want = guestptr.ErrInvalidUTF8
			}
		}
		check := func(what, op string, err error) bool {
			t.Helper()
			fzUnchanged(t, what, before, mem)
			fzNoneHeld(t, what, mem)
			if err != nil {
				fzCheckErr(t, what, err, op, want)
				return false
			}
			if want != nil {
				t.Fatalf("%s of %v in %d bytes succeeded; want %v", what, s, len(before), want)
			}
			return true
		}

		heap0 := fzHeapAllocs()
		got, err := s.Read()
		if grew := fzHeapAllocs() - heap0; grew > min(n, uint64(len(before)))+1<<20 {
			t.Fatalf("Read of %v allocated %d bytes", s, grew)
		}
		if check("Read", "read", err) && got != string(region) {
			t.Fatalf("Read of %v = %q, want %q", s, got, region)
		}

		sv, err := s.AsStr()
		if err == nil {
			if sv.String() != string(region) || sv.Len() != len(region) {
				t.Fatalf("AsStr of %v = %q, want %q", s, sv.String(), region)
			}
			if len(region) > 0 && unsafe.StringData(sv.String()) != &mem.Bytes()[addr] {
				t.Fatalf("AsStr of %v does not alias memory", s)
			}
			if err := sv.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}
			if sv.String() != "" {
				t.Fatalf("a released StrView is %q", sv.String())
			}
		}
		check("AsStr", "view", err)

		mv, err := s.AsStrMut()
		if err == nil {
			if string(mv.Bytes()) != string(region) || mv.String() != string(region) || mv.Len() != len(region) {
				t.Fatalf("AsStrMut of %v = %q, want %q", s, mv.Bytes(), region)
			}
			if len(region) > 0 && &mv.Bytes()[0] != &mem.Bytes()[addr] {
				t.Fatalf("AsStrMut of %v does not alias memory", s)
			}
			if err := mv.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}
			if mv.Bytes() != nil {
				t.Fatalf("a released MutStrView has bytes")
			}
		}
		check("AsStrMut", "view", err)

		called := false
		err = guestptr.WithStr(s, func(str string) error {
			called = true
			if str != string(region) {
				t.Fatalf("WithStr of %v = %q, want %q", s, str, region)
			}
			return nil
		})
		if check("WithStr", "view", err) != called {
			t.Fatalf("WithStr: called %v, err %v", called, err)
		}
		called = false
		err = guestptr.WithStrMut(s, func(b []byte) error {
			called = true
			if string(b) != string(region) {
				t.Fatalf("WithStrMut of %v = %q, want %q", s, b, region)
			}
			return nil
		})
		if check("WithStrMut", "view", err) != called {
			t.Fatalf("WithStrMut: called %v, err %v", called, err)
		}

		// The bytes without the UTF-8 check.
		raw, err := s.Bytes().ToSlice()
		if (err == nil) != inBounds {
			t.Fatalf("Bytes().ToSlice of %v: %v", s, err)
		}
		if err == nil && !bytes.Equal(raw, region) {
			t.Fatalf("Bytes().ToSlice of %v = %q, want %q", s, raw, region)
		}
	})
}

// ---------------------------------------------------------------------------
// Seed corpora. The files under testdata/fuzz run as part of go test; this
// writes them again when GUESTKIT_FUZZ_CORPUS is set:
//
//	GUESTKIT_FUZZ_CORPUS=1 go test -run TestWriteFuzzCorpus ./guestptr

// fzCorpusFile writes one seed in the go test fuzz v1 format.
func fzCorpusFile(t *testing.T, target, name string, args ...any) {
	t.Helper()
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch a := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", a)
		case uint64:
			fmt.Fprintf(&b, "uint64(%d)\n", a)
		case uint8:
			fmt.Fprintf(&b, "uint8(%d)\n", a)
		default:
			t.Fatalf("corpus value of type %T", a)
		}
	}
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name = strings.NewReplacer(" ", "-", "/", "-", "*", "", "[", "", "]", "", ".", "-").Replace(name)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fzValid is a byte stream from which fzFill makes a valid value with
// varied fields.
// No byte is a multiple of 8, so wherever fzFill takes a choice byte it
// takes a valid value.
var fzValid = bytes.Repeat([]byte{0x09, 1, 2, 0x13, 4, 5, 0x7e, 7, 0x31, 0x2a, 3, 0x8b, 0xc1, 0x55}, 40)

// fzRaw makes fzFill take raw, mostly invalid values.
var fzRaw = bytes.Repeat([]byte{0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8}, 60)

func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("GUESTKIT_FUZZ_CORPUS") == "" {
		t.Skip("set GUESTKIT_FUZZ_CORPUS=1 to write the seed corpora")
	}
	for _, dir := range []string{"FuzzPtrRead", "FuzzPtrWrite", "FuzzSlice", "FuzzString"} {
		if err := os.RemoveAll(filepath.Join("testdata", "fuzz", dir)); err != nil {
			t.Fatal(err)
		}
	}
	abis := []struct {
		name string
		bit  uint8
	}{{"wasm32", 0}, {"wasm64", 1}}

	// A valid value of each record at 16, in a memory just large enough:
	// read as is, one byte past the end, misaligned, and corrupted.
	corrupt := map[string][3]uint64{ // type: offset on wasm32, on wasm64, byte
		"guestptr_test.fzChecked":      {1, 1, 5},      // enum = case count
		"guestptr_test.fzVariant":      {0, 0, 4},      // a tag with no case
		"guestptr_test.fzSubscription": {8, 8, 3},      // a tag past the cases
		"guestptr_test.fzSparseRec":    {0, 0, 2},      // a tag between cases
		"guestptr_test.fzArrays":       {7, 7, 2},      // bool 2
		"guestptr_test.fzIovecs":       {27, 51, 1},    // an unknown flag bit
		"guestptr_test.fzPacked":       {19, 19, 7},    // enum past its cases
		"guestptr_test.fzNested":       {40, 40, 2},    // bool 2
		"guestptr_test.fzUnions":       {12, 12, 9},    // nothing checked: still valid
		"guestptr_test.fzScalars":      {0, 0, 0xff},   // nothing checked: still valid
		"guestptr_test.fzPointers":     {0, 0, 0xff},   // nothing checked: still valid
		"guestptr_test.fzPlaced":       {12, 12, 0xff}, // a blank field: still valid
	}
	for sel, k := range fzRecords {
		for _, a := range abis {
			mem := memory.New(0)
			if a.bit == 1 {
				mem = memory.NewWasm64(0)
			}
			l := fzLayout(t, k.typ, mem.ABI())
			mem, _ = fzMemory(make([]byte, 32+l.Size), a.bit)
			v := reflect.New(k.typ).Elem()
			if fzFill(v, l, &fzRand{fzValid}, mem, true) {
				t.Fatalf("%v: the valid stream made an invalid value", k.typ)
			}
			if err := k.write(mem, 16, v); err != nil {
				t.Fatalf("%v: %v", k.typ, err)
			}
			data := bytes.Clone(mem.Bytes())
			base := k.name + "-" + a.name
			fzCorpusFile(t, "FuzzPtrRead", base+"-valid", data, uint64(16), uint8(sel), a.bit)
			if l.Size > 0 {
				fzCorpusFile(t, "FuzzPtrRead", base+"-past-end-by-one", data, uint64(len(data))-l.Size+1, uint8(sel), a.bit)
			}
			if l.Align > 1 {
				fzCorpusFile(t, "FuzzPtrRead", base+"-misaligned", data, uint64(17), uint8(sel), a.bit)
			}
			if c, ok := corrupt[k.name]; ok {
				bad := bytes.Clone(data)
				bad[16+c[a.bit]] = byte(c[2])
				fzCorpusFile(t, "FuzzPtrRead", base+"-corrupt", bad, uint64(16), uint8(sel), a.bit)
			}
			end := uint64(1<<32 - 1)
			if a.bit == 1 {
				end = 1<<64 - 1
			}
			fzCorpusFile(t, "FuzzPtrRead", base+"-address-space-end", data, end-l.Size/2, uint8(sel), a.bit)

			pattern := bytes.Repeat([]byte{0xa5}, len(data))
			fzCorpusFile(t, "FuzzPtrWrite", base+"-valid", pattern, uint64(16), uint8(sel), a.bit, fzValid)
			fzCorpusFile(t, "FuzzPtrWrite", base+"-raw-values", pattern, uint64(16), uint8(sel), a.bit, fzRaw)
			fzCorpusFile(t, "FuzzPtrWrite", base+"-past-end-by-one", pattern, uint64(len(data))-l.Size+1, uint8(sel), a.bit, fzValid)
		}
	}

	// Slices: four valid elements at 8, read, copied and viewed; views
	// across growth; huge and wrapping lengths.
	for sel, k := range fzElems {
		for _, a := range abis {
			mem, abi := fzMemory(make([]byte, 256), a.bit)
			l := fzLayout(t, k.typ, abi)
			r := &fzRand{fzValid}
			for i := range uint64(4) {
				v := reflect.New(k.typ).Elem()
				fzFill(v, l, r, mem, true)
				if err := k.write(mem, 8+i*l.Size, v); err != nil {
					t.Fatalf("%v: %v", k.typ, err)
				}
			}
			data := bytes.Clone(mem.Bytes())
			base := k.name + "-" + a.name
			fzCorpusFile(t, "FuzzSlice", base+"-4-valid", data, uint64(8), uint64(4), uint8(sel), a.bit, fzValid)
			fzCorpusFile(t, "FuzzSlice", base+"-4-valid-grow", data, uint64(8), uint64(4), uint8(sel), a.bit|16, fzValid)
			fzCorpusFile(t, "FuzzSlice", base+"-raw-values", data, uint64(8), uint64(4), uint8(sel), a.bit, fzRaw)
			fzCorpusFile(t, "FuzzSlice", base+"-misaligned", data, uint64(9), uint64(2), uint8(sel), a.bit, fzValid)
			if a.bit == 0 {
				fzCorpusFile(t, "FuzzSlice", base+"-4GiB", data, uint64(0), uint64(1<<32), uint8(sel), a.bit, []byte(nil))
				fzCorpusFile(t, "FuzzSlice", base+"-wraps-2^32", data, uint64(0x1000), uint64(178956971), uint8(sel), a.bit, []byte(nil))
				fzCorpusFile(t, "FuzzSlice", base+"-at-2^32-8", data, uint64(1<<32-8), uint64(2), uint8(sel), a.bit, []byte(nil))
			} else {
				fzCorpusFile(t, "FuzzSlice", base+"-2^40", data, uint64(0), uint64(1<<40), uint8(sel), a.bit, []byte(nil))
				fzCorpusFile(t, "FuzzSlice", base+"-2^64-1", data, uint64(0), uint64(1<<64-1), uint8(sel), a.bit, []byte(nil))
				fzCorpusFile(t, "FuzzSlice", base+"-wraps-2^64", data, uint64(0x1000), uint64(768614336404564651), uint8(sel), a.bit, []byte(nil))
				fzCorpusFile(t, "FuzzSlice", base+"-at-2^64-8", data, uint64(1<<64-8), uint64(2), uint8(sel), a.bit, []byte(nil))
			}
		}
	}

	// Strings: valid ones, each kind of invalid UTF-8, and huge lengths.
	for _, s := range []struct{ name, s string }{
		{"empty", ""}, {"ascii", "hello"}, {"two-byte", "héllo"}, {"three-byte", "日本語"},
		{"four-byte", "\U0010ffff"}, {"overlong", "\xc0\xaf"}, {"surrogate", "\xed\xa0\x80"},
		{"truncated", "\xe2\x82"}, {"lone-continuation", "\x80"}, {"past-max-rune", "\xf4\x90\x80\x80"},
		{"bad-in-middle", "ok\xffok"},
	} {
		data := []byte("xx" + s.s + "yy")
		for _, a := range abis {
			fzCorpusFile(t, "FuzzString", s.name+"-"+a.name, data, uint64(2), uint64(len(s.s)), a.bit)
		}
	}
	fzCorpusFile(t, "FuzzString", "4GiB-wasm32", []byte("abc"), uint64(0), uint64(1<<32), uint8(0))
	fzCorpusFile(t, "FuzzString", "2^40-wasm64", []byte("abc"), uint64(0), uint64(1<<40), uint8(1))
	fzCorpusFile(t, "FuzzString", "wraps-2^32", []byte("abc"), uint64(1<<32-2), uint64(4), uint8(0))
	fzCorpusFile(t, "FuzzString", "wraps-2^64", []byte("abc"), uint64(16), uint64(1<<64-8), uint8(1))
}
