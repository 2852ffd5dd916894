package wasihost

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

// TestLayouts pins the wasm32 layout of every preview1 type the host uses
// to wasi-libc's (the static asserts of wasi/api.h, as listed in
// shared/reference/layout-rules.md): a tag that moves a field fails here
// even where no guest would notice.
func TestLayouts(t *testing.T) {
	for _, tc := range []struct {
		typ          reflect.Type
		size, align  uint64
		fieldOffsets []string
	}{
		{reflect.TypeFor[Ciovec](), 8, 4, []string{"Buf@0"}},
		{reflect.TypeFor[Iovec](), 8, 4, []string{"Buf@0"}},
		{reflect.TypeFor[Fdstat](), 24, 8, []string{"FsFiletype@0", "FsFlags@2", "FsRightsBase@8", "FsRightsInheriting@16"}},
		{reflect.TypeFor[PrestatDir](), 4, 4, []string{"PrNameLen@0"}},
		{reflect.TypeFor[Prestat](), 8, 4, []string{"Tag@0", "Dir@4"}},
		{reflect.TypeFor[SubscriptionClock](), 32, 8, []string{"ID@0", "Timeout@8", "Precision@16", "Flags@24"}},
		{reflect.TypeFor[SubscriptionFdReadwrite](), 4, 4, []string{"FD@0"}},
		{reflect.TypeFor[SubscriptionU](), 40, 8, []string{"Tag@0", "Clock@8", "FdRead@8", "FdWrite@8"}},
		{reflect.TypeFor[Subscription](), 48, 8, []string{"Userdata@0", "U@8"}},
		{reflect.TypeFor[EventFdReadwrite](), 16, 8, []string{"Nbytes@0", "Flags@8"}},
		{reflect.TypeFor[Event](), 32, 8, []string{"Userdata@0", "Error@8", "Type@10", "FdReadwrite@16"}},
	} {
		l, err := layout.Of(tc.typ, layout.Wasm32)
		if err != nil {
			t.Errorf("%v: %v", tc.typ, err)
			continue
		}
		var got []string
		for _, f := range l.Fields {
			got = append(got, fmt.Sprintf("%s@%d", f.Name, f.Offset))
		}
		if l.Size != tc.size || l.Align != tc.align {
			t.Errorf("%v: size %d align %d, want %d %d", tc.typ, l.Size, l.Align, tc.size, tc.align)
		}
		if diff := cmp.Diff(tc.fieldOffsets, got); diff != "" {
			t.Errorf("%v fields (-want +got):\n%s", tc.typ, diff)
		}
	}
	for _, tc := range []struct {
		typ   reflect.Type
		check layout.Check
	}{
		{reflect.TypeFor[Errno](), layout.Check{Kind: layout.CheckEnum, Cases: 77}},
		{reflect.TypeFor[Clockid](), layout.Check{Kind: layout.CheckEnum, Cases: 4}},
		{reflect.TypeFor[Whence](), layout.Check{Kind: layout.CheckEnum, Cases: 3}},
		{reflect.TypeFor[Filetype](), layout.Check{Kind: layout.CheckEnum, Cases: 8}},
		{reflect.TypeFor[Eventtype](), layout.Check{Kind: layout.CheckEnum, Cases: 3}},
		{reflect.TypeFor[Preopentype](), layout.Check{Kind: layout.CheckEnum, Cases: 1}},
		{reflect.TypeFor[Fdflags](), layout.Check{Kind: layout.CheckFlags, Mask: 0x1f}},
		{reflect.TypeFor[Rights](), layout.Check{Kind: layout.CheckFlags, Mask: 0x3fffffff}},
		{reflect.TypeFor[Subclockflags](), layout.Check{Kind: layout.CheckFlags, Mask: 1}},
		{reflect.TypeFor[Eventrwflags](), layout.Check{Kind: layout.CheckFlags, Mask: 1}},
	} {
		l, err := layout.Of(tc.typ, layout.Wasm32)
		if err != nil {
			t.Errorf("%v: %v", tc.typ, err)
		} else if l.Check != tc.check {
			t.Errorf("%v: check %+v, want %+v", tc.typ, l.Check, tc.check)
		}
	}
	if RightSockAccept != 1<<29 {
		t.Errorf("RightSockAccept = %#x, want bit 29", RightSockAccept)
	}
	if err := checkTypes(); err != nil {
		t.Error(err)
	}
}
