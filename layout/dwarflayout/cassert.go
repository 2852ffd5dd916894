package dwarflayout

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// asserts writes the _Static_asserts of a named type under abi.
func asserts(b *strings.Builder, t reflect.Type, name string, abi layout.ABI) error {
	l, err := layout.Of(t, abi)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "_Static_assert(sizeof(%s) == %d, \"%s size\");\n", name, l.Size, name)
	fmt.Fprintf(b, "_Static_assert(_Alignof(%s) == %d, \"%s align\");\n", name, l.Align, name)
	var paths []string
	offsets := map[string]uint64{}
	memberPaths(l, "", 0, offsets, &paths, 0)
	sort.SliceStable(paths, func(i, j int) bool { return offsets[paths[i]] < offsets[paths[j]] })
	for _, p := range paths {
		fmt.Fprintf(b, "_Static_assert(offsetof(%s, %s) == %d, \"%s.%s\");\n", name, p, offsets[p], name, p)
	}
	return nil
}

// memberPaths lists the C member path and offset of every field of l,
// nested ones included.
func memberPaths(l *layout.Layout, prefix string, base uint64, out map[string]uint64, order *[]string, depth int) {
	if depth > 16 || (l.Kind != layout.Struct && l.Kind != layout.Union && l.Kind != layout.Variant) {
		return
	}
	for _, f := range l.Fields {
		name := f.Name
		if f.Blank {
			name = fmt.Sprintf("_blank%d", f.Index)
		}
		if f.IsCase {
			name = "u." + name
		}
		p := prefix + name
		out[p] = base + f.Offset
		*order = append(*order, p)
		if f.Layout.Kind == layout.Span {
			out[p+"_len"] = base + f.Offset + l.ABI.PointerSize()
			*order = append(*order, p+"_len")
		}
		memberPaths(f.Layout, p+".", base+f.Offset, out, order, depth+1)
	}
}
