package dwarflayout_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// The Go declarations of testdata/guest.c's types, as a host would write
// them: names by the godefs rule, a tagged union for shape_t.

type Point struct{ X, Y int32 }

type Item struct {
	ID     uint32
	Color  uint8
	Count  uint16
	Weight float64
}

type Shape_t struct {
	Kind   uint8                    `guest:",tag"`
	Circle struct{ Radius float32 } `guest:",case=0"`
	Rect   struct{ Min, Max Point } `guest:",case=1"`
	Empty  struct{}                 `guest:",case=2"` // no C member: allowed, it is empty
}

type Packed struct {
	_ struct{} `guest:",packed"`
	A uint8
	B uint32
}

type Request struct {
	Version uint32
	Owner   guestptr.Ptr[Item]
	Name    guestptr.String // name and name_len
	Grid    [2][3]int16
	Shape   Shape_t
	P       Packed
	Big     int64 `guest:",align=16"`
	Urgent  bool
}

type Color uint32

func open(t *testing.T, name string) *dwarflayout.Guest {
	t.Helper()
	g, err := dwarflayout.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var guestTypes = []reflect.Type{
	reflect.TypeFor[Point](), reflect.TypeFor[Item](), reflect.TypeFor[Shape_t](),
	reflect.TypeFor[Packed](), reflect.TypeFor[Request](), reflect.TypeFor[Color](),
}

// TestCheckAgrees checks the Go types against clang's DWARF on both
// widths: every row agrees, and the pointer rows are 4 and 8 bytes.
func TestCheckAgrees(t *testing.T) {
	for _, tc := range []struct {
		file string
		abi  layout.ABI
	}{{"guest.wasm", layout.Wasm32}, {"guest64.wasm", layout.Wasm64}} {
		g := open(t, tc.file)
		if abi, err := g.ABI(); err != nil || abi != tc.abi {
			t.Fatalf("%s: ABI %v, %v; want %v", tc.file, abi, err, tc.abi)
		}
		reports, err := g.Check(guestTypes, dwarflayout.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(reports) != len(guestTypes) {
			t.Fatalf("%s: %d reports for %d types", tc.file, len(reports), len(guestTypes))
		}
		for _, r := range reports {
			if !r.OK() {
				t.Errorf("%s:\n%s", tc.file, r)
			}
			if r.Go.Type == reflect.TypeFor[Request]() {
				var widths []uint64
				for _, row := range r.Rows {
					if strings.HasPrefix(row.GoType, "ptr") {
						widths = append(widths, row.GoSize, row.CSize)
					}
				}
				p := tc.abi.PointerSize()
				if diff := cmp.Diff([]uint64{p, p, p, p}, widths); diff != "" {
					t.Errorf("%s: pointer widths (-want +got):\n%s", tc.file, diff)
				}
			}
		}
	}
}

// ItemBadCount puts Count at 8 where C has it at 6.
type ItemBadCount struct {
	ID     uint32
	Color  uint8
	Count  uint16 `guest:",offset=8"`
	Weight float64
}

// TestWrongOffset shows a wrong field offset reported with the field's
// name, both offsets and both sizes.
func TestWrongOffset(t *testing.T) {
	g := open(t, "guest.wasm")
	reports, err := g.Check([]reflect.Type{reflect.TypeFor[ItemBadCount]()}, dwarflayout.Options{Names: map[string]string{"ItemBadCount": "struct item"}})
	if err != nil {
		t.Fatal(err)
	}
	r := reports[0]
	var bad []dwarflayout.Row
	for _, row := range r.Rows {
		if row.Problem != "" {
			bad = append(bad, row)
		}
	}
	want := []dwarflayout.Row{
		{Depth: 1, HasGo: true, HasC: true, GoName: "Count", GoOffset: 8, GoSize: 2, GoType: "u16", CName: "count", COffset: 6, CSize: 2, CType: "uint16_t", Problem: "offset 8 != 6"},
		{Depth: 1, HasGo: true, HasC: true, GoName: "Weight", GoOffset: 16, GoSize: 8, GoType: "f64", CName: "weight", COffset: 8, CSize: 8, CType: "double", Problem: "offset 16 != 8"},
		{HasGo: true, HasC: true, GoName: "dwarflayout_test.ItemBadCount", GoSize: 24, GoType: "struct", CName: "struct item", CSize: 16, CType: "struct item", Problem: "size 24 != 16"},
	}
	// The top row comes first in the report; compare as a set in order.
	want = append(want[2:], want[:2]...)
	if diff := cmp.Diff(want, bad); diff != "" {
		t.Errorf("mismatched rows (-want +got):\n%s\n%s", diff, r)
	}
	if r.Mismatches != 3 || r.OK() {
		t.Errorf("Mismatches = %d, OK = %v; want 3, false", r.Mismatches, r.OK())
	}
	table := r.String()
	for _, s := range []string{"3 mismatches", "Count", "count", "<- offset 8 != 6"} {
		if !strings.Contains(table, s) {
			t.Errorf("table lacks %q:\n%s", s, table)
		}
	}
}

// TestWrongWidth checks a wasm32 declaration against the wasm64 guest:
// every pointer is a mismatch.
func TestWrongWidth(t *testing.T) {
	g := open(t, "guest64.wasm")
	c, err := g.Match("Request", dwarflayout.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.For[Request](layout.Wasm32)
	if err != nil {
		t.Fatal(err)
	}
	r := dwarflayout.Compare(l, c)
	var got []string
	for _, row := range r.Rows {
		if row.GoName == "Owner" || strings.HasPrefix(row.GoName, "Name") {
			got = append(got, row.GoName+": "+row.Problem)
		}
	}
	want := []string{"Owner: offset 4 != 8; size 4 != 8", "Name (pointer): offset 8 != 16; size 4 != 8", "Name (length): offset 12 != 24; size 4 != 8"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pointer rows (-want +got):\n%s\n%s", diff, r)
	}
}

// TestKindMismatch pairs fields of the right size and the wrong kind.
func TestKindMismatch(t *testing.T) {
	type Point struct {
		X float32
		Y guestptr.Ptr[byte]
	}
	g := open(t, "guest.wasm")
	reports, err := g.Check([]reflect.Type{reflect.TypeFor[Point]()}, dwarflayout.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range reports[0].Rows {
		got = append(got, row.Problem)
	}
	if diff := cmp.Diff([]string{"", "Go float, guest integer", "Go pointer, guest integer"}, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestMatchErrors checks that unknown and unmatched names are errors that
// say what to do.
func TestMatchErrors(t *testing.T) {
	g := open(t, "guest.wasm")
	type Nothing struct{ A uint8 }
	_, err := g.Check([]reflect.Type{reflect.TypeFor[Nothing]()}, dwarflayout.Options{})
	if err == nil || !strings.Contains(err.Error(), "Options.Names") {
		t.Errorf("unmatched type: err = %v", err)
	}
	if _, err := g.Lookup("struct nothing"); err == nil {
		t.Error("Lookup of a missing type succeeded")
	}
	if _, err := g.Check([]reflect.Type{reflect.TypeFor[Item]()}, dwarflayout.Options{Names: map[string]string{"Item": "struct nope"}}); err == nil {
		t.Error("a mapping to a missing type succeeded")
	}
}

func TestGoName(t *testing.T) {
	for _, tc := range []struct {
		c    string
		trim []string
		want string
	}{
		{"point_t", nil, "Point_t"},
		{"x", nil, "X"},
		{"__wasi_fdstat_t", nil, "X__wasi_fdstat_t"},
		{"__wasi_fdstat_t", []string{"__wasi_"}, "Fdstat_t"},
		{"Already", nil, "Already"},
		{"_b0", nil, "X_b0"},
	} {
		if got := dwarflayout.GoName(tc.c, tc.trim...); got != tc.want {
			t.Errorf("GoName(%q, %q) = %q, want %q", tc.c, tc.trim, got, tc.want)
		}
	}
}
