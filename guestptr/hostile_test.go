package guestptr_test

// The bad-input table: one row per (entry point, hostile input, ABI), each
// with the sentinel the call must return. Every row checks that the error
// is an *guestptr.Error matching exactly that sentinel, that memory is
// byte-for-byte what it was (unless the row is a successful write), and
// that nothing stays borrowed afterwards. Rows marked allocs also check
// that a huge guest length allocates nothing in proportion to it.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// hostileMemSize is the size of every row's memory: one page.
const hostileMemSize = 64 << 10

// errNotOK stands for a false ok from Slice.Get or Slice.Range, which
// return no error.
var errNotOK = errors.New("reported !ok")

type hostileRow struct {
	name    string // entry point / input / ABI
	want    error  // the sentinel, or nil for success
	field   string // the Error.Field the error must name, if any
	mutates bool   // the call writes memory when it succeeds
	allocs  bool   // check that the call allocates only a few small objects
	plain   bool   // the error is errNotOK, not an *guestptr.Error
	note    string // expected behaviour worth spelling out
	shared  bool   // run on a shared (wasm32) memory
	setup   func(t *testing.T, m *memory.Memory) (cleanup func())
	call    func(m *memory.Memory) error
}

type hostileABI struct {
	name string
	abi  layout.ABI
	mk   func(uint64) *memory.Memory
	end  uint64 // the size of the address space, 2^32 or 2^64 (0 for 2^64)
}

var hostileABIs = []hostileABI{
	{"wasm32", layout.Wasm32, memory.New, 1 << 32},
	{"wasm64", layout.Wasm64, memory.NewWasm64, 0},
}

// ---------------------------------------------------------------------------
// Calls, as closures over a memory.

func hRead[T any](addr uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		_, err := guestptr.New[T](m, addr).Read()
		return err
	}
}

func hWrite[T any](addr uint64, v T) func(*memory.Memory) error {
	return func(m *memory.Memory) error { return guestptr.New[T](m, addr).Write(v) }
}

func hToSlice[T any](addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		out, err := guestptr.NewSlice[T](m, addr, n).ToSlice()
		if err == nil && uint64(len(out)) != n {
			return fmt.Errorf("ToSlice gave %d elements, want %d", len(out), n)
		}
		return err
	}
}

func hCopy[T any](addr, n uint64, src []T) func(*memory.Memory) error {
	return func(m *memory.Memory) error { return guestptr.NewSlice[T](m, addr, n).CopyFromSlice(src) }
}

func hAsSlice[T any](addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		v, err := guestptr.NewSlice[T](m, addr, n).AsSlice()
		if err != nil {
			return err
		}
		return v.Release()
	}
}

func hAsSliceMut[T any](addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		v, err := guestptr.NewSlice[T](m, addr, n).AsSliceMut()
		if err != nil {
			return err
		}
		return v.Release()
	}
}

func hWithSliceMut[T any](addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		return guestptr.WithSliceMut(guestptr.NewSlice[T](m, addr, n), func([]T) error { return nil })
	}
}

func hStrRead(addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		_, err := guestptr.NewString(m, addr, n).Read()
		return err
	}
}

func hAsStr(addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		v, err := guestptr.NewString(m, addr, n).AsStr()
		if err != nil {
			return err
		}
		return v.Release()
	}
}

func hAsStrMut(addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		v, err := guestptr.NewString(m, addr, n).AsStrMut()
		if err != nil {
			return err
		}
		return v.Release()
	}
}

func hWithStr(addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		return guestptr.WithStr(guestptr.NewString(m, addr, n), func(string) error { return nil })
	}
}

func hWithStrMut(addr, n uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		return guestptr.WithStrMut(guestptr.NewString(m, addr, n), func([]byte) error { return nil })
	}
}

// hAdd moves a Ptr[T] at addr by k elements and checks the result.
func hAdd[T any](addr, k, size uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		q, err := guestptr.New[T](m, addr).Add(k)
		if err == nil && q.Addr() != addr+k*size {
			return fmt.Errorf("Add(%d) = %v, want %#x", k, q, addr+k*size)
		}
		return err
	}
}

func hGet[T any](addr, n, i uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		if _, ok := guestptr.NewSlice[T](m, addr, n).Get(i); !ok {
			return errNotOK
		}
		return nil
	}
}

func hRange[T any](addr, n, i, j uint64) func(*memory.Memory) error {
	return func(m *memory.Memory) error {
		if _, ok := guestptr.NewSlice[T](m, addr, n).Range(i, j); !ok {
			return errNotOK
		}
		return nil
	}
}

// hPut writes b at addr before the row runs.
func hPut(addr uint64, b ...byte) func(*testing.T, *memory.Memory) func() {
	return func(_ *testing.T, m *memory.Memory) func() {
		copy(m.Bytes()[addr:], b)
		return func() {}
	}
}

