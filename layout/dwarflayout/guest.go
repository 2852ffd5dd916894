package dwarflayout

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guestkit/guestkit/layout"
)

// Guest is the set of C types in a guest's debug info.
type Guest struct {
	// PointerSize is the pointer size of the guest's compilation units:
	// 4 on wasm32, 8 on wasm64.
	PointerSize uint64

	named  []*Type            // named structs, unions, enums and typedefs, in DWARF order
	byName map[string][]*Type // "struct point", "union u", "enum color" and typedef names
	vars   map[string]*Type   // global variables by name
}

func (g *Guest) add(t *Type) {
	if t.Name == "" {
		return
	}
	var key string
	switch t.Kind {
	case Struct, Union, Enum:
		key = t.Kind.String() + " " + t.Name
	case Typedef:
		key = t.Name
	default:
		return
	}
	if len(g.byName[key]) == 0 {
		g.named = append(g.named, t)
	}
	g.byName[key] = append(g.byName[key], t)
}

// ABI returns the guest's data model: [layout.Wasm32] for 4-byte pointers,
// [layout.Wasm64] for 8-byte ones.
func (g *Guest) ABI() (layout.ABI, error) {
	switch g.PointerSize {
	case 4:
		return layout.Wasm32, nil
	case 8:
		return layout.Wasm64, nil
	}
	return layout.ABI{}, fmt.Errorf("guest pointers are %d bytes: neither wasm32 nor wasm64", g.PointerSize)
}

// Lookup returns the C type named name: "struct point", "union u",
// "enum color", or a typedef name. Declarations lose to definitions, and
// definitions repeated across compilation units must agree in layout.
func (g *Guest) Lookup(name string) (*Type, error) {
	name = strings.Join(strings.Fields(name), " ")
	cands := g.byName[name]
	if len(cands) == 0 {
		return nil, fmt.Errorf("the guest's DWARF has no type named %q", name)
	}
	return pick(name, cands)
}

// pick chooses among types of one name: the first definition, provided
// every other definition has the same layout.
func pick(name string, cands []*Type) (*Type, error) {
	var best *Type
	for _, t := range cands {
		if r := t.Resolve(); r != nil && !r.Declaration {
			if best == nil {
				best = t
			} else if fingerprint(best) != fingerprint(t) {
				return nil, fmt.Errorf("the guest defines %q twice with different layouts (%s:%d and %s:%d)", name, best.File, best.Line, t.File, t.Line)
			}
		}
	}
	if best == nil {
		return nil, fmt.Errorf("the guest only declares %q: no compilation unit defines it", name)
	}
	return best, nil
}

// fingerprint summarizes a type's layout: size, alignment and member
// offsets and sizes.
func fingerprint(t *Type) string {
	var b strings.Builder
	r := t.Resolve()
	fmt.Fprintf(&b, "%d/%d", t.Size, t.Align())
	if r != nil {
		for _, m := range r.Members {
			fmt.Fprintf(&b, " %s@%d+%d", m.Name, m.Offset, m.Type.Size)
		}
	}
	return b.String()
}

// Names returns the names Lookup accepts, sorted.
func (g *Guest) Names() []string {
	names := make([]string, 0, len(g.byName))
	for n := range g.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Var returns the type of the global variable name, or nil.
func (g *Guest) Var(name string) *Type { return g.vars[name] }

// GoName returns the Go name of a C identifier by the godefs rule: the
// spelling is kept, with the first letter upper-cased so that Go exports
// it; a name that starts with an underscore gets an X in front, as cgo
// does. The first of trim's prefixes that name starts with is cut off
// first.
func GoName(name string, trim ...string) string {
	for _, p := range trim {
		if p != "" && strings.HasPrefix(name, p) && len(name) > len(p) {
			name = name[len(p):]
			break
		}
	}
	r, n := utf8.DecodeRuneInString(name)
	switch {
	case name == "":
		return ""
	case r == '_' || !unicode.IsLetter(r):
		return "X" + name
	}
	return string(unicode.ToUpper(r)) + name[n:]
}

// Options says how Go types are matched to the guest's C types.
type Options struct {
	// Names maps Go type names to C type names ("Fdstat":
	// "__wasi_fdstat_t", "Point": "struct point"), for types whose names
	// do not follow the godefs rule.
	Names map[string]string
	// Trim lists prefixes cut from C names before the godefs rule is
	// applied, as in guestlayout godefs -trim.
	Trim []string
}

// Match returns the C type a Go type named goName stands for: the one
// Options.Names gives, or the one whose name GoName turns into goName
// (a struct, union or enum tag, or a typedef).
func (g *Guest) Match(goName string, opts Options) (*Type, error) {
	if c, ok := opts.Names[goName]; ok {
		return g.Lookup(c)
	}
	var cands []*Type
	for _, t := range g.named {
		if GoName(t.Name, opts.Trim...) == goName || t.Name == goName {
			for _, u := range g.byName[lookupKey(t)] {
				cands = append(cands, u)
			}
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("the guest's DWARF has no C type that Go type %s names (by the godefs rule, %s stands for a C type spelled %s; map other names with Options.Names)", goName, goName, describeRule(goName))
	}
	// A tag and a typedef of one type are the same type.
	var firstKey string
	for _, t := range cands {
		k := fingerprint(t)
		if firstKey == "" {
			firstKey = k
		}
		if k != firstKey {
			var names []string
			for _, c := range cands {
				names = append(names, c.CName())
			}
			return nil, fmt.Errorf("Go type %s matches C types of different layouts: %s; pick one with Options.Names", goName, strings.Join(names, ", "))
		}
	}
	return pick(goName, cands)
}

func lookupKey(t *Type) string {
	if t.Kind == Typedef {
		return t.Name
	}
	return t.Kind.String() + " " + t.Name
}

func describeRule(goName string) string {
	if goName == "" {
		return "(nothing)"
	}
	r, n := utf8.DecodeRuneInString(goName)
	if strings.HasPrefix(goName, "X_") {
		return strings.TrimPrefix(goName, "X")
	}
	return fmt.Sprintf("%s or %s", goName, string(unicode.ToLower(r))+goName[n:])
}
