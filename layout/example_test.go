package layout_test

import (
	"fmt"
	"reflect"

	"github.com/guestkit/guestkit/layout"
)

// Filetype is WASI's filetype enum: 8 cases in one byte.
type Filetype uint8

func (Filetype) GuestEnumCases() uint64 { return 8 }

// Fdflags is WASI's fdflags: 5 flags in a u16.
type Fdflags uint16

func (Fdflags) GuestFlagsMask() uint64 { return 0x1f }

// Rights is WASI's rights: 30 flags in a u64.
type Rights uint64

func (Rights) GuestFlagsMask() uint64 { return 1<<30 - 1 }

// Fdstat is WASI preview1's fdstat.
type Fdstat struct {
	Filetype         Filetype
	Flags            Fdflags
	RightsBase       Rights
	RightsInheriting Rights
}

// Preopen is WASI preview1's prestat: a tagged union with one case.
type Preopen struct {
	Tag uint8 `guest:",tag"`
	Dir struct {
		NameLen int `guest:"u32"`
	} `guest:",case=0"`
}

func ExampleOf() {
	l, err := layout.Of(reflect.TypeFor[Fdstat](), layout.Wasm32)
	if err != nil {
		panic(err)
	}
	fmt.Print(l)
	// Output:
	// layout_test.Fdstat  wasm32  size 24  align 8
	// offset  size  field                      guest type
	//      0     1  Filetype                   u8 enum(8)
	//      1     1                             /* 1-byte hole */
	//      2     2  Flags                      u16 flags(0x1f)
	//      4     4                             /* 4-byte hole */
	//      8     8  RightsBase                 u64 flags(0x3fffffff)
	//     16     8  RightsInheriting           u64 flags(0x3fffffff)
}

func ExampleFor() {
	l, err := layout.For[Preopen](layout.Wasm32)
	if err != nil {
		panic(err)
	}
	for _, f := range l.Fields {
		fmt.Printf("%s at %d: %s\n", f.Name, f.Offset, f.Layout.GuestType())
	}
	fmt.Println("size", l.Size, "align", l.Align)

	// A field with no guest form is an error naming the path to it.
	_, err = layout.For[struct{ Name string }](layout.Wasm32)
	fmt.Println(err)
	// Output:
	// Tag at 0: u8
	// Dir at 4: struct
	// size 8 align 4
	// layout: struct { Name string }.Name: Go type string (kind string) has no guest layout
}
