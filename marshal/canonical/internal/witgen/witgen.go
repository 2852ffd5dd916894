// Package witgen generates random WIT types, their Go spellings (built
// with reflect) and random values, for the canonical ABI differential
// tests against reference hosts.
package witgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"

	"github.com/guestkit/guestkit/marshal/canonical"
)

// Kind is a WIT type constructor.
type Kind uint8

// The kinds of WIT types generated.
const (
	Bool Kind = iota
	S8
	U8
	S16
	U16
	S32
	U32
	S64
	U64
	F32
	F64
	Char
	String
	List
	Record
	Tuple
	Variant
	Enum
	Option
	Result
	Flags
	numKinds
)

// Type is one WIT type.
type Type struct {
	Kind   Kind
	Elem   *Type   // List, Option
	Fields []*Type // Record, Tuple
	Cases  []*Type // Variant (nil: no payload); Result: ok, error (nil: none)
	N      int     // Enum cases, Flags labels
	Name   string  // Record, Variant, Enum, Flags
	goType reflect.Type
}

// Named enum and flags types, one per size the generator uses.
type (
	Enum1   uint8
	Enum3   uint8
	Enum200 uint8
	Enum300 uint16
	Flags1  uint8
	Flags5  uint8
	Flags8  uint8
	Flags9  uint16
	Flags17 uint32
	Flags32 uint32
)

func (Enum1) GuestEnumCases() uint64   { return 1 }
func (Enum3) GuestEnumCases() uint64   { return 3 }
func (Enum200) GuestEnumCases() uint64 { return 200 }
func (Enum300) GuestEnumCases() uint64 { return 300 }
func (Flags1) GuestFlagsMask() uint64  { return 1<<1 - 1 }
func (Flags5) GuestFlagsMask() uint64  { return 1<<5 - 1 }
func (Flags8) GuestFlagsMask() uint64  { return 1<<8 - 1 }
func (Flags9) GuestFlagsMask() uint64  { return 1<<9 - 1 }
func (Flags17) GuestFlagsMask() uint64 { return 1<<17 - 1 }
func (Flags32) GuestFlagsMask() uint64 { return 1<<32 - 1 }

var enumTypes = map[int]reflect.Type{1: reflect.TypeFor[Enum1](), 3: reflect.TypeFor[Enum3](), 200: reflect.TypeFor[Enum200](), 300: reflect.TypeFor[Enum300]()}
var flagsTypes = map[int]reflect.Type{1: reflect.TypeFor[Flags1](), 5: reflect.TypeFor[Flags5](), 8: reflect.TypeFor[Flags8](), 9: reflect.TypeFor[Flags9](), 17: reflect.TypeFor[Flags17](), 32: reflect.TypeFor[Flags32]()}
var enumSizes = []int{1, 3, 200, 300}
var flagsSizes = []int{1, 5, 8, 9, 17, 32}

// Gen generates random types; named types get unique names.
type Gen struct {
	R     *rand.Rand
	named int
	defs  []*Type
}

// Type returns a random type at most depth levels deep.
func (g *Gen) Type(depth int) *Type {
	var k Kind
	if depth <= 0 {
		k = Kind(g.R.IntN(int(String) + 1))
		if g.R.IntN(6) == 0 {
			k = []Kind{Enum, Flags}[g.R.IntN(2)]
		}
	} else {
		k = Kind(g.R.IntN(int(numKinds)))
	}
	t := &Type{Kind: k}
	switch k {
	case List, Option:
		t.Elem = g.Type(depth - 1)
	case Record, Tuple:
		for range 1 + g.R.IntN(4) {
			t.Fields = append(t.Fields, g.Type(depth-1))
		}
	case Variant:
		for range 1 + g.R.IntN(4) {
			if g.R.IntN(3) == 0 {
				t.Cases = append(t.Cases, nil)
			} else {
				t.Cases = append(t.Cases, g.Type(depth-1))
			}
		}
	case Result:
		for range 2 {
			if g.R.IntN(3) == 0 {
				t.Cases = append(t.Cases, nil)
			} else {
				t.Cases = append(t.Cases, g.Type(depth-1))
			}
		}
	case Enum:
		t.N = enumSizes[g.R.IntN(len(enumSizes))]
	case Flags:
		t.N = flagsSizes[g.R.IntN(len(flagsSizes))]
	}
	switch k {
	case Record, Variant, Enum, Flags:
		g.named++
		t.Name = fmt.Sprintf("t%d", g.named)
		g.defs = append(g.defs, t)
	}
	return t
}

