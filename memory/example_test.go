package memory_test

import (
	"errors"
	"fmt"

	"github.com/guestkit/guestkit/memory"
)

func ExampleNew() {
	m := memory.New(memory.PageSize) // one 64 KiB page of wasm32 memory
	copy(m.Bytes()[0x100:], "hello")

	prev, err := m.Grow(1) // the bytes move, but keep their contents
	if err != nil {
		panic(err)
	}
	fmt.Println(m.ABI(), prev, len(m.Bytes())/memory.PageSize)
	fmt.Printf("%s\n", m.Bytes()[0x100:0x105])
	// Output:
	// wasm32 1 2
	// hello
}

func ExampleBorrows() {
	m := memory.New(memory.PageSize)
	b := m.Borrows()

	// Shared borrows of a region coexist.
	s1, _ := b.Shared(0x100, 16)
	s2, err := b.Shared(0x108, 16)
	fmt.Println("second shared borrow:", err)

	// A mutable borrow overlapping them is refused.
	_, err = b.Mutable(0x110, 4)
	fmt.Println(err)
	var be *memory.BorrowError
	if errors.As(err, &be) {
		fmt.Printf("held [%#x, %#x) mutable=%v\n", be.HeldAddr, be.HeldAddr+be.HeldLen, be.HeldMutable)
	}

	// Writes wait for the region to be free: ask before writing.
	_, err = b.BeginWrite(0x100, 4)
	fmt.Println("write allowed:", err == nil)

	s1.Release()
	s2.Release()
	mu, err := b.Mutable(0x110, 4)
	fmt.Println("after release:", err, mu.Held())
	fmt.Println("release twice:", mu.Release(), mu.Release())
	// Output:
	// second shared borrow: <nil>
	// region is borrowed: [0x110, 0x114) overlaps a shared borrow of [0x108, 0x118)
	// held [0x108, 0x118) mutable=false
	// write allowed: false
	// after release: <nil> true
	// release twice: <nil> borrow already released
}
