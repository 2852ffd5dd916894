package hellohost

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/guestptr/deep"
	"github.com/guestkit/guestkit/layout"
)

// cAsserts returns every `_Static_assert(EXPR == N, ...)` of guest/hello.h
// as EXPR -> N.
func cAsserts(t *testing.T) map[string]uint64 {
	t.Helper()
	src, err := os.ReadFile("../guest/hello.h")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`_Static_assert\((.+) == (\d+),`)
	m := map[string]uint64{}
	for _, match := range re.FindAllStringSubmatch(string(src), -1) {
		n, err := strconv.ParseUint(match[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		m[match[1]] = n
	}
	if len(m) < 40 {
		t.Fatalf("found only %d _Static_asserts in hello.h", len(m))
	}
	return m
}

// goStructs maps each C struct to its Go type's layout and each C field
// path to the Go field path. A ".len" step is the length half of a
// (pointer, length) field.
var goStructs = map[string]struct {
	layout func(layout.ABI) (*layout.Layout, error)
	fields map[string]string
}{
	"point": {layout.For[Point], map[string]string{"x": "X", "y": "Y"}},
	"item": {layout.For[Item], map[string]string{
		"id": "ID", "color": "Color", "count": "Count", "weight": "Weight"}},
	"shape": {layout.For[Shape], map[string]string{
		"kind": "Kind", "u": "Circle", "u.circle.radius": "Circle.Radius",
		"u.rect.min": "Rect.Min", "u.rect.max": "Rect.Max"}},
	"request": {layout.For[Request], map[string]string{
		"version": "Version", "owner": "Owner", "name": "Name", "name_len": "Name.len",
		"color": "Color", "perms": "Perms", "shape": "Shape", "items": "Items",
		"items_len": "Items.len", "urgent": "Urgent"}},
	"reply": {layout.For[Reply], map[string]string{
		"status": "Status", "color_echo": "ColorEcho", "perms_granted": "PermsGranted",
		"checksum": "Checksum", "total_weight": "TotalWeight", "items_seen": "ItemsSeen",
		"greeting": "Greeting", "greeting_cap": "Greeting.len", "greeting_len": "GreetingLen"}},
	// Record and Replies are native types: their layouts are deep's mirrors.
	"record": {deepLayout[Record], map[string]string{"name": "Name", "name_len": "Name.len", "value": "Value"}},
	"replies": {deepLayout[Replies], map[string]string{
		"message": "Message", "message_len": "Message.len", "records": "Records", "records_len": "Records.len",
		"motto": "Motto", "motto_cap": "Motto.len", "motto_len": "MottoLen"}},
}

// deepLayout is the guest layout package deep gives the native type T.
func deepLayout[T any](abi layout.ABI) (*layout.Layout, error) {
	c, err := deep.For[T](abi)
	if err != nil {
		return nil, err
	}
	return c.Layout(), nil
}

// offsetOf walks a Go field path from l and returns its offset.
func offsetOf(t *testing.T, l *layout.Layout, path string) uint64 {
	t.Helper()
	var off uint64
	for _, step := range strings.Split(path, ".") {
		if step == "len" && l.Kind == layout.Span {
			off += l.ABI.PointerSize()
			continue
		}
		found := false
		for _, f := range l.Fields {
			if f.Name == step {
				off += f.Offset
				l, found = f.Layout, true
				break
			}
		}
		if !found {
			t.Fatalf("%s has no field %s", l.Type, step)
		}
	}
	return off
}

// unionSize is the size of a tagged union's payload: its largest case,
// rounded up to the cases' alignment.
func unionSize(l *layout.Layout) uint64 {
	var size, align uint64 = 0, 1
	for _, f := range l.Fields {
		if f.IsCase {
			size, align = max(size, f.Layout.Size), max(align, f.Layout.Align)
		}
	}
	return (size + align - 1) &^ (align - 1)
}

// TestLayoutMatchesC checks the Go types against every _Static_assert of
// guest/hello.h: each size, alignment and offset the C compiler pins is the
// one layout.For computes, and no assert goes unchecked. It needs no C
// compiler; where clang is installed, TestLayoutMatchesGuestDWARF
// (dwarf_test.go) checks the same types against what clang itself laid
// out, with no hand-copied numbers or field maps.
func TestLayoutMatchesC(t *testing.T) {
	want := cAsserts(t)
	ptr, err := layout.For[guestptr.Ptr[Item]](layout.Wasm32)
	if err != nil {
		t.Fatal(err)
	}
	boolean, err := layout.For[bool](layout.Wasm32)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{"sizeof(void *)": ptr.Size, "sizeof(_Bool)": boolean.Size}
	for cname, s := range goStructs {
		l, err := s.layout(layout.Wasm32)
		if err != nil {
			t.Fatal(err)
		}
		got["sizeof(struct "+cname+")"] = l.Size
		got["_Alignof(struct "+cname+")"] = l.Align
		for cfield, gofield := range s.fields {
			got["offsetof(struct "+cname+", "+cfield+")"] = offsetOf(t, l, gofield)
		}
		if cname == "shape" {
			got["sizeof(((struct shape *)0)->u)"] = unionSize(l)
			// Every case shares the one payload offset of C's union.
			for _, f := range l.Fields {
				if f.IsCase && f.Offset != want["offsetof(struct shape, u)"] {
					t.Errorf("Shape.%s at offset %d, C's union is at %d", f.Name, f.Offset, want["offsetof(struct shape, u)"])
				}
			}
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("%s", l)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Go layouts differ from hello.h's _Static_asserts (-C +Go):\n%s", diff)
	}
}