// Defs returns the WIT definitions of every named type generated so far.
func (g *Gen) Defs() string {
	var b strings.Builder
	for _, t := range g.defs {
		switch t.Kind {
		case Record:
			fmt.Fprintf(&b, "  record %s {", t.Name)
			for i, f := range t.Fields {
				fmt.Fprintf(&b, " f%d: %s,", i, f.WIT())
			}
			b.WriteString(" }\n")
		case Variant:
			fmt.Fprintf(&b, "  variant %s {", t.Name)
			for i, c := range t.Cases {
				if c == nil {
					fmt.Fprintf(&b, " c%d,", i)
				} else {
					fmt.Fprintf(&b, " c%d(%s),", i, c.WIT())
				}
			}
			b.WriteString(" }\n")
		case Enum:
			fmt.Fprintf(&b, "  enum %s {", t.Name)
			for i := range t.N {
				fmt.Fprintf(&b, " c%d,", i)
			}
			b.WriteString(" }\n")
		case Flags:
			fmt.Fprintf(&b, "  flags %s {", t.Name)
			for i := range t.N {
				fmt.Fprintf(&b, " b%d,", i)
			}
			b.WriteString(" }\n")
		}
	}
	return b.String()
}

var primNames = [...]string{"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string"}

// WIT returns the type as a WIT type expression.
func (t *Type) WIT() string {
	switch t.Kind {
	case List:
		return "list<" + t.Elem.WIT() + ">"
	case Option:
		return "option<" + t.Elem.WIT() + ">"
	case Tuple:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.WIT()
		}
		return "tuple<" + strings.Join(parts, ", ") + ">"
	case Result:
		ok, er := "_", ""
		if t.Cases[0] != nil {
			ok = t.Cases[0].WIT()
		}
		if t.Cases[1] != nil {
			er = t.Cases[1].WIT()
		}
		switch {
		case ok == "_" && er == "":
			return "result"
		case er == "":
			return "result<" + ok + ">"
		}
		return "result<" + ok + ", " + er + ">"
	case Record, Variant, Enum, Flags:
		return t.Name
	}
	return primNames[t.Kind]
}

var primTypes = [...]reflect.Type{
	reflect.TypeFor[bool](), reflect.TypeFor[int8](), reflect.TypeFor[uint8](), reflect.TypeFor[int16](), reflect.TypeFor[uint16](),
	reflect.TypeFor[int32](), reflect.TypeFor[uint32](), reflect.TypeFor[int64](), reflect.TypeFor[uint64](),
	reflect.TypeFor[float32](), reflect.TypeFor[float64](), reflect.TypeFor[canonical.Char](), reflect.TypeFor[string](),
}

var emptyType = reflect.TypeFor[struct{}]()

func variantOf(tag reflect.Type, cases []*Type) reflect.Type {
	fs := []reflect.StructField{{Name: "Tag", Type: tag, Tag: `guest:",tag"`}}
	for i, c := range cases {
		ct := emptyType
		if c != nil {
			ct = c.Go()
		}
		fs = append(fs, reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: ct, Tag: reflect.StructTag(fmt.Sprintf(`guest:",case=%d"`, i))})
	}
	return reflect.StructOf(fs)
}

// Go returns the Go type that spells t for package canonical.
func (t *Type) Go() reflect.Type {
	if t.goType != nil {
		return t.goType
	}
	switch t.Kind {
	case List:
		t.goType = reflect.SliceOf(t.Elem.Go())
	case Option:
		t.goType = variantOf(reflect.TypeFor[uint8](), []*Type{nil, t.Elem})
	case Result, Variant:
		t.goType = variantOf(reflect.TypeFor[uint8](), t.Cases)
	case Record, Tuple:
		fs := make([]reflect.StructField, len(t.Fields))
		for i, f := range t.Fields {
			fs[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: f.Go()}
		}
		t.goType = reflect.StructOf(fs)
	case Enum:
		t.goType = enumTypes[t.N]
	case Flags:
		t.goType = flagsTypes[t.N]
	default:
		t.goType = primTypes[t.Kind]
	}
	return t.goType
}

