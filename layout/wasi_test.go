package layout_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

// WASI preview1 types, declared the way a host would declare them. Enum and
// flags widths and counts are those of preview1 (witx 0.9 docs.md).
type (
	wasiFiletype      uint8  // enum, 8 cases
	wasiFdflags       uint16 // flags, 5 bits
	wasiRights        uint64 // flags, 30 bits
	wasiErrno         uint16 // enum, 77 cases
	wasiEventtype     uint8  // enum, 3 cases
	wasiEventrwflags  uint16 // flags, 1 bit
	wasiClockid       uint32 // enum, 4 cases
	wasiSubclockflags uint16 // flags, 1 bit
	wasiPreopentype   uint8  // enum, 1 case
)

func (wasiFiletype) GuestEnumCases() uint64     { return 8 }
func (wasiFdflags) GuestFlagsMask() uint64      { return 0x1f }
func (wasiRights) GuestFlagsMask() uint64       { return 1<<30 - 1 }
func (wasiErrno) GuestEnumCases() uint64        { return 77 }
func (wasiEventtype) GuestEnumCases() uint64    { return 3 }
func (wasiEventrwflags) GuestFlagsMask() uint64 { return 1 }
func (wasiClockid) GuestEnumCases() uint64      { return 4 }
func (wasiSubclockflags) GuestFlagsMask() uint64 {
	return 1
}
func (wasiPreopentype) GuestEnumCases() uint64 { return 1 }

type wasiIovec struct {
	Buf    gptr[byte]
	BufLen uint32
}

type wasiCiovec struct {
	Buf    gptr[byte]
	BufLen uint32
}

type wasiDirent struct {
	DNext   uint64
	DIno    uint64
	DNamlen uint32
	DType   wasiFiletype
}

type wasiFdstat struct {
	FsFiletype         wasiFiletype
	FsFlags            wasiFdflags
	FsRightsBase       wasiRights
	FsRightsInheriting wasiRights
}

type wasiFilestat struct {
	Dev      uint64
	Ino      uint64
	Filetype wasiFiletype
	Nlink    uint64
	Size     uint64
	Atim     uint64
	Mtim     uint64
	Ctim     uint64
}

type wasiEventFdReadwrite struct {
	Nbytes uint64
	Flags  wasiEventrwflags
}

type wasiEvent struct {
	Userdata    uint64
	Error       wasiErrno
	Type        wasiEventtype
	FdReadwrite wasiEventFdReadwrite
}

type wasiSubscriptionClock struct {
	ID        wasiClockid
	Timeout   uint64
	Precision uint64
	Flags     wasiSubclockflags
}

type wasiSubscriptionFdReadwrite struct {
	FileDescriptor uint32
}

type wasiSubscriptionU struct {
	Tag     wasiEventtype               `guest:",tag"`
	Clock   wasiSubscriptionClock       `guest:",case=0"`
	FdRead  wasiSubscriptionFdReadwrite `guest:",case=1"`
	FdWrite wasiSubscriptionFdReadwrite `guest:",case=2"`
}

type wasiSubscription struct {
	Userdata uint64
	U        wasiSubscriptionU
}

type wasiPrestatDir struct {
	PrNameLen uint32
}

type wasiPrestat struct {
	Tag wasiPreopentype `guest:",tag"`
	Dir wasiPrestatDir  `guest:",case=0"`
}

// TestWASIPreview1 checks every preview1 struct against the sizes,
// alignments and offsets of wasi-libc's api.h static asserts (wasm32).
func TestWASIPreview1(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want shape
	}{
		{reflect.TypeFor[wasiIovec](), shape{layout.Struct, 8, 4, []string{"Buf@0", "BufLen@4"}}},
		{reflect.TypeFor[wasiCiovec](), shape{layout.Struct, 8, 4, []string{"Buf@0", "BufLen@4"}}},
		{reflect.TypeFor[wasiDirent](), shape{layout.Struct, 24, 8, []string{"DNext@0", "DIno@8", "DNamlen@16", "DType@20"}}},
		{reflect.TypeFor[wasiFdstat](), shape{layout.Struct, 24, 8, []string{"FsFiletype@0", "FsFlags@2", "FsRightsBase@8", "FsRightsInheriting@16"}}},
		{reflect.TypeFor[wasiFilestat](), shape{layout.Struct, 64, 8, []string{"Dev@0", "Ino@8", "Filetype@16", "Nlink@24", "Size@32", "Atim@40", "Mtim@48", "Ctim@56"}}},
		{reflect.TypeFor[wasiEventFdReadwrite](), shape{layout.Struct, 16, 8, []string{"Nbytes@0", "Flags@8"}}},
		{reflect.TypeFor[wasiEvent](), shape{layout.Struct, 32, 8, []string{"Userdata@0", "Error@8", "Type@10", "FdReadwrite@16"}}},
		{reflect.TypeFor[wasiSubscriptionClock](), shape{layout.Struct, 32, 8, []string{"ID@0", "Timeout@8", "Precision@16", "Flags@24"}}},
		{reflect.TypeFor[wasiSubscriptionFdReadwrite](), shape{layout.Struct, 4, 4, []string{"FileDescriptor@0"}}},
		{reflect.TypeFor[wasiSubscriptionU](), shape{layout.Variant, 40, 8, []string{"Tag@0 tag", "Clock@8 case=0", "FdRead@8 case=1", "FdWrite@8 case=2"}}},
		{reflect.TypeFor[wasiSubscription](), shape{layout.Struct, 48, 8, []string{"Userdata@0", "U@8"}}},
		{reflect.TypeFor[wasiPrestat](), shape{layout.Variant, 8, 4, []string{"Tag@0 tag", "Dir@4 case=0"}}},
		{reflect.TypeFor[wasiPrestatDir](), shape{layout.Struct, 4, 4, []string{"PrNameLen@0"}}},
	}
	for _, tc := range tests {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			checkShape(t, tc.typ, layout.Wasm32, tc.want)
		})
	}
}

