package typecache_test

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	"github.com/guestkit/guestkit/internal/typecache"
)

func Example() {
	var cache typecache.Table
	row := typecache.RowOf(4) // wasm32
	size := uint64(24)
	cache.Store(row, typecache.NewEntry(reflect.TypeFor[[24]byte](), unsafe.Pointer(&size)))

	if p := cache.Load(reflect.TypeFor[[24]byte](), row); p != nil {
		fmt.Println("hit:", *(*uint64)(p))
	}
	fmt.Println("other row:", cache.Load(reflect.TypeFor[[24]byte](), typecache.RowOf(8)) != nil)
	fmt.Println("other type:", cache.Load(reflect.TypeFor[[25]byte](), row) != nil)
	// Output:
	// hit: 24
	// other row: false
	// other type: false
}

func TestRows(t *testing.T) {
	for _, tc := range []struct {
		size uint64
		want int
	}{{0, 0}, {4, 1}, {8, 2}} {
		if got := typecache.RowOf(tc.size); got != tc.want {
			t.Errorf("RowOf(%d) = %d, want %d", tc.size, got, tc.want)
		}
	}
	var cache typecache.Table
	v := 1
	cache.Store(0, typecache.NewEntry(reflect.TypeFor[int](), unsafe.Pointer(&v)))
	if cache.Load(reflect.TypeFor[int](), 0) != nil {
		t.Error("row 0 (an invalid ABI) holds a value")
	}
	cache.Store(1, typecache.NewEntry(nil, unsafe.Pointer(&v)))
	if cache.Load(nil, 1) != nil {
		t.Error("a nil type holds a value")
	}
}

func TestCollisionsOverwrite(t *testing.T) {
	var cache typecache.Table
	types := []reflect.Type{}
	for i := range 4096 {
		types = append(types, reflect.ArrayOf(i, reflect.TypeFor[byte]()))
	}
	vals := make([]int, len(types))
	for i, typ := range types {
		vals[i] = i
		cache.Store(1, typecache.NewEntry(typ, unsafe.Pointer(&vals[i])))
	}
	hits := 0
	for i, typ := range types {
		if p := cache.Load(typ, 1); p != nil {
			if *(*int)(p) != i {
				t.Fatalf("type %v: got the value of another type", typ)
			}
			hits++
		}
	}
	if hits == 0 || hits == len(types) {
		t.Errorf("%d hits of %d: a 1024-slot table should keep some and lose some", hits, len(types))
	}
}