// Value returns a random value of t.
func (g *Gen) Value(t *Type) reflect.Value {
	v := reflect.New(t.Go()).Elem()
	g.fill(t, v)
	return v
}

var stringPools = []string{
	"abcxyz09 -_",
	"abcé¡ÿ\u00a0\u0080",
	"aé✓€😀\U0010FFFF\uFFFF\u0100\u07FF\u0800",
}

func (g *Gen) fill(t *Type, v reflect.Value) {
	r := g.R
	switch t.Kind {
	case Bool:
		v.SetBool(r.IntN(2) == 1)
	case S8, S16, S32, S64:
		bits := []int{8, 16, 32, 64}[t.Kind/2-S8/2]
		v.SetInt(edgeInt(r, bits))
	case U8, U16, U32, U64:
		bits := []int{8, 16, 32, 64}[(t.Kind-U8)/2]
		v.SetUint(edgeUint(r, bits))
	case F32:
		v.SetFloat(float64(math.Float32frombits(edgeFloatBits32(r))))
	case F64:
		v.SetFloat(math.Float64frombits(edgeFloatBits64(r)))
	case Char:
		v.SetInt(int64(randChar(r)))
	case String:
		v.SetString(g.str())
	case List:
		n := r.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			g.fill(t.Elem, s.Index(i))
		}
		v.Set(s)
	case Record, Tuple:
		for i, f := range t.Fields {
			g.fill(f, v.Field(i))
		}
	case Option:
		if r.IntN(3) > 0 {
			v.Field(0).SetUint(1)
			g.fill(t.Elem, v.Field(2))
		}
	case Variant, Result:
		c := r.IntN(len(t.Cases))
		v.Field(0).SetUint(uint64(c))
		if t.Cases[c] != nil {
			g.fill(t.Cases[c], v.Field(1+c))
		}
	case Enum:
		v.SetUint(uint64(r.IntN(t.N)))
	case Flags:
		v.SetUint(r.Uint64() & (1<<t.N - 1))
	}
}

func (g *Gen) str() string {
	pool := []rune(stringPools[g.R.IntN(len(stringPools))])
	n := g.R.IntN(7)
	out := make([]rune, n)
	for i := range out {
		out[i] = pool[g.R.IntN(len(pool))]
	}
	return string(out)
}

func edgeInt(r *rand.Rand, bits int) int64 {
	lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
	switch r.IntN(5) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return int64(r.IntN(5)) - 2
	}
	return lo + int64(r.Uint64()>>(64-bits))
}

func edgeUint(r *rand.Rand, bits int) uint64 {
	max := uint64(1)<<bits - 1
	if bits == 64 {
		max = math.MaxUint64
	}
	switch r.IntN(4) {
	case 0:
		return max
	case 1:
		return uint64(r.IntN(3))
	}
	return r.Uint64() & max
}

func edgeFloatBits32(r *rand.Rand) uint32 {
	switch r.IntN(6) {
	case 0:
		return 0x7fc00000 // NaN
	case 1:
		return 0x80000000 // -0
	case 2:
		return 0x7f800000 // +Inf
	case 3:
		return math.Float32bits(float32(r.IntN(2000)-1000) / 8)
	}
	b := r.Uint32()
	if f := math.Float32frombits(b); f != f {
		return 0x7fc00000
	}
	return b
}

func edgeFloatBits64(r *rand.Rand) uint64 {
	switch r.IntN(6) {
	case 0:
		return 0x7ff8000000000000
	case 1:
		return 0x8000000000000000
	case 2:
		return 0xfff0000000000000
	case 3:
		return math.Float64bits(float64(r.IntN(2000)-1000) / 8)
	}
	b := r.Uint64()
	if f := math.Float64frombits(b); f != f {
		return 0x7ff8000000000000
	}
	return b
}

func randChar(r *rand.Rand) rune {
	switch r.IntN(5) {
	case 0:
		return rune(r.IntN(0x80))
	case 1:
		return rune(0x80 + r.IntN(0x80))
	case 2:
		return rune(0xE000 + r.IntN(0x2000))
	case 3:
		return rune(0x10000 + r.IntN(0x100000))
	}
	c := rune(r.IntN(0xD800))
	return c
}
