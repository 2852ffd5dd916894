package main

import (
	"fmt"

	"github.com/guestkit/guestkit/guestptr"
)

// The guest's types from guest/mem64.h, declared once for wasm64 (8-byte
// pointers and size_t; the size_t fields are uint64). layout_test.go checks
// them against the guest's own DWARF.

// Color is C's enum color, stored in a uint8_t.
type Color uint8

// The colors.
const (
	Red Color = iota
	Green
	Blue
)

// GuestEnumCases makes Color a guest enum of 3 cases.
func (Color) GuestEnumCases() uint64 { return 3 }

// String is the color's name, as in "red", or Color(N) for any other value.
func (c Color) String() string {
	switch c {
	case Red:
		return "red"
	case Green:
		return "green"
	case Blue:
		return "blue"
	}
	return fmt.Sprintf("Color(%d)", uint8(c))
}

// Point is struct point.
type Point struct {
	X, Y int32 // the coordinates
}

// Item is struct item.
type Item struct {
	ID     uint32  // the item's id
	Color  Color   // its color
	Count  uint16  // how many of it
	Weight float64 // the weight of one
}

// The shape kinds: the values of Shape.Kind.
const (
	ShapeCircle = 0
	ShapeRect   = 1
	ShapeEmpty  = 2
)

// Shape is struct shape: the kind byte tags the union that follows it.
type Shape struct {
	Kind   uint8 `guest:",tag"` // ShapeCircle, ShapeRect or ShapeEmpty
	Circle struct {
		Radius float32
	} `guest:",case=0"` // u.circle
	Rect struct {
		Min, Max Point
	} `guest:",case=1"` // u.rect
	Empty struct{} `guest:",case=2"` // no data
}

// String describes the case the kind selects, as in "rect (0,0)-(1,1)".
func (s Shape) String() string {
	switch s.Kind {
	case ShapeCircle:
		return fmt.Sprintf("circle r=%g", s.Circle.Radius)
	case ShapeRect:
		r := s.Rect
		return fmt.Sprintf("rect (%d,%d)-(%d,%d)", r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	case ShapeEmpty:
		return "empty"
	}
	return fmt.Sprintf("shape(kind %d)", s.Kind)
}

// Owner is struct owner: a record behind a pointer that holds a string and
// a pointer of its own.
type Owner struct {
	Name     guestptr.String    // name and name_len
	Favorite guestptr.Ptr[Item] // a record
	Level    uint32             // echoed in the reply
}

// Request is struct request.
type Request struct {
	Version   uint32               // this host speaks 1
	Owner     guestptr.Ptr[Owner]  // followed, and its pointers too
	Name      guestptr.String      // who sent the request, UTF-8
	Shape     Shape                // a tagged union
	Items     guestptr.Slice[Item] // the items, summed in the reply
	Urgent    bool                 // printed
	GrowPages uint32               // the pages the guest grows by while the host holds a view
}

// Reply is struct reply. Squares and Greeting are the guest's buffers; the
// host fills them.
type Reply struct {
	Status      uint32                 // 0 = ok
	ShapeKind   uint8                  // the request's shape kind
	Checksum    uint64                 // FNV-1a 64 of the name's bytes
	TotalWeight float64                // the sum of Count*Weight over the items
	ItemsSeen   uint64                 // the number of items
	Area        int64                  // of the rect; 0 for other shapes
	OwnerLevel  uint32                 // the owner's level
	Squares     guestptr.Slice[uint32] // squares[i] = i*i + the favorite's id, written through a view held across growth
	GrownFrom   uint64                 // the memory's pages before the growth
	GrownTo     uint64                 // and after
	Greeting    guestptr.Slice[byte]   // greeting and greeting_cap: the guest's buffer
	GreetingLen uint64                 // the bytes of "hello, <name>" written there
}
