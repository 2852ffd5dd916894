package layouttest_test

import (
	"fmt"

	"github.com/guestkit/guestkit/internal/layouttest"
	"github.com/guestkit/guestkit/layout"
)

type example struct {
	A uint8
	B uint32 // 3 bytes of padding before
	U struct {
		Tag uint8  `guest:",tag"`
		X   uint16 `guest:",case=0"`
		Y   uint32 `guest:",case=1"`
	}
}

// ExampleMarkWritten shows which bytes a write of a record covers: never
// the padding, and only the active case of a tagged union.
func ExampleMarkWritten() {
	l, _ := layout.For[example](layout.Wasm32)
	b := make([]byte, l.Size)
	b[8] = 0 // tag: case 0, the u16 at the payload offset 12
	set := make([]bool, l.Size)
	layouttest.MarkWritten(l, b, 0, set)
	for _, s := range set {
		if s {
			fmt.Print("x")
		} else {
			fmt.Print(".")
		}
	}
	fmt.Println()
	// Output: x...xxxxx...xx..
}
