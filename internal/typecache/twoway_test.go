package typecache

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestTwoWays checks that two types that hash to one slot pair both stay,
// and that a third evicts one of them, not both.
func TestTwoWays(t *testing.T) {
	pair := func(typ reflect.Type) uint64 {
		return uint64(uintptr(TypeWord(typ)))*0x9E3779B97F4A7C15>>(64-bits) | 1
	}
	byPair := map[uint64][]reflect.Type{}
	var three []reflect.Type
	for i := 0; len(three) == 0 && i < 1<<16; i++ {
		typ := reflect.ArrayOf(i, reflect.TypeFor[uint32]())
		p := pair(typ)
		byPair[p] = append(byPair[p], typ)
		if len(byPair[p]) == 3 {
			three = byPair[p]
		}
	}
	if three == nil {
		t.Fatal("found no three types sharing a slot pair")
	}
	vals := []int{0, 1, 2}
	var c Table
	c.Store(1, NewEntry(three[0], unsafe.Pointer(&vals[0])))
	c.Store(1, NewEntry(three[1], unsafe.Pointer(&vals[1])))
	for i := range 2 {
		if p := c.Load(three[i], 1); p == nil || *(*int)(p) != i {
			t.Fatalf("type %d of two sharing a slot pair is missing", i)
		}
	}
	c.Store(1, NewEntry(three[2], unsafe.Pointer(&vals[2])))
	hits := 0
	for i := range 3 {
		if p := c.Load(three[i], 1); p != nil {
			if *(*int)(p) != i {
				t.Fatalf("type %d: another type's value", i)
			}
			hits++
		}
	}
	if hits != 2 {
		t.Errorf("%d of three types sharing a slot pair are cached, want 2", hits)
	}
}