// TestWASIChecks checks the validation attached to enum, flags and pointer
// fields, and the guest type of each field.
func TestWASIChecks(t *testing.T) {
	type fieldCheck struct {
		Check layout.Check
		Guest string
		Size  uint64
	}
	tests := []struct {
		typ  reflect.Type
		want map[string]fieldCheck
	}{
		{reflect.TypeFor[wasiFdstat](), map[string]fieldCheck{
			"FsFiletype":         {layout.Check{Kind: layout.CheckEnum, Cases: 8}, "u8 enum(8)", 1},
			"FsFlags":            {layout.Check{Kind: layout.CheckFlags, Mask: 0x1f}, "u16 flags(0x1f)", 2},
			"FsRightsBase":       {layout.Check{Kind: layout.CheckFlags, Mask: 0x3fffffff}, "u64 flags(0x3fffffff)", 8},
			"FsRightsInheriting": {layout.Check{Kind: layout.CheckFlags, Mask: 0x3fffffff}, "u64 flags(0x3fffffff)", 8},
		}},
		{reflect.TypeFor[wasiEvent](), map[string]fieldCheck{
			"Userdata":    {layout.Check{}, "u64", 8},
			"Error":       {layout.Check{Kind: layout.CheckEnum, Cases: 77}, "u16 enum(77)", 2},
			"Type":        {layout.Check{Kind: layout.CheckEnum, Cases: 3}, "u8 enum(3)", 1},
			"FdReadwrite": {layout.Check{}, "struct", 16},
		}},
		{reflect.TypeFor[wasiEventFdReadwrite](), map[string]fieldCheck{
			"Nbytes": {layout.Check{}, "u64", 8},
			"Flags":  {layout.Check{Kind: layout.CheckFlags, Mask: 1}, "u16 flags(0x1)", 2},
		}},
		{reflect.TypeFor[wasiSubscriptionClock](), map[string]fieldCheck{
			"ID":        {layout.Check{Kind: layout.CheckEnum, Cases: 4}, "u32 enum(4)", 4},
			"Timeout":   {layout.Check{}, "u64", 8},
			"Precision": {layout.Check{}, "u64", 8},
			"Flags":     {layout.Check{Kind: layout.CheckFlags, Mask: 1}, "u16 flags(0x1)", 2},
		}},
		{reflect.TypeFor[wasiPrestat](), map[string]fieldCheck{
			"Tag": {layout.Check{Kind: layout.CheckEnum, Cases: 1}, "u8 enum(1)", 1},
			"Dir": {layout.Check{}, "struct", 4},
		}},
		{reflect.TypeFor[wasiIovec](), map[string]fieldCheck{
			"Buf":    {layout.Check{}, "ptr<uint8>", 4},
			"BufLen": {layout.Check{}, "u32", 4},
		}},
		{reflect.TypeFor[wasiSubscriptionU](), map[string]fieldCheck{
			"Tag":     {layout.Check{Kind: layout.CheckEnum, Cases: 3}, "u8 enum(3)", 1},
			"Clock":   {layout.Check{}, "struct", 32},
			"FdRead":  {layout.Check{}, "struct", 4},
			"FdWrite": {layout.Check{}, "struct", 4},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			l := mustOf(t, tc.typ, layout.Wasm32)
			got := map[string]fieldCheck{}
			for _, f := range l.Fields {
				got[f.Name] = fieldCheck{f.Layout.Check, f.Layout.GuestType(), f.Layout.Size}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("field checks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWASIPointers checks the pointer fields: kind, pointee and the width
// on each ABI.
func TestWASIPointers(t *testing.T) {
	type ptrShape struct {
		Kind        layout.Kind
		Size, Align uint64
		Pointee     reflect.Type
		Transparent bool
	}
	tests := []struct {
		abi     layout.ABI
		want    ptrShape
		wantVec shape
	}{
		{layout.Wasm32, ptrShape{layout.Pointer, 4, 4, reflect.TypeFor[byte](), false}, shape{layout.Struct, 8, 4, []string{"Buf@0", "BufLen@4"}}},
		// wasm64: an 8-byte pointer, then the u32 at 8, rounded up to 16.
		{layout.Wasm64, ptrShape{layout.Pointer, 8, 8, reflect.TypeFor[byte](), false}, shape{layout.Struct, 16, 8, []string{"Buf@0", "BufLen@8"}}},
	}
	for _, tc := range tests {
		t.Run(tc.abi.String(), func(t *testing.T) {
			l := mustOf(t, reflect.TypeFor[gptr[byte]](), tc.abi)
			got := ptrShape{l.Kind, l.Size, l.Align, l.Pointee, l.Transparent}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b reflect.Type) bool { return a == b })); diff != "" {
				t.Errorf("gptr[byte] (-want +got):\n%s", diff)
			}
			checkShape(t, reflect.TypeFor[wasiIovec](), tc.abi, tc.wantVec)
		})
	}
}