// hHold takes a view of [addr, addr+n) as bytes before the row runs, and
// releases it after.
func hHold(addr, n uint64, mutable bool) func(*testing.T, *memory.Memory) func() {
	return func(t *testing.T, m *memory.Memory) func() {
		s := guestptr.NewSlice[byte](m, addr, n)
		var release func() error
		if mutable {
			v, err := s.AsSliceMut()
			if err != nil {
				t.Fatalf("setup: AsSliceMut: %v", err)
			}
			release = v.Release
		} else {
			v, err := s.AsSlice()
			if err != nil {
				t.Fatalf("setup: AsSlice: %v", err)
			}
			release = v.Release
		}
		return func() {
			if err := release(); err != nil {
				t.Errorf("cleanup: Release: %v", err)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// The rows.

// hWidth is one access width of the bounds rows.
type hWidth struct {
	name        string
	size, align uint64
	read        func(addr uint64) func(*memory.Memory) error
	write       func(addr uint64) func(*memory.Memory) error
}

var hWidths = []hWidth{
	{"u8", 1, 1, hRead[uint8], func(a uint64) func(*memory.Memory) error { return hWrite[uint8](a, 0x5a) }},
	{"u16", 2, 2, hRead[uint16], func(a uint64) func(*memory.Memory) error { return hWrite[uint16](a, 0x5a5a) }},
	{"u32", 4, 4, hRead[uint32], func(a uint64) func(*memory.Memory) error { return hWrite[uint32](a, 0x5a5a5a5a) }},
	{"u64", 8, 8, hRead[uint64], func(a uint64) func(*memory.Memory) error { return hWrite[uint64](a, 0x5a5a5a5a5a5a5a5a) }},
	{"rec24", 24, 8, hRead[fzRec24], func(a uint64) func(*memory.Memory) error {
		return hWrite(a, fzRec24{A: 1, B: 2, C: 3, D: 4, E: [2]uint8{5, 6}})
	}},
}

func hostileRows() []hostileRow {
	var rows []hostileRow
	for _, a := range hostileABIs {
		add := func(r hostileRow) {
			r.name += "/" + a.name
			rows = append(rows, r)
		}
		boundsRows(a, add)
		wrapRows(a, add)
		alignRows(add)
		valueRows(a, add)
		utf8Rows(add)
		lengthRows(a, add)
		borrowRows(add)
		nestedRows(a, add)
		rangeRows(a, add)
		otherRows(add)
	}
	sharedRows(func(r hostileRow) {
		r.name += "/wasm32-shared"
		r.shared = true
		rows = append(rows, r)
	})
	return rows
}

// boundsRows: Read and Write of every width at the last address that fits,
// at memory size - 1, size and size + 1, and at the end of the address
// space.
func boundsRows(a hostileABI, add func(hostileRow)) {
	const size = hostileMemSize
	for _, w := range hWidths {
		type at struct {
			label string
			addr  uint64
			want  error
		}
		var ats []at
		if w.size > 1 {
			ats = append(ats, at{"last fit", size - w.size, nil})
		}
		ats = append(ats,
			at{"size-1", size - 1, map[bool]error{true: nil, false: guestptr.ErrOutOfBounds}[w.size == 1]},
			at{"size", size, guestptr.ErrOutOfBounds},
			at{"size+1", size + 1, guestptr.ErrOutOfBounds},
		)
		if a.abi == layout.Wasm32 {
			if w.size > 1 {
				ats = append(ats, at{"ends at 2^32", a.end - w.size, guestptr.ErrOutOfBounds})
			}
			ats = append(ats,
				at{"2^32-1", a.end - 1, map[bool]error{true: guestptr.ErrOutOfBounds, false: guestptr.ErrOverflow}[w.size == 1]},
				at{"2^32", a.end, guestptr.ErrOverflow},
			)
		} else {
			if w.size > 1 {
				ats = append(ats, at{"ends at 2^64", -w.size, guestptr.ErrOverflow})
			}
			ats = append(ats, at{"2^64-1", 1<<64 - 1, guestptr.ErrOverflow})
		}
		for _, x := range ats {
			add(hostileRow{name: fmt.Sprintf("Ptr.Read/%s at %s (%#x)", w.name, x.label, x.addr), want: x.want, call: w.read(x.addr)})
			add(hostileRow{name: fmt.Sprintf("Ptr.Write/%s at %s (%#x)", w.name, x.label, x.addr), want: x.want, mutates: true, call: w.write(x.addr)})
		}
	}
}

// wrapRows: address arithmetic that passes the end of the address space,
// often to a small, in-bounds looking value modulo 2^32 or 2^64.
func wrapRows(a hostileABI, add func(hostileRow)) {
	of := guestptr.ErrOverflow
	var (
		u64Wrap   uint64 // u64 elements past 0x1000 whose byte count wraps to 0
		rec24Wrap uint64 // 24-byte elements whose byte count wraps to 8
		last      uint64 // the address space's last address
	)
	if a.abi == layout.Wasm32 {
		u64Wrap, rec24Wrap, last = 1<<29, 178956971, 1<<32-1 // 178956971*24 = 2^32+8
	} else {
		u64Wrap, rec24Wrap, last = 1<<61, 768614336404564651, 1<<64-1 // 768614336404564651*24 = 2^64+8
	}
	end8, end24 := last-7, last-23
	for _, op := range []struct {
		name string
		u64  func(addr, n uint64) func(*memory.Memory) error
		rec  func(addr, n uint64) func(*memory.Memory) error
	}{
		{"Slice.ToSlice", hToSlice[uint64], hToSlice[fzRec24]},
		{"Slice.AsSlice", hAsSlice[uint64], hAsSlice[fzRec24]},
		{"Slice.AsSliceMut", hAsSliceMut[uint64], hAsSliceMut[fzRec24]},
	} {
		add(hostileRow{name: op.name + "/u64 n*8 wraps to 0 past 0x1000", want: of, call: op.u64(0x1000, u64Wrap)})
		add(hostileRow{name: op.name + "/rec24 n*24 wraps to 8", want: of, call: op.rec(0x1000, rec24Wrap)})
		add(hostileRow{name: op.name + "/u64 x2 at end-8", want: of, call: op.u64(end8, 2)})
	}
	add(hostileRow{name: "Slice.CopyFromSlice/u64 x2 at end-8", want: of, call: hCopy(end8, 2, []uint64{1, 2})})
	add(hostileRow{name: "Slice.CopyFromSlice/rec24 x2 at end-24", want: of, call: hCopy(end24, 2, []fzRec24{{A: 1}, {A: 2}})})
	add(hostileRow{name: "String.Read/8 bytes at end-4", want: of, call: hStrRead(last-3, 8)})
	add(hostileRow{name: "String.Read/len wraps to 8 past 0x10", want: of, call: hStrRead(0x10, last-7)})
	add(hostileRow{name: "String.AsStr/len wraps to 8 past 0x10", want: of, call: hAsStr(0x10, last-7)})
	add(hostileRow{name: "Ptr.Add/u64 by n*8 wrapping to 0", want: of, call: hAdd[uint64](0x1000, u64Wrap, 8)})
	add(hostileRow{name: "Ptr.Add/u64 to exactly the end", want: of, call: hAdd[uint64](0x1000, u64Wrap-0x200, 8)})
	add(hostileRow{name: "Ptr.Add/rec24 by n*24 wrapping to 8", want: of, call: hAdd[fzRec24](0x1000, rec24Wrap, 24)})
	add(hostileRow{name: "Ptr.Add/u8 by 1 at the last address", want: of, call: hAdd[uint8](last, 1, 1)})
	add(hostileRow{name: "Ptr.Add/u64 by 1 (control)", call: hAdd[uint64](0x1000, 1, 8)})
	add(hostileRow{name: "Slice.Get/u64 element address wraps", want: errNotOK, plain: true, call: hGet[uint64](0x1000, 2*u64Wrap, u64Wrap)})
	add(hostileRow{name: "Slice.Range/u64 start address wraps", want: errNotOK, plain: true, call: hRange[uint64](0x1000, 2*u64Wrap, u64Wrap, u64Wrap+1)})
	add(hostileRow{name: "Slice.Get/u64 index at length", want: errNotOK, plain: true, call: hGet[uint64](0x1000, 4, 4)})
}

// alignRows: every access of a type aligned to more than 1, one byte past
// an aligned address.
func alignRows(add func(hostileRow)) {
	mis := guestptr.ErrMisaligned
	for _, w := range hWidths[1:] {
		add(hostileRow{name: "Ptr.Read/" + w.name + " at 0x101", want: mis, call: w.read(0x101)})
		add(hostileRow{name: "Ptr.Write/" + w.name + " at 0x101", want: mis, mutates: true, call: w.write(0x101)})
	}
	add(hostileRow{name: "Slice.ToSlice/u32 x2 at 0x101", want: mis, call: hToSlice[uint32](0x101, 2)})
	add(hostileRow{name: "Slice.CopyFromSlice/u32 x2 at 0x101", want: mis, call: hCopy(0x101, 2, []uint32{1, 2})})
	add(hostileRow{name: "Slice.AsSlice/u32 x2 at 0x101", want: mis, call: hAsSlice[uint32](0x101, 2)})
	add(hostileRow{name: "Slice.AsSliceMut/u32 x2 at 0x101", want: mis, call: hAsSliceMut[uint32](0x101, 2)})
}

// valueRows: enums at their case count, flags with an unknown bit, bools
// of 2, tags that select no case, on reads; and the same values on writes.
func valueRows(a hostileABI, add func(hostileRow)) {
	const at = 0x200
	enum, flags, boolean, tag := guestptr.ErrInvalidEnum, guestptr.ErrInvalidFlags, guestptr.ErrInvalidBool, guestptr.ErrInvalidTag
	// fzChecked: Ok@0 E@1 F@2 R@8 C@16 E64@20 No@22, 24 bytes; all valid:
	valid := []byte{1, 4, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x3f, 0, 0, 0, 0, 3, 0, 0, 0, 0x2b, 0x01, 0, 0}
	with := func(off int, b ...byte) []byte {
		c := bytes.Clone(valid)
		copy(c[off:], b)
		return c
	}
	add(hostileRow{name: "Ptr.Read/record, all valid (control)", setup: hPut(at, valid...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/enum = case count", want: enum, setup: hPut(at, 5), call: hRead[fzEnum](at)})
	add(hostileRow{name: "Ptr.Read/enum = case count - 1 (control)", setup: hPut(at, 4), call: hRead[fzEnum](at)})
	add(hostileRow{name: "Ptr.Read/record enum field = case count", want: enum, field: "E", setup: hPut(at, with(1, 5)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/record u32 enum field = case count", want: enum, field: "C", setup: hPut(at, with(16, 4)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/record u16 enum field = 300 cases", want: enum, field: "E64", setup: hPut(at, with(20, 0x2c, 0x01)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/flags with one unknown bit", want: flags, setup: hPut(at, 0x20, 0), call: hRead[fzFlags](at)})
	add(hostileRow{name: "Ptr.Read/record flags field with one unknown bit", want: flags, field: "F", setup: hPut(at, with(2, 0x20)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/record u64 flags field with bit 30", want: flags, field: "R", setup: hPut(at, with(11, 0x40)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/bool 2", want: boolean, setup: hPut(at, 2), call: hRead[bool](at)})
	add(hostileRow{name: "Ptr.Read/record bool field 2", want: boolean, field: "Ok", setup: hPut(at, with(0, 2)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/record last bool field 0x80", want: boolean, field: "No", setup: hPut(at, with(22, 0x80)...), call: hRead[fzChecked](at)})
	add(hostileRow{name: "Ptr.Read/array of bools, element 1 = 2", want: boolean, field: "B[1]", setup: hPut(at+6, 1, 2), call: hRead[fzArrays](at)})
	add(hostileRow{name: "Ptr.Read/tag = enum case without payload", want: tag, field: "Tag", setup: hPut(at, 4), call: hRead[fzVariant](at)})
	add(hostileRow{name: "Ptr.Read/tag = enum case count", want: tag, field: "Tag", setup: hPut(at, 5), call: hRead[fzVariant](at)})
	add(hostileRow{name: "Ptr.Read/tag 0xff", want: tag, field: "Tag", setup: hPut(at, 0xff), call: hRead[fzVariant](at)})
	add(hostileRow{name: "Ptr.Read/sparse u8 tag between cases", want: tag, setup: hPut(at, 2), call: hRead[fzSparse](at)})
	add(hostileRow{name: "Ptr.Read/WASI subscription tag 3", want: tag, field: "U.Tag", setup: hPut(at+8, 3), call: hRead[fzSubscription](at)})
	add(hostileRow{name: "Ptr.Read/payload enum inside tagged union", want: enum, field: "U.Clock.ID", setup: hPut(at+8, 0, 0, 0, 0, 0, 0, 0, 0, 4), call: hRead[fzSubscription](at)})
	add(hostileRow{name: "Slice.ToSlice/enums, element 2 = case count", want: enum, field: "[2]", setup: hPut(at, 0, 1, 5, 2), call: hToSlice[fzEnum](at, 4)})
	add(hostileRow{name: "Slice.ToSlice/records, element 1 bad flags", want: flags, field: "[1].F", setup: hPut(at, append(bytes.Clone(valid), with(2, 0x80)...)...), call: hToSlice[fzChecked](at, 2)})

	add(hostileRow{name: "Ptr.Write/enum = case count", want: enum, mutates: true, call: hWrite(at, fzEnum(5))})
	add(hostileRow{name: "Ptr.Write/record u16 enum = case count", want: enum, field: "E64", mutates: true, call: hWrite(at, fzChecked{E64: 300})})
	add(hostileRow{name: "Ptr.Write/flags with one unknown bit", want: flags, mutates: true, call: hWrite(at, fzChecked{Ok: true, F: 0x20})})
	add(hostileRow{name: "Ptr.Write/tag that selects no case", want: tag, mutates: true, call: hWrite(at, fzVariant{Tag: 4})})
	add(hostileRow{name: "Ptr.Write/nested tag that selects no case", want: tag, mutates: true, call: hWrite(at, fzSubscription{Userdata: 7, U: fzSubscriptionU{Tag: 3}})})
	add(hostileRow{name: "Slice.CopyFromSlice/enums, element 2 = case count", want: enum, mutates: true, call: hCopy(at, 3, []fzEnum{0, 1, 5})})
}

// utf8Rows: invalid UTF-8 for every string entry point.
func utf8Rows(add func(hostileRow)) {
	const at = 0x300
	for _, bad := range []struct{ name, s string }{
		{"overlong C0 AF", "\xc0\xaf"},
		{"surrogate ED A0 80", "\xed\xa0\x80"},
		{"truncated E2 82", "\xe2\x82"},
		{"lone continuation 80", "\x80"},
	} {
		b := []byte("a" + bad.s + "z")
		n := uint64(len(b))
		for _, op := range []struct {
			name string
			call func(addr, n uint64) func(*memory.Memory) error
		}{
			{"String.Read", hStrRead}, {"String.AsStr", hAsStr}, {"String.AsStrMut", hAsStrMut},
			{"WithStr", hWithStr}, {"WithStrMut", hWithStrMut},
		} {
			add(hostileRow{name: op.name + "/" + bad.name, want: guestptr.ErrInvalidUTF8, setup: hPut(at, b...), call: op.call(at, n)})
		}
		// The same bytes, cut short of the bad sequence, are fine.
		add(hostileRow{name: "String.Read/" + bad.name + " cut before it (control)", setup: hPut(at, b...), call: hStrRead(at, 1)})
	}
}

// lengthRows: CopyFromSlice length mismatches and huge guest lengths over
// a 64 KiB memory, with allocation checks.
func lengthRows(a hostileABI, add func(hostileRow)) {
	mm := guestptr.ErrLengthMismatch
	add(hostileRow{name: "Slice.CopyFromSlice/2 elements into 3", want: mm, mutates: true, call: hCopy(0x100, 3, []uint32{1, 2})})
	add(hostileRow{name: "Slice.CopyFromSlice/4 elements into 3", want: mm, mutates: true, call: hCopy(0x100, 3, []uint32{1, 2, 3, 4})})
	add(hostileRow{name: "Slice.CopyFromSlice/1 element into 0", want: mm, mutates: true, call: hCopy(0x100, 0, []fzRec24{{}})})

	oob, of := guestptr.ErrOutOfBounds, guestptr.ErrOverflow
	type huge struct {
		label string
		n     uint64
	}
	var hs []huge
	if a.abi == layout.Wasm32 {
		hs = []huge{{"4 GiB", 1 << 32}, {"4 GiB-1", 1<<32 - 1}}
	} else {
		hs = []huge{{"2^40", 1 << 40}, {"2^63", 1 << 63}}
	}
	for _, h := range hs {
		// Bytes: 2^32 of them at 0 end exactly at the end of the wasm32
		// address space, so that is out of bounds, not an overflow.
		add(hostileRow{name: "Slice.ToSlice/u8 x " + h.label, want: oob, allocs: true, call: hToSlice[uint8](0, h.n)})
		add(hostileRow{name: "Slice.AsSlice/u8 x " + h.label, want: oob, allocs: true, call: hAsSlice[uint8](0, h.n)})
		add(hostileRow{name: "String.Read/" + h.label + " bytes", want: oob, allocs: true, call: hStrRead(0, h.n)})
		add(hostileRow{name: "String.AsStr/" + h.label + " bytes", want: oob, allocs: true, call: hAsStr(0, h.n)})
		// Zero-size elements count one byte each, so no length makes the
		// host allocate more elements than the memory has bytes.
		add(hostileRow{name: "Slice.ToSlice/struct{} x " + h.label, want: oob, allocs: true, call: hToSlice[struct{}](0, h.n)})
		add(hostileRow{name: "Slice.AsSlice/struct{} x " + h.label, want: oob, allocs: true, call: hAsSlice[struct{}](0, h.n)})
		add(hostileRow{name: "Slice.ToSlice/fzEmpty x " + h.label, want: oob, allocs: true, call: hToSlice[fzEmpty](0, h.n)})
		wide := oob
		if a.abi == layout.Wasm32 || h.n == 1<<63 {
			wide = of // 8 or 24 bytes times the length pass the address space
		}
		add(hostileRow{name: "Slice.ToSlice/u64 x " + h.label, want: wide, allocs: true, call: hToSlice[uint64](0, h.n)})
		add(hostileRow{name: "Slice.ToSlice/rec24 x " + h.label, want: wide, allocs: true, call: hToSlice[fzRec24](0, h.n)})
		add(hostileRow{name: "Slice.ToSlice/checked records x " + h.label, want: wide, allocs: true, call: hToSlice[fzChecked](0, h.n)})
		add(hostileRow{name: "Slice.ToSlice/Ptr x " + h.label, want: wide, allocs: true, call: hToSlice[guestptr.Ptr[uint32]](0, h.n)})
	}
	if a.abi == layout.Wasm64 {
		add(hostileRow{name: "Slice.ToSlice/struct{} x 2^64-1", want: oob, allocs: true, call: hToSlice[struct{}](0, 1<<64-1)})
		add(hostileRow{name: "Slice.ToSlice/struct{} x 2^64-1 at 1", want: of, allocs: true, call: hToSlice[struct{}](1, 1<<64-1)})
	} else {
		add(hostileRow{name: "Slice.ToSlice/u8 x 4 GiB at 1", want: of, allocs: true, call: hToSlice[uint8](1, 1<<32)})
		add(hostileRow{name: "Slice.ToSlice/u64 x 2^29 (4 GiB of bytes)", want: oob, allocs: true, call: hToSlice[uint64](0, 1<<29)})
	}
	add(hostileRow{name: "Slice.ToSlice/struct{} x memory size (control)", allocs: true, call: hToSlice[struct{}](0, hostileMemSize)})
	add(hostileRow{name: "Slice.ToSlice/struct{} x memory size + 1", want: oob, allocs: true, call: hToSlice[struct{}](0, hostileMemSize+1)})
}

// borrowRows: conflicting views and accesses, double releases, and use of
// views after release.
func borrowRows(add func(hostileRow)) {
	const at, n = 0x400, 0x10
	b := guestptr.ErrBorrowed
	mut, shr := hHold(at, n, true), hHold(at, n, false)
	add(hostileRow{name: "Slice.AsSliceMut/overlaps a mutable view", want: b, setup: mut, call: hAsSliceMut[byte](at+n-1, n)})
	add(hostileRow{name: "Slice.AsSliceMut/inside a mutable view", want: b, setup: mut, call: hAsSliceMut[uint32](at+4, 2)})
	add(hostileRow{name: "Slice.AsSliceMut/adjacent to a mutable view (control)", setup: mut, call: hAsSliceMut[byte](at+n, n)})
	add(hostileRow{name: "Slice.AsSliceMut/empty inside a mutable view (control)", setup: mut, call: hAsSliceMut[byte](at+2, 0)})
	add(hostileRow{name: "Slice.AsSlice/overlaps a mutable view", want: b, setup: mut, call: hAsSlice[byte](at-4, 8)})
	add(hostileRow{name: "Slice.ToSlice/overlaps a mutable view", want: b, setup: mut, call: hToSlice[uint32](at+12, 4)})
	add(hostileRow{name: "Ptr.Read/inside a mutable view", want: b, setup: mut, call: hRead[uint32](at + 12)})
	add(hostileRow{name: "Ptr.Write/inside a mutable view", want: b, mutates: true, setup: mut, call: hWrite[uint32](at+12, 7)})
	add(hostileRow{name: "Ptr.Write/straddles a mutable view's start", want: b, mutates: true, setup: mut, call: hWrite(at-4, [2]uint32{7, 7})})
	add(hostileRow{name: "Slice.CopyFromSlice/overlaps a mutable view", want: b, mutates: true, setup: mut, call: hCopy(at+8, 4, []uint32{1, 2, 3, 4})})
	add(hostileRow{name: "String.Read/overlaps a mutable view", want: b, setup: mut, call: hStrRead(at+8, 16)})
	add(hostileRow{name: "String.AsStr/overlaps a mutable view", want: b, setup: mut, call: hAsStr(at+8, 16)})
	add(hostileRow{name: "String.AsStrMut/overlaps a mutable view", want: b, setup: mut, call: hAsStrMut(at+8, 16)})
	add(hostileRow{name: "WithSliceMut/overlaps a mutable view", want: b, setup: mut, call: hWithSliceMut[byte](at, 1)})

	add(hostileRow{name: "Slice.AsSliceMut/overlaps a shared view", want: b, setup: shr, call: hAsSliceMut[byte](at+n-1, 4)})
	add(hostileRow{name: "Ptr.Write/inside a shared view", want: b, mutates: true, setup: shr, call: hWrite[uint32](at+4, 7)})
	add(hostileRow{name: "Slice.CopyFromSlice/overlaps a shared view", want: b, mutates: true, setup: shr, call: hCopy(at-8, 4, []uint32{1, 2, 3, 4})})
	add(hostileRow{name: "String.AsStrMut/overlaps a shared view", want: b, setup: shr, call: hAsStrMut(at, 1)})
	add(hostileRow{name: "WithStrMut/overlaps a shared view", want: b, setup: shr, call: hWithStrMut(at+n-1, 1)})
	add(hostileRow{name: "Slice.AsSlice/overlaps a shared view (control)", setup: shr, call: hAsSlice[byte](at+4, n)})
	add(hostileRow{name: "Ptr.Read/inside a shared view (control)", setup: shr, call: hRead[uint64](at + 8)})

	rel := guestptr.ErrReleased
	twice := func(take func(m *memory.Memory) (func() error, error)) func(*memory.Memory) error {
		return func(m *memory.Memory) error {
			release, err := take(m)
			if err != nil {
				return fmt.Errorf("taking the view: %v", err)
			}
			if err := release(); err != nil {
				return fmt.Errorf("first Release: %v", err)
			}
			return release()
		}
	}
	add(hostileRow{name: "View.Release/twice", want: rel, call: twice(func(m *memory.Memory) (func() error, error) {
		v, err := guestptr.NewSlice[byte](m, at, n).AsSlice()
		return v.Release, err
	})})
	add(hostileRow{name: "View.Release/twice through a copy", want: rel, call: twice(func(m *memory.Memory) (func() error, error) {
		v, err := guestptr.NewSlice[byte](m, at, n).AsSlice()
		c := v
		first := true
		return func() error {
			if first {
				first = false
				return v.Release()
			}
			return c.Release()
		}, err
	})})
	add(hostileRow{name: "MutView.Release/twice", want: rel, call: twice(func(m *memory.Memory) (func() error, error) {
		v, err := guestptr.NewSlice[uint32](m, at, 4).AsSliceMut()
		return v.Release, err
	})})
	add(hostileRow{name: "StrView.Release/twice", want: rel, call: twice(func(m *memory.Memory) (func() error, error) {
		v, err := guestptr.NewString(m, at, 0).AsStr()
		return v.Release, err
	})})
	add(hostileRow{name: "MutStrView.Release/twice", want: rel, setup: hPut(at, []byte("abc")...), call: twice(func(m *memory.Memory) (func() error, error) {
		v, err := guestptr.NewString(m, at, 3).AsStrMut()
		return v.Release, err
	})})
	add(hostileRow{name: "View.Release/zero View", want: rel, call: func(*memory.Memory) error { return guestptr.View[byte]{}.Release() }})
	add(hostileRow{name: "MutView.Release/zero MutView", want: rel, call: func(*memory.Memory) error { return guestptr.MutView[byte]{}.Release() }})

	after := "expected behaviour: a released view shows nothing (nil slice, empty string); it does not fail"
	add(hostileRow{name: "View.Slice/after Release is nil", note: after, call: func(m *memory.Memory) error {
		v, err := guestptr.NewSlice[uint16](m, at, 4).AsSlice()
		if err != nil {
			return err
		}
		if err := v.Release(); err != nil {
			return err
		}
		if s := v.Slice(); s != nil {
			return fmt.Errorf("Slice() after Release = %v, want nil", s)
		}
		return nil
	}})
	add(hostileRow{name: "MutView.Slice/after Release is nil", note: after, call: func(m *memory.Memory) error {
		v, err := guestptr.NewSlice[uint16](m, at, 4).AsSliceMut()
		if err != nil {
			return err
		}
		if err := v.Release(); err != nil {
			return err
		}
		if s := v.Slice(); s != nil {
			return fmt.Errorf("Slice() after Release = %v, want nil", s)
		}
		return nil
	}})
	add(hostileRow{name: "StrView.String/after Release is empty", note: after, setup: hPut(at, []byte("abc")...), call: func(m *memory.Memory) error {
		v, err := guestptr.NewString(m, at, 3).AsStr()
		if err != nil {
			return err
		}
		if err := v.Release(); err != nil {
			return err
		}
		if s := v.String(); s != "" {
			return fmt.Errorf("String() after Release = %q, want \"\"", s)
		}
		return nil
	}})
	add(hostileRow{name: "MutStrView.Bytes/after Release is nil", note: after, setup: hPut(at, []byte("abc")...), call: func(m *memory.Memory) error {
		v, err := guestptr.NewString(m, at, 3).AsStrMut()
		if err != nil {
			return err
		}
		if err := v.Release(); err != nil {
			return err
		}
		if b, s := v.Bytes(), v.String(); b != nil || s != "" {
			return fmt.Errorf("after Release Bytes() = %v, String() = %q; want nil, \"\"", b, s)
		}
		return nil
	}})
	add(hostileRow{name: "Ptr.Write/into a released mutable view's region (control)", mutates: true, call: func(m *memory.Memory) error {
		v, err := guestptr.NewSlice[uint32](m, at, 4).AsSliceMut()
		if err != nil {
			return err
		}
		if err := v.Release(); err != nil {
			return err
		}
		return guestptr.New[uint32](m, at+4).Write(7)
	}})
}

// nestedRows: a record whose pointer fields point out of bounds reads
// fine; following a pointer fails.
func nestedRows(a hostileABI, add func(hostileRow)) {
	const at = 0x500
	far := a.end - 2 // the wasm32 address space's last two bytes
	if a.abi == layout.Wasm64 {
		far = 1<<64 - 2
	}
	setup := func(t *testing.T, m *memory.Memory) func() {
		v := fzPointers{
			P:    guestptr.New[uint32](m, 0x20000),
			S:    guestptr.NewSlice[uint16](m, hostileMemSize-0x10, 100),
			Str:  guestptr.NewString(m, hostileMemSize, 1),
			Q:    guestptr.New[fzInner](m, hostileMemSize-4),
			Self: guestptr.New[fzPointers](m, at),
		}
		if err := guestptr.New[fzPointers](m, at).Write(v); err != nil {
			t.Fatalf("setup: %v", err)
		}
		if err := guestptr.New[fzPointers](m, at+0x100).Write(fzPointers{P: guestptr.New[uint32](m, far)}); err != nil {
			t.Fatalf("setup: %v", err)
		}
		return func() {}
	}
	follow := func(addr uint64, f func(fzPointers) error) func(*memory.Memory) error {
		return func(m *memory.Memory) error {
			v, err := guestptr.New[fzPointers](m, addr).Read()
			if err != nil {
				return fmt.Errorf("reading the record: %w", err)
			}
			return f(v)
		}
	}
	oob := guestptr.ErrOutOfBounds
	add(hostileRow{name: "Ptr.Read/record with out-of-bounds pointers", setup: setup, call: hRead[fzPointers](at)})
	add(hostileRow{name: "Ptr.Read/field Ptr past memory", want: oob, setup: setup, call: follow(at, func(v fzPointers) error { _, err := v.P.Read(); return err })})
	add(hostileRow{name: "Slice.ToSlice/field Slice past memory", want: oob, setup: setup, call: follow(at, func(v fzPointers) error { _, err := v.S.ToSlice(); return err })})
	add(hostileRow{name: "String.Read/field String at memory size", want: oob, setup: setup, call: follow(at, func(v fzPointers) error { _, err := v.Str.Read(); return err })})
	add(hostileRow{name: "Ptr.Read/field Ptr to a record straddling the end", want: oob, setup: setup, call: follow(at, func(v fzPointers) error { _, err := v.Q.Read(); return err })})
	add(hostileRow{name: "Ptr.Write/through field Ptr past memory", want: oob, mutates: true, setup: setup, call: follow(at, func(v fzPointers) error { return v.P.Write(1) })})
	add(hostileRow{name: "Ptr.Read/field Ptr to itself (control)", setup: setup, call: follow(at, func(v fzPointers) error {
		w, err := v.Self.Read()
		if err == nil && (w.P.Addr() != 0x20000 || w.Self.Memory() == nil) {
			return fmt.Errorf("followed Self = %+v", w)
		}
		return err
	})})
	add(hostileRow{name: "Ptr.Read/field Ptr at the address space's end", want: guestptr.ErrOverflow, setup: setup, call: follow(at+0x100, func(v fzPointers) error { _, err := v.P.Read(); return err })})
}

// rangeRows: writes of values that do not fit their guest fields change
// nothing.
func rangeRows(a hostileABI, add func(hostileRow)) {
	const at = 0x600
	vr := guestptr.ErrValueRange
	add(hostileRow{name: "Ptr.Write/u64 field 70000 as guest u16", want: vr, field: "G", mutates: true, call: hWrite(at, fzScalars{A: 1, G: 70000})})
	add(hostileRow{name: "Ptr.Write/i32 field 200 as guest i8", want: vr, field: "H", mutates: true, call: hWrite(at, fzScalars{A: 1, H: 200})})
	add(hostileRow{name: "Ptr.Write/i32 field -129 as guest i8", want: vr, field: "H", mutates: true, call: hWrite(at, fzScalars{A: 1, H: -129})})
	add(hostileRow{name: "Ptr.Write/int field 2^40 as guest i32", want: vr, field: "I", mutates: true, call: hWrite(at, fzScalars{A: 1, I: 1 << 40})})
	add(hostileRow{name: "Ptr.Write/uintptr field 2^32 as guest u32", want: vr, field: "K", mutates: true, call: hWrite(at, fzScalars{A: 1, K: 1 << 32})})
	add(hostileRow{name: "Ptr.Write/i32 field -1 as guest u16", want: vr, field: "L", mutates: true, call: hWrite(at, fzScalars{A: 1, L: -1})})
	add(hostileRow{name: "Ptr.Write/u64 enum 70000 as guest u16", want: vr, field: "E64", mutates: true, call: hWrite(at, fzChecked{Ok: true, E64: 70000})})
	add(hostileRow{name: "Ptr.Write/array element 2^32 as guest u32", want: vr, field: "E[1]", mutates: true, call: hWrite(at, fzArrays{E: [2]uint64{1, 1 << 32}})})
	add(hostileRow{name: "Ptr.Write/i8 narrowed fields in range (control)", mutates: true, call: hWrite(at, fzScalars{A: 1, G: 65535, H: -128, I: -1 << 31, K: 1<<32 - 1, L: 65535})})
	add(hostileRow{name: "Slice.CopyFromSlice/third record out of range", want: vr, field: "[2].G", mutates: true, call: hCopy(at, 3, []fzScalars{{A: 1}, {A: 2}, {G: 1 << 16}})})

	ptrs := func(f func(m *memory.Memory) fzPointers) func(*memory.Memory) error {
		return func(m *memory.Memory) error { return guestptr.New[fzPointers](m, at).Write(f(m)) }
	}
	wantWide := vr // a wasm32 field cannot hold these
	if a.abi == layout.Wasm64 {
		wantWide = nil
	}
	add(hostileRow{name: "Ptr.Write/Ptr field address 2^32", want: wantWide, mutates: true, call: ptrs(func(m *memory.Memory) fzPointers {
		return fzPointers{N: 1, P: guestptr.New[uint32](m, 1<<32)}
	})})
	add(hostileRow{name: "Ptr.Write/Slice field length 2^32", want: wantWide, mutates: true, call: ptrs(func(m *memory.Memory) fzPointers {
		return fzPointers{N: 1, S: guestptr.NewSlice[uint16](m, 0, 1<<32)}
	})})
	add(hostileRow{name: "Ptr.Write/String field address 2^33", want: wantWide, mutates: true, call: ptrs(func(m *memory.Memory) fzPointers {
		return fzPointers{N: 1, Str: guestptr.NewString(m, 1<<33, 1)}
	})})
}

// otherRows: pointers bound to no memory, and types without views.
func otherRows(add func(hostileRow)) {
	nm := guestptr.ErrNoMemory
	add(hostileRow{name: "Ptr.Read/zero Ptr", want: nm, call: func(*memory.Memory) error { _, err := guestptr.Ptr[uint32]{}.Read(); return err }})
	add(hostileRow{name: "Ptr.Write/zero Ptr", want: nm, call: func(*memory.Memory) error { return guestptr.Ptr[uint32]{}.Write(1) }})
	add(hostileRow{name: "Ptr.Add/zero Ptr", want: nm, call: func(*memory.Memory) error { _, err := guestptr.Ptr[uint32]{}.Add(1); return err }})
	add(hostileRow{name: "Slice.ToSlice/zero Slice", want: nm, call: func(*memory.Memory) error { _, err := guestptr.Slice[uint32]{}.ToSlice(); return err }})
	add(hostileRow{name: "String.Read/zero String", want: nm, call: func(*memory.Memory) error { _, err := guestptr.String{}.Read(); return err }})
	add(hostileRow{name: "Ptr.Read/field Ptr decoded from bare bytes", want: nm, call: func(m *memory.Memory) error {
		var v fzPointers // decoded without a memory, its pointers have none
		if err := marshal.Decode(m.ABI(), m.Bytes()[0x100:], &v); err != nil {
			return fmt.Errorf("decoding: %v", err)
		}
		_, err := v.P.Read()
		return err
	}})
	add(hostileRow{name: "Slice.AsSlice/checked records", want: guestptr.ErrNotTransparent, call: hAsSlice[fzChecked](0x100, 2)})
	add(hostileRow{name: "Slice.AsSliceMut/records with padding", want: guestptr.ErrNotTransparent, call: hAsSliceMut[fzInner](0x100, 2)})
	add(hostileRow{name: "Slice.AsSlice/bools", want: guestptr.ErrNotTransparent, call: hAsSlice[bool](0x100, 2)})
}

// sharedRows: views of a shared memory are refused; copies are fine.
func sharedRows(add func(hostileRow)) {
	sh := guestptr.ErrShared
	add(hostileRow{name: "Slice.AsSlice/shared memory", want: sh, call: hAsSlice[uint32](0x100, 2)})
	add(hostileRow{name: "Slice.AsSliceMut/shared memory", want: sh, call: hAsSliceMut[uint32](0x100, 2)})
	add(hostileRow{name: "String.AsStr/shared memory", want: sh, setup: hPut(0x100, []byte("ab")...), call: hAsStr(0x100, 2)})
	add(hostileRow{name: "WithStrMut/shared memory", want: sh, setup: hPut(0x100, []byte("ab")...), call: hWithStrMut(0x100, 2)})
	add(hostileRow{name: "Slice.ToSlice/shared memory (control)", call: hToSlice[uint32](0x100, 2)})
	add(hostileRow{name: "String.Read/shared memory (control)", setup: hPut(0x100, []byte("ab")...), call: hStrRead(0x100, 2)})
}

// hostileRowCount is the number of rows the table must have: a change to
// the table changes it on purpose.
const hostileRowCount = 482

func TestHostileInputs(t *testing.T) {
	rows := hostileRows()
	seen := map[string]bool{}
	perEntry := map[string]int{}
	for _, r := range rows {
		if seen[r.name] {
			t.Fatalf("two rows are named %q", r.name)
		}
		seen[r.name] = true
		perEntry[strings.SplitN(r.name, "/", 2)[0]]++
	}
	var entries []string
	for e, n := range perEntry {
		entries = append(entries, fmt.Sprintf("%s:%d", e, n))
	}
	sort.Strings(entries)
	t.Logf("%d rows; per entry point: %s", len(rows), strings.Join(entries, " "))
	if len(rows) != hostileRowCount {
		t.Errorf("the table has %d rows, want %d", len(rows), hostileRowCount)
	}

	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			var m *memory.Memory
			switch {
			case r.shared:
				m = memory.NewShared(hostileMemSize)
			case strings.HasSuffix(r.name, "/wasm64"):
				m = memory.NewWasm64(hostileMemSize)
			default:
				m = memory.New(hostileMemSize)
			}
			for i := range m.Bytes() { // no zeros: a write of zeros must show
				m.Bytes()[i] = byte(i*7) | 0x80
			}
			cleanup := func() {}
			if r.setup != nil {
				cleanup = r.setup(t, m)
			}
			before := bytes.Clone(m.Bytes())

			err := r.call(m)
			hostileCheckErr(t, r, err)
			if r.note != "" {
				t.Log(r.note)
			}
			if !(r.mutates && r.want == nil) {
				if !bytes.Equal(before, m.Bytes()) { // cmp.Diff only to show it: it is slow on 64 KiB
					d := cmp.Diff(before, m.Bytes())
					t.Errorf("memory changed (-before +after):\n%s", d)
				}
			}
			if r.allocs {
				hostileCheckAllocs(t, r, m)
			}
			cleanup()
			if n := m.Borrows().Held(); n != 0 {
				t.Errorf("%d borrows still held after the row", n)
			}
		})
	}
}

func hostileCheckErr(t *testing.T, r hostileRow, err error) {
	t.Helper()
	if r.want == nil {
		if err != nil {
			t.Fatalf("got error %v, want success", err)
		}
		return
	}
	if !errors.Is(err, r.want) {
		t.Fatalf("got error %v, want %v", err, r.want)
	}
	if r.plain {
		return
	}
	var e *guestptr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *guestptr.Error", err, err)
	}
	var matched []error
	for _, s := range fzSentinels {
		if errors.Is(err, s) {
			matched = append(matched, s)
		}
	}
	if len(matched) != 1 {
		t.Fatalf("error %v matches %d sentinels", err, len(matched))
	}
	if r.field != "" && e.Field.String() != r.field {
		t.Errorf("error %v names field %q, want %q", err, e.Field, r.field)
	}
	if e.Op == "" || e.Type == nil {
		t.Errorf("error %#v lacks Op or Type", e)
	}
}

// hostileMaxAllocs is the most objects a refused call may allocate: the
// *Error, its cause and their text.
const hostileMaxAllocs = 16

// hostileCheckAllocs measures the call's allocations a few times and keeps
// the least: what the call itself costs, without the noise of sync.Pool
// refills (which the race detector makes frequent). A call that allocated
// in proportion to the guest length would cost gigabytes every time.
func hostileCheckAllocs(t *testing.T, r hostileRow, m *memory.Memory) {
	t.Helper()
	allocs, grew := math.Inf(1), uint64(math.MaxUint64)
	for range 5 {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		n := testing.AllocsPerRun(1, func() { _ = r.call(m) }) // two calls
		runtime.ReadMemStats(&ms1)
		allocs, grew = min(allocs, n), min(grew, ms1.TotalAlloc-ms0.TotalAlloc)
	}
	t.Logf("%.0f allocations a call; %d bytes over 2 calls", allocs, grew)
	if allocs > hostileMaxAllocs {
		t.Errorf("%.0f allocations a call, want at most %d", allocs, hostileMaxAllocs)
	}
	if grew >= 1<<20 {
		t.Errorf("2 calls allocated %d bytes, want under 1 MiB", grew)
	}
}
