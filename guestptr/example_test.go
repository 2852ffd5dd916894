package guestptr_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

func ExampleNew() {
	mem := memory.New(memory.PageSize)

	// Making a pointer checks nothing; using it checks everything.
	p := guestptr.New[Fdstat](mem, 0x1000)
	fmt.Println(p)

	next, err := p.Add(1) // one Fdstat (24 bytes) further
	fmt.Println(next, err)

	_, err = guestptr.New[Fdstat](mem, 0x10000).Read()
	fmt.Println(err)
	// Output:
	// guestptr.Ptr[guestptr_test.Fdstat](0x1000)
	// guestptr.Ptr[guestptr_test.Fdstat](0x1018) <nil>
	// read guestptr.Ptr[guestptr_test.Fdstat] at 0x10000: out of bounds: [0x10000, 0x10018) is past the end of memory (0x10000 bytes)
}

func ExamplePtr_Read() {
	mem := memory.New(memory.PageSize)
	p := guestptr.New[Fdstat](mem, 0x1000)
	if err := p.Write(Fdstat{FsFiletype: 4, FsFlags: 0x1, FsRightsBase: 0x3f}); err != nil {
		panic(err)
	}
	fd, err := p.Read()
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", fd)

	// Values are validated: a flag bit outside the mask is an error.
	mem.Bytes()[0x1003] = 0x80
	_, err = p.Read()
	fmt.Println(err)
	// Output:
	// {FsFiletype:4 FsFlags:1 FsRightsBase:63 FsRightsInheriting:0}
	// read guestptr.Ptr[guestptr_test.Fdstat] at 0x1000: field FsFlags: invalid flags 0x8001 (unknown bits 0x8000)
}

func ExampleSlice() {
	mem := memory.New(memory.PageSize)
	iovs := guestptr.NewSlice[uint32](mem, 0x100, 4)
	if err := iovs.CopyFromSlice([]uint32{10, 20, 30, 40}); err != nil {
		panic(err)
	}

	// Element pointers, without reading.
	third, _ := iovs.Get(2)
	fmt.Println(iovs, third)

	// A copy of the elements, validated.
	vs, err := iovs.ToSlice()
	fmt.Println(vs, err)

	// Iterate over element pointers; read each when needed.
	for p, err := range iovs.All() {
		if err != nil {
			panic(err)
		}
		v, _ := p.Read()
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output:
	// guestptr.Slice[uint32](0x100, 4) guestptr.Ptr[uint32](0x108)
	// [10 20 30 40] <nil>
	// 10 20 30 40
}

func ExampleString_Read() {
	mem := memory.New(memory.PageSize)
	copy(mem.Bytes()[0x200:], "héllo, guest")
	s := guestptr.NewString(mem, 0x200, 13)
	text, err := s.Read()
	fmt.Printf("%q %v\n", text, err)

	// Strings are checked to be UTF-8.
	mem.Bytes()[0x201] = 0xff
	_, err = s.Read()
	fmt.Println(err)
	fmt.Println(errors.Is(err, guestptr.ErrInvalidUTF8))
	// Output:
	// "héllo, guest" <nil>
	// read guestptr.String at 0x200: invalid UTF-8 at byte 1 (0xff)
	// true
}

func ExampleSlice_AsSliceMut() {
	mem := memory.New(memory.PageSize)
	s := guestptr.NewSlice[uint16](mem, 0x40, 3)

	// A mutable view aliases guest memory: no copy.
	v, err := s.AsSliceMut()
	if err != nil {
		panic(err)
	}
	copy(v.Slice(), []uint16{1, 2, 3})

	// While it is held, the region cannot be read or viewed elsewhere.
	_, err = s.ToSlice()
	fmt.Println(errors.Is(err, guestptr.ErrBorrowed))

	if err := v.Release(); err != nil {
		panic(err)
	}
	vs, err := s.ToSlice()
	fmt.Println(vs, err)
	// Output:
	// true
	// [1 2 3] <nil>
}

func ExampleWithSlice() {
	mem := memory.New(memory.PageSize)
	s := guestptr.NewSlice[uint32](mem, 0x40, 4)
	_ = guestptr.WithSliceMut(s, func(v []uint32) error {
		for i := range v {
			v[i] = uint32(i * i)
		}
		return nil
	})

	// The view is released when the callback returns, even by panicking.
	var sum uint32
	err := guestptr.WithSlice(s, func(v []uint32) error {
		for _, x := range v {
			sum += x
		}
		return nil
	})
	fmt.Println(sum, err)

	// Views need a transparent element type: a bool may hold invalid bytes.
	err = guestptr.WithSlice(guestptr.NewSlice[bool](mem, 0, 4), func([]bool) error { return nil })
	fmt.Println(err)
	// Output:
	// 14 <nil>
	// view guestptr.Slice[bool] at 0x0: type is not transparent: bool has no view; copy it with ToSlice
}

func ExampleError() {
	mem := memory.New(memory.PageSize)
	mem.Bytes()[0x1002] = 0x40 // FsFlags: a bit outside the five defined

	_, err := guestptr.New[Fdstat](mem, 0x1000).Read()

	// errors.Is matches the sentinel, whatever wraps it. ErrBadPointer
	// covers every bad address or length: out of bounds, wrapping the
	// address space (ErrOverflow), misaligned.
	switch {
	case errors.Is(err, guestptr.ErrBadPointer):
		fmt.Println("bad pointer")
	case errors.Is(err, guestptr.ErrInvalidFlags):
		fmt.Println("bad flags")
	}

	// errors.As gives the details.
	var e *guestptr.Error
	if errors.As(err, &e) {
		fmt.Printf("op=%s type=%s addr=%#x len=%d field=%s\n", e.Op, e.TypeName(), e.Addr, e.Len, e.Field.String())
	}
	fmt.Println(strings.TrimPrefix(err.Error(), "read "))
	// Output:
	// bad flags
	// op=read type=guestptr.Ptr[guestptr_test.Fdstat] addr=0x1000 len=24 field=FsFlags
	// guestptr.Ptr[guestptr_test.Fdstat] at 0x1000: field FsFlags: invalid flags 0x40 (unknown bits 0x40)
}
