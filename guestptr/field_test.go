package guestptr_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

type fieldInner struct {
	Kind uint8
	Val  uint64
}

type fieldOuter struct {
	A     uint16
	In    fieldInner
	Name  guestptr.String
	Flags uint32
}

func TestField(t *testing.T) {
	for _, mem := range []*memory.Memory{memory.New(1 << 16), memory.NewWasm64(1 << 16)} {
		p := guestptr.New[fieldOuter](mem, 0x100)
		want := fieldOuter{A: 1, In: fieldInner{Kind: 2, Val: 3}, Name: guestptr.NewString(mem, 0x400, 5), Flags: 4}
		if err := p.Write(want); err != nil {
			t.Fatal(err)
		}
		val, err := guestptr.Field[uint64](p, "In.Val")
		if err != nil {
			t.Fatal(err)
		}
		if val.Addr() != 0x100+8+8 {
			t.Errorf("%v: In.Val at %#x, want %#x", mem.ABI(), val.Addr(), 0x100+16)
		}
		if got, err := val.Read(); err != nil || got != 3 {
			t.Errorf("In.Val: got %d, %v; want 3", got, err)
		}
		name, err := guestptr.Field[guestptr.String](p, "Name")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := name.Read(); err != nil || !got.Equal(want.Name) {
			t.Errorf("Name: got %v, %v; want %v", got, err, want.Name)
		}
		flags, _ := guestptr.Field[uint32](p, "Flags")
		if err := flags.Write(9); err != nil {
			t.Fatal(err)
		}
		want.Flags = 9
		got, err := p.Read()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after a field write (-want +got):\n%s", diff)
		}
	}
}

func TestFieldErrors(t *testing.T) {
	mem := memory.New(1 << 16)
	p := guestptr.New[fieldOuter](mem, 0x100)
	for _, path := range []string{"Missing", "In.Missing", "In", "A.B", ""} {
		if _, err := guestptr.Field[uint32](p, path); !errors.Is(err, guestptr.ErrNoField) {
			t.Errorf("Field[uint32](%q): %v, want ErrNoField", path, err)
		}
	}
	high := guestptr.New[fieldOuter](mem, 1<<32-4)
	if _, err := guestptr.Field[uint32](high, "Flags"); !errors.Is(err, guestptr.ErrOverflow) {
		t.Errorf("field past 2^32: %v, want ErrOverflow", err)
	}
	if _, err := guestptr.Field[uint32](guestptr.Ptr[fieldOuter]{}, "Flags"); !errors.Is(err, guestptr.ErrNoMemory) {
		t.Errorf("zero Ptr: %v, want ErrNoMemory", err)
	}
}
