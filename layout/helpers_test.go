package layout_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

// gptr is a test-local guest pointer to T: 4 bytes on wasm32, 8 on wasm64.
// Its Go form does not matter to layout.
type gptr[T any] struct{ _ [8]byte }

func (gptr[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T]()}
}

// gspan is a test-local guest (pointer, length) pair of T elements: a
// canonical list<T>, or a string when T is byte.
type gspan[T any] struct{ _ [16]byte }

func (gspan[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T](), WithLen: true}
}

// shape is what the tests compare: kind, size, alignment and every direct
// field as "Name@Offset", with " tag" or " case=K" for tagged unions.
type shape struct {
	Kind   layout.Kind
	Size   uint64
	Align  uint64
	Fields []string
}

func shapeOf(l *layout.Layout) shape {
	s := shape{Kind: l.Kind, Size: l.Size, Align: l.Align}
	for _, f := range l.Fields {
		e := fmt.Sprintf("%s@%d", f.Name, f.Offset)
		switch {
		case f.Tag:
			e += " tag"
		case f.IsCase:
			e += fmt.Sprintf(" case=%d", f.Case)
		}
		s.Fields = append(s.Fields, e)
	}
	return s
}

// of calls layout.Of and turns a panic into a test failure that names the
// type, so one bad type does not hide the rest.
func of(t testing.TB, typ reflect.Type, abi layout.ABI) (l *layout.Layout, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("layout.Of(%v, %v) panicked: %v", typ, abi, r)
		}
	}()
	return layout.Of(typ, abi)
}

// mustOf returns the layout of typ or fails the test.
func mustOf(t testing.TB, typ reflect.Type, abi layout.ABI) *layout.Layout {
	t.Helper()
	l, err := of(t, typ, abi)
	if err != nil {
		t.Fatalf("layout.Of(%v, %v): %v", typ, abi, err)
	}
	if l == nil {
		t.Fatalf("layout.Of(%v, %v) returned a nil layout and no error", typ, abi)
	}
	return l
}

// checkShape compares the layout of typ under abi with want.
func checkShape(t *testing.T, typ reflect.Type, abi layout.ABI, want shape) {
	t.Helper()
	l := mustOf(t, typ, abi)
	if diff := cmp.Diff(want, shapeOf(l)); diff != "" {
		t.Errorf("%v on %v: shape mismatch (-want +got):\n%s", typ, abi, diff)
	}
	if l.Type != typ || l.ABI != abi {
		t.Errorf("%v on %v: layout has Type %v, ABI %v", typ, abi, l.Type, l.ABI)
	}
}

// wantError asserts that typ has no layout under abi, that the error is a
// *layout.Error for typ at path, whose reason contains reason, and that
// Error() names the type and the path.
func wantError(t *testing.T, typ reflect.Type, abi layout.ABI, path, reason string) {
	t.Helper()
	l, err := of(t, typ, abi)
	if err == nil {
		t.Fatalf("layout.Of(%v, %v) = %v, want an error at %q", typ, abi, l, path)
	}
	if l != nil {
		t.Errorf("layout.Of(%v, %v) returned a layout along with error %v", typ, abi, err)
	}
	var le *layout.Error
	if !errors.As(err, &le) {
		t.Fatalf("layout.Of(%v): error %T %v is not a *layout.Error", typ, err, err)
	}
	got := struct{ Type, Path string }{fmt.Sprint(le.Type), le.Path.String()}
	want := struct{ Type, Path string }{typ.String(), path}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layout.Of(%v) error %q: (-want +got):\n%s", typ, err, diff)
	}
	if !strings.Contains(le.Reason, reason) {
		t.Errorf("layout.Of(%v) reason %q, want it to contain %q", typ, le.Reason, reason)
	}
	prefix := "layout: " + typ.String()
	if path != "" {
		prefix += "." + path
	}
	if msg := err.Error(); !strings.HasPrefix(msg, prefix+": ") {
		t.Errorf("Error() = %q, want the prefix %q", msg, prefix+": ")
	}
}
