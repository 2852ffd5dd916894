package deep_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/guestkit/guestkit/layout"
)

// Color is a u8 enum of 3 cases.
type Color uint8

func (Color) GuestEnumCases() uint64 { return 3 }

// Perms are u16 flags with 3 defined bits.
type Perms uint16

func (Perms) GuestFlagsMask() uint64 { return 7 }

// Item is an ordinary guest record (no native fields).
type Item struct {
	ID     uint32
	Color  Color
	Count  uint16
	Weight float64
}

// Shape is a tagged union of plain cases.
type Shape struct {
	Kind   uint8 `guest:",tag"`
	Circle struct {
		Radius float32
	} `guest:",case=0"`
	Rect struct {
		W, H int32
	} `guest:",case=1"`
}

// The native types of the round-trip property, each with nested strings
// and lists in its own way.
type (
	Str   struct{ S string }
	Bytes struct{ B []byte }
	Strs  struct{ L []string }
	Rec   struct {
		Name  string
		Value uint32
		Tags  []string
	}
	Req struct {
		ID      uint64
		Name    string
		Records []Rec
		Color   Color
		Perms   Perms
		Urgent  bool
	}
	Tree struct {
		Val  int32
		Kids []Tree
	}
	List struct {
		V    uint16
		Next *List
	}
	Nested struct {
		In struct {
			A string
			B []uint32
		}
		C [2]string
	}
	Mixed struct {
		Plain Item
		S     string
		Items []Item
		Shape Shape
	}
	Narrow struct {
		N int  `guest:"i16"`
		U uint `guest:"u8"`
		S string
	}
	Floats struct {
		F []float64
		G float32
		H string
	}
	Aligned struct {
		A uint8
		S string `guest:",align=16"`
		B []int64
	}
	Packed struct {
		_ struct{} `guest:",packed"`
		A uint8
		S string
		B uint16
	}
	Lists2 struct{ M [][]string }
	Blobs  struct{ L [][]byte }
	Opt    struct {
		P *Rec
		Q *uint64
	}
	Enums struct {
		B []bool
		E []Color
		F [3]Perms
	}
	Shapes struct {
		Shapes []Shape
		Label  string
	}
)

// roundTripTypes are the types of the property, by name.
var roundTripTypes = []reflect.Type{
	reflect.TypeFor[Str](), reflect.TypeFor[Bytes](), reflect.TypeFor[Strs](), reflect.TypeFor[Rec](),
	reflect.TypeFor[Req](), reflect.TypeFor[Tree](), reflect.TypeFor[List](), reflect.TypeFor[Nested](),
	reflect.TypeFor[Mixed](), reflect.TypeFor[Narrow](), reflect.TypeFor[Floats](), reflect.TypeFor[Aligned](),
	reflect.TypeFor[Packed](), reflect.TypeFor[Lists2](), reflect.TypeFor[Opt](), reflect.TypeFor[Enums](),
	reflect.TypeFor[Shapes](),
}

// gen makes random values of native types, within what each field's guest
// form can hold.
type gen struct {
	r     *rand.Rand
	depth int
}

var runes = []rune("aZ09 _-éöß✓€𝄞中")

func (g *gen) string() string {
	var b strings.Builder
	for range g.r.IntN(12) {
		b.WriteRune(runes[g.r.IntN(len(runes))])
	}
	if !utf8.ValidString(b.String()) {
		panic("gen made invalid UTF-8")
	}
	return b.String()
}

// fill sets v (of type t) to a random value; tag is the field's guest tag.
func (g *gen) fill(v reflect.Value, tag string) {
	t := v.Type()
	switch {
	case t.Implements(reflect.TypeFor[layout.Enum]()):
		v.SetUint(g.r.Uint64N(v.Interface().(layout.Enum).GuestEnumCases()))
		return
	case t.Implements(reflect.TypeFor[layout.Flags]()):
		v.SetUint(g.r.Uint64() & v.Interface().(layout.Flags).GuestFlagsMask())
		return
	case t == reflect.TypeFor[Shape]():
		s := Shape{Kind: uint8(g.r.IntN(2))}
		if s.Kind == 0 {
			s.Circle.Radius = float32(g.r.IntN(100)) / 4
		} else {
			s.Rect.W, s.Rect.H = g.r.Int32(), -g.r.Int32()
		}
		v.Set(reflect.ValueOf(s))
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(g.r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bitsN := t.Bits()
		if tag == "i16" {
			bitsN = 16
		}
		v.SetInt(g.r.Int64() >> (64 - bitsN))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bitsN := t.Bits()
		if tag == "u8" {
			bitsN = 8
		}
		v.SetUint(g.r.Uint64() >> (64 - bitsN))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(g.r.IntN(1000)) / 8)
	case reflect.String:
		v.SetString(g.string())
	case reflect.Slice:
		n := g.r.IntN(4)
		if g.depth > 3 {
			n = 0
		}
		if n == 0 {
			return // Load gives nil for a length of 0
		}
		s := reflect.MakeSlice(t, n, n)
		g.depth++
		for i := range n {
			g.fill(s.Index(i), "")
		}
		g.depth--
		v.Set(s)
	case reflect.Pointer:
		if g.depth > 3 || g.r.IntN(3) == 0 {
			return
		}
		p := reflect.New(t.Elem())
		g.depth++
		g.fill(p.Elem(), "")
		g.depth--
		v.Set(p)
	case reflect.Array:
		for i := range t.Len() {
			g.fill(v.Index(i), "")
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Name == "_" {
				continue
			}
			g.fill(v.Field(i), f.Tag.Get("guest"))
		}
	default:
		panic(fmt.Sprintf("gen: %v", t))
	}
}
