// Package items declares two of the C types of
// layout/dwarflayout/testdata/guest.c for the guestlayout command's tests:
// Point right, Item with Count at a wrong offset.
package items

// Point is C's struct point.
type Point struct{ X, Y int32 }

// Item is C's struct item, with Count two bytes too far.
type Item struct {
	ID     uint32
	Color  uint8
	Count  uint16 `guest:",offset=8"`
	Weight float64
}

// Label has no C counterpart: check skips it.
type Label string
