package main

import (
	"fmt"
	"strings"

	"github.com/guestkit/guestkit/guestptr"
)

// The guest's types from guest/hello.h, declared once. Field order, Go types
// and `guest` tags give exactly the C (wasm32) layout; layout_test.go checks
// every _Static_assert of hello.h against them.

// Color is C's enum color, stored in a uint8_t. A read of any value but the
// three cases fails with guestptr.ErrInvalidEnum.
type Color uint8

// The colors.
const (
	Red Color = iota
	Green
	Blue
)

// GuestEnumCases makes Color a guest enum of 3 cases.
func (Color) GuestEnumCases() uint64 { return 3 }

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

// Perms is the PERM_* flags, stored in a uint16_t. A read with a bit outside
// PERM_MASK fails with guestptr.ErrInvalidFlags.
type Perms uint16

// The permission flags.
const (
	PermRead Perms = 1 << iota
	PermWrite
	PermExec
)

// GuestFlagsMask makes Perms guest flags with the bits of PERM_MASK.
func (Perms) GuestFlagsMask() uint64 { return uint64(PermRead | PermWrite | PermExec) }

func (p Perms) String() string {
	if p == 0 {
		return "none"
	}
	var names []string
	for _, f := range []struct {
		bit  Perms
		name string
	}{{PermRead, "read"}, {PermWrite, "write"}, {PermExec, "exec"}} {
		if p&f.bit != 0 {
			names = append(names, f.name)
			p &^= f.bit
		}
	}
	if p != 0 {
		names = append(names, fmt.Sprintf("%#x", uint16(p)))
	}
	return strings.Join(names, "|")
}

// Point is struct point.
type Point struct {
	X, Y int32
}

// Item is struct item.
type Item struct {
	ID     uint32
	Color  Color
	Count  uint16
	Weight float64
}

// The shape kinds: the values of Shape.Kind.
const (
	ShapeCircle = 0
	ShapeRect   = 1
	ShapeEmpty  = 2
)

// Shape is struct shape: the kind byte tags the union that follows it. A
// read fills only the case the kind selects (the others are zeroed) and
// fails with guestptr.ErrInvalidTag for a kind that selects none.
type Shape struct {
	Kind   uint8 `guest:",tag"`
	Circle struct {
		Radius float32
	} `guest:",case=0"`
	Rect struct {
		Min, Max Point
	} `guest:",case=1"`
	Empty struct{} `guest:",case=2"`
}

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

// Request is struct request. Owner is a guest pointer (followed only when
// asked), Name the (name, name_len) pair and Items the (items, items_len)
// pair.
type Request struct {
	Version uint32
	Owner   guestptr.Ptr[Item]
	Name    guestptr.String
	Color   Color
	Perms   Perms
	Shape   Shape
	Items   guestptr.Slice[Item]
	Urgent  bool
}

// Reply is struct reply. Greeting is the (greeting, greeting_cap) pair: the
// guest's buffer, which the host fills with GreetingLen bytes.
type Reply struct {
	Status       uint32
	ColorEcho    Color
	PermsGranted Perms
	Checksum     uint64
	TotalWeight  float64
	ItemsSeen    uint32
	Greeting     guestptr.Slice[byte]
	GreetingLen  uint32
}
