package guestptr_test

// The plan caches under a stampede: 64 goroutines released at once by a
// barrier make the first use of 100 types nobody has used before, on both
// ABIs, through layout.Of, marshal.For, marshal.Decode and guestptr Read.
// Every goroutine must see the same *layout.Layout per type and read the
// right values. Run with -race. Names start with cc.

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

type ccEnum uint8

func (ccEnum) GuestEnumCases() uint64 { return 4 }

type ccFlags uint16

func (ccFlags) GuestFlagsMask() uint64 { return 0xffff }

type ccInner struct {
	A uint8
	B uint32
	C bool
}

// ccRec is instantiated 50 times below: 50 named types, each first used
// by the stampede.
type ccRec[A, B any] struct {
	X A
	Y B
	Z uint16
}

// ccEntry is one type with its operations.
type ccEntry struct {
	typ reflect.Type
	// read reads the type at 0 through guestptr and checks the codec's
	// layout against l.
	read func(m *memory.Memory, l *layout.Layout) (any, error)
}

func ccRow[A, B any](out *[]ccEntry) {
	*out = append(*out, ccEntry{
		typ: reflect.TypeFor[ccRec[A, B]](),
		read: func(m *memory.Memory, l *layout.Layout) (any, error) {
			c, err := marshal.For[ccRec[A, B]](m.ABI())
			if err != nil {
				return nil, err
			}
			if c.Layout() != l {
				return nil, fmt.Errorf("marshal.For has layout %p, layout.Of %p", c.Layout(), l)
			}
			return guestptr.New[ccRec[A, B]](m, 0).Read()
		},
	})
}

func ccRowsWith[A any](out *[]ccEntry) {
	ccRow[A, uint8](out)
	ccRow[A, int16](out)
	ccRow[A, uint32](out)
	ccRow[A, ccEnum](out)
	ccRow[A, [3]uint8](out)
}

// ccNamed returns the 50 named types.
func ccNamed() []ccEntry {
	var out []ccEntry
	ccRowsWith[uint8](&out)
	ccRowsWith[int16](&out)
	ccRowsWith[uint32](&out)
	ccRowsWith[int64](&out)
	ccRowsWith[bool](&out)
	ccRowsWith[float32](&out)
	ccRowsWith[ccEnum](&out)
	ccRowsWith[ccFlags](&out)
	ccRowsWith[[3]uint8](&out)
	ccRowsWith[ccInner](&out)
	return out
}

// ccStructOf returns 50 unnamed types made with reflect.StructOf: fields
// drawn from a list of field types, some with guest tags, in different
// numbers and orders.
func ccStructOf() []reflect.Type {
	fields := []reflect.StructField{
		{Type: reflect.TypeFor[uint8]()},
		{Type: reflect.TypeFor[uint64](), Tag: `guest:"u16"`},
		{Type: reflect.TypeFor[int32]()},
		{Type: reflect.TypeFor[bool]()},
		{Type: reflect.TypeFor[[2]uint16]()},
		{Type: reflect.TypeFor[ccEnum]()},
		{Type: reflect.TypeFor[float64]()},
		{Type: reflect.TypeFor[int64](), Tag: `guest:"i32"`},
		{Type: reflect.TypeFor[ccInner]()},
		{Type: reflect.TypeFor[uint32](), Tag: `guest:",align=8"`},
	}
	var out []reflect.Type
	for i := range 50 {
		n := 1 + i%len(fields)
		var fs []reflect.StructField
		for j := range n {
			f := fields[(i/len(fields)+j*(1+i%3))%len(fields)]
			f.Name = fmt.Sprintf("F%d_%d", i, j) // the names make every type distinct
			fs = append(fs, f)
		}
		out = append(out, reflect.StructOf(fs))
	}
	return out
}

