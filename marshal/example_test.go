package marshal_test

import (
	"errors"
	"fmt"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// Errno is a guest enum of 77 cases in a u16.
type Errno uint16

func (Errno) GuestEnumCases() uint64 { return 77 }

// Result is a guest record: a u16 enum and a size_t narrowed into a Go int.
type Result struct {
	Errno Errno
	N     int `guest:"u32"`
}

func ExampleDecode() {
	// Guest bytes: errno 8 (EBADF), 2 bytes of padding, then n = 42.
	b := []byte{8, 0, 0xff, 0xff, 42, 0, 0, 0}
	var r Result
	if err := marshal.Decode(layout.Wasm32, b, &r); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", r)

	// Values are checked: errno 99 is not one of the 77 cases.
	b[0] = 99
	err := marshal.Decode(layout.Wasm32, b, &r)
	fmt.Println(err)
	var fe *marshal.FieldError
	fmt.Println(errors.Is(err, marshal.ErrInvalidEnum), errors.As(err, &fe) && fe.Path.String() == "Errno")
	// Output:
	// {Errno:8 N:42}
	// field Errno: invalid enum 99 (marshal_test.Errno has 77 cases)
	// true true
}

func ExampleFor() {
	c, err := marshal.For[Result](layout.Wasm64)
	if err != nil {
		panic(err)
	}
	fmt.Println("size", c.Size())

	// Write three results; an out-of-range one stops the write before any
	// byte changes.
	buf := make([]byte, 3*c.Size())
	err = c.EncodeSlice(buf, []Result{{0, 1}, {8, 2}, {0, 1 << 33}})
	fmt.Println(err, errors.Is(err, marshal.ErrValueRange), buf[0:8])

	err = c.EncodeSlice(buf, []Result{{0, 1}, {8, 2}, {76, 3}})
	fmt.Println(err, buf[8:16])

	out := make([]Result, 3)
	err = c.DecodeSlice(buf, out, nil)
	fmt.Println(out, err)
	// Output:
	// size 8
	// field [2].N: value out of range 8589934592 does not fit u32 true [0 0 0 0 0 0 0 0]
	// <nil> [8 0 0 0 2 0 0 0]
	// [{0 1} {8 2} {76 3}] <nil>
}
