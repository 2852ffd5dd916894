package deep_test

import (
	"fmt"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/guestptr/deep"
	"github.com/guestkit/guestkit/memory"
)

// A native Go type: where C has (pointer, length) pairs, Go has strings
// and slices.
type Reply struct {
	Message string
	Lines   []Line
	Code    uint32
}

// Line is one line of a Reply.
type Line struct {
	Text  string
	Width uint16
}

// Store allocates a reply's strings and lists in the guest (here through a
// bump allocator; wazeromem.Malloc calls the guest's own malloc) and Load
// reads it back, every pointer followed, under limits.
func Example() {
	mem := memory.New(memory.PageSize)
	alloc := &guestptr.Bump{Next: 0x1000, End: 0x8000}
	in := Reply{Message: "hello", Lines: []Line{{"first", 5}, {"second ✓", 10}}, Code: 7}
	if err := deep.Store(mem, 0x100, &in, alloc, deep.Limits{}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := deep.Load[Reply](mem, 0x100, deep.Limits{})
	fmt.Printf("%+v %v\n", out, err)

	// A guest's length is checked against the limits before anything is
	// allocated: here, Lines claims 2^32-1 elements.
	mem.Bytes()[0x10c], mem.Bytes()[0x10d], mem.Bytes()[0x10e], mem.Bytes()[0x10f] = 0xff, 0xff, 0xff, 0xff
	_, err = deep.Load[Reply](mem, 0x100, deep.Limits{})
	fmt.Println(err)
	// Output:
	// {Message:hello Lines:[{Text:first Width:5} {Text:second ✓ Width:10}] Code:7} <nil>
	// load deep_test.Reply at 0x100: field Lines: limit exceeded: Limits.Elements is 65536: a list of deep_test.Line needs 4294967295 elements, 65536 left
}