// ccExpect builds by reflection the value that memory filled with 0x01
// bytes holds: each integer 0x0101..., each bool true, each float the bits
// 0x0101.... Every guest field of these types has its Go width, except the
// tagged ones, which hold fewer 0x01 bytes.
func ccExpect(t reflect.Type, sf *reflect.StructField) reflect.Value {
	v := reflect.New(t).Elem()
	width := t.Size()
	if sf != nil {
		switch sf.Tag.Get("guest") {
		case "u16":
			width = 2
		case "i32":
			width = 4
		}
	}
	ones := uint64(0)
	for range width {
		ones = ones<<8 | 1
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			v.Field(i).Set(ccExpect(f.Type, &f))
		}
	case reflect.Array:
		for i := range t.Len() {
			v.Index(i).Set(ccExpect(t.Elem(), nil))
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(ones))
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(ones)
	case reflect.Float32:
		v.SetFloat(float64(math.Float32frombits(0x01010101)))
	case reflect.Float64:
		v.SetFloat(math.Float64frombits(0x0101010101010101))
	default:
		panic("ccExpect: " + t.String())
	}
	return v
}

func TestPlanCacheStampede(t *testing.T) {
	const goroutines = 64
	named, unnamed := ccNamed(), ccStructOf()
	var types []reflect.Type
	for _, e := range named {
		types = append(types, e.typ)
	}
	types = append(types, unnamed...)
	seen := map[reflect.Type]bool{}
	for _, typ := range types {
		if seen[typ] {
			t.Fatalf("type %v twice", typ)
		}
		seen[typ] = true
	}
	abis := []layout.ABI{layout.Wasm32, layout.Wasm64}
	mems := []*memory.Memory{memory.New(4096), memory.NewWasm64(4096)}
	for _, m := range mems {
		for i := range m.Bytes() {
			m.Bytes()[i] = 1
		}
	}
	want := make([]reflect.Value, len(types))
	for i, typ := range types {
		want[i] = ccExpect(typ, nil)
	}

	// got[g][a][i] is the layout goroutine g saw for type i under ABI a.
	got := make([][2][]*layout.Layout, goroutines)
	errs := make(chan error, goroutines)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for g := range goroutines {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs <- ccWork(g, abis, mems, types, named, want, &got[g])
		}()
	}
	ready.Wait()
	close(start) // all at once
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		return
	}
	for a, abi := range abis {
		distinct := map[*layout.Layout]bool{}
		for i, typ := range types {
			first := got[0][a][i]
			if first == nil || first.Type != typ || first.ABI != abi {
				t.Fatalf("%v %v: layout %+v", typ, abi, first)
			}
			for g := range goroutines {
				if got[g][a][i] != first {
					t.Fatalf("%v %v: goroutine %d saw layout %p, goroutine 0 saw %p", typ, abi, g, got[g][a][i], first)
				}
			}
			if l, _ := layout.Of(typ, abi); l != first {
				t.Fatalf("%v %v: layout.Of now gives %p, the goroutines saw %p", typ, abi, l, first)
			}
			distinct[first] = true
		}
		if len(distinct) != len(types) {
			t.Errorf("%v: %d distinct layouts for %d types", abi, len(distinct), len(types))
		}
	}
	t.Logf("%d goroutines, %d types (%d named, %d StructOf), 2 ABIs: one layout per type", goroutines, len(types), len(named), len(unnamed))
}

// ccWork is one goroutine of the stampede: every type in an order of its
// own, through every entry point.
func ccWork(g int, abis []layout.ABI, mems []*memory.Memory, types []reflect.Type, named []ccEntry, want []reflect.Value, got *[2][]*layout.Layout) error {
	for a := range abis {
		got[a] = make([]*layout.Layout, len(types))
	}
	for k := range types {
		i := (k*7 + g*13) % len(types) // goroutines start on different types
		for a, abi := range abis[:] {
			if (g+k)%2 == 1 {
				a, abi = 1-a, abis[1-a]
			}
			l, err := layout.Of(types[i], abi)
			if err != nil {
				return fmt.Errorf("goroutine %d: layout of %v: %v", g, types[i], err)
			}
			got[a][i] = l
			var v any
			if i < len(named) {
				v, err = named[i].read(mems[a], l)
			} else {
				p := reflect.New(types[i])
				err = marshal.Decode(abi, mems[a].Bytes(), p.Interface())
				v = p.Elem().Interface()
			}
			if err != nil {
				return fmt.Errorf("goroutine %d: reading %v on %v: %v", g, types[i], abi, err)
			}
			if !reflect.DeepEqual(v, want[i].Interface()) {
				return fmt.Errorf("goroutine %d: %v on %v read %+v, want %+v", g, types[i], abi, v, want[i].Interface())
			}
		}
	}
	return nil
}
