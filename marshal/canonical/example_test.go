package canonical_test

import (
	"fmt"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/memory"
)

// Person is the WIT record { name: string, age: u8, tags: list<string> }.
type Person struct {
	Name string
	Age  uint8
	Tags []string
}

// Shape is variant { circle(f32), square(u32), none }.
type Shape struct {
	Tag    uint8    `guest:",tag"`
	Circle float32  `guest:",case=0"`
	Square uint32   `guest:",case=1"`
	None   struct{} `guest:",case=2"`
}

// Example lowers a record into an in-process guest memory, with a bump
// allocator standing in for the guest's cabi_realloc, and lifts it back.
func Example() {
	mem := memory.New(1 << 16)
	next := uint64(1024)
	cx := &canonical.Context{
		Memory:   mem,
		Encoding: canonical.UTF16,
		Realloc: func(old, oldSize, align, size uint64) (uint64, error) {
			if old != 0 && size <= oldSize {
				return old, nil // shrink in place
			}
			p := (next + align - 1) &^ (align - 1)
			next = p + size
			return p, nil
		},
	}
	c, err := canonical.For[Person](layout.Wasm32)
	if err != nil {
		panic(err)
	}
	fmt.Println("size", c.Size(), "align", c.Align(), "flat", c.Flat())
	if err := c.Store(cx, 16, Person{Name: "Ada ✓", Age: 36, Tags: []string{"math"}}); err != nil {
		panic(err)
	}
	p, err := c.Load(cx, 16)
	fmt.Printf("%+v %v\n", p, err)

	// A guest that writes an out-of-range discriminant traps, with a path.
	s, _ := canonical.For[[]Shape](layout.Wasm32)
	flat, _ := s.LowerFlat(cx, []Shape{{Tag: 1, Square: 4}, {Tag: 2}}, nil)
	mem.Bytes()[flat[0]+8] = 7 // the second shape's discriminant
	_, err = s.LiftFlat(cx, flat)
	fmt.Println(err)
	// Output:
	// size 20 align 4 flat [i32 i32 i32 i32 i32]
	// {Name:Ada ✓ Age:36 Tags:[math]} <nil>
	// canonical lift []canonical_test.Shape: field [1]: invalid discriminant at 0x428: case 7 of 3
}
