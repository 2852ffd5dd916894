package hellohost

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

// String names the flags set, as in "read|write", with any unknown bits in
// hex at the end; "none" for none.
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

// Shape is struct shape: the kind byte tags the union that follows it. A
// read fills only the case the kind selects (the others are zeroed) and
// fails with guestptr.ErrInvalidTag for a kind that selects none.
type Shape struct {
	Kind   uint8 `guest:",tag"` // ShapeCircle, ShapeRect or ShapeEmpty
	Circle struct {
		Radius float32
	} `guest:",case=0"` // u.circle, when Kind is ShapeCircle
	Rect struct {
		Min, Max Point
	} `guest:",case=1"` // u.rect, when Kind is ShapeRect
	Empty struct{} `guest:",case=2"` // no data, when Kind is ShapeEmpty
}

// String describes the case the kind selects, as in "circle r=1.5".
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
	Version uint32               // the request format; this host speaks 1
	Owner   guestptr.Ptr[Item]   // the owner's record
	Name    guestptr.String      // who sent the request, UTF-8
	Color   Color                // echoed in the reply
	Perms   Perms                // the permissions asked for
	Shape   Shape                // a shape, printed
	Items   guestptr.Slice[Item] // the items, summed in the reply
	Urgent  bool                 // marks the request urgent
}

// Reply is struct reply. Greeting is the (greeting, greeting_cap) pair: the
// guest's buffer, which the host fills with GreetingLen bytes.
type Reply struct {
	Status       uint32               // 0 = ok
	ColorEcho    Color                // the request's color
	PermsGranted Perms                // the request's perms & (PermRead|PermWrite)
	Checksum     uint64               // FNV-1a 64 of the name's bytes
	TotalWeight  float64              // the sum of Count*Weight over the items
	ItemsSeen    uint32               // the number of items
	Greeting     guestptr.Slice[byte] // greeting and greeting_cap: the guest's buffer
	GreetingLen  uint32               // the bytes of "hello, <name>" written there, at most its capacity
}

// Record is struct record, declared as a native Go type for package
// guestptr/deep: Name is a Go string where C has the (name, name_len)
// pair, which deep.Store allocates in the guest.
type Record struct {
	Name  string // "item <id> × <count>"
	Value uint32 // count*100 + color
}

// Replies is struct replies. Message and Records are native Go values that
// deep.Store allocates in the guest through its malloc; Motto is the
// guest's own buffer (motto, motto_cap), an input the host fills.
type Replies struct {
	Message  string          // "hello, <name>: <n> items"
	Records  []Record        // one per request item
	Motto    guestptr.String // the guest's buffer of motto_cap bytes
	MottoLen uint32          // the bytes of the motto written there
}

// Motto is what the host writes into the guest's motto buffer, as much as
// fits without splitting a UTF-8 sequence (MOTTO in hello.h).
const Motto = "héllo wörld ✓✓✓"
