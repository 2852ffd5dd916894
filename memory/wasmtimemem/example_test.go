package wasmtimemem_test

import (
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wasmtimemem"
)

// Point is a guest's struct point { int32_t x, y; }.
type Point struct{ X, Y int32 }

// A memory64 guest hands the host a pointer; the host reads and writes the
// guest's struct through guestptr over the wasmtime memory.
func Example() {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmMemory64(true)
	store := wasmtime.NewStore(wasmtime.NewEngineWithConfig(cfg))
	defer store.Close()
	wasm, _ := wasmtime.Wat2Wasm(`(module
		(import "host" "scale" (func $scale (param i64)))
		(memory (export "memory") i64 1)
		(data (i64.const 0x20) "\03\00\00\00\fc\ff\ff\ff") ;; point{3, -4}
		(func (export "run") (call $scale (i64.const 0x20))))`)
	module, err := wasmtime.NewModule(store.Engine, wasm)
	if err != nil {
		fmt.Println(err)
		return
	}

	var mem *memory.Memory // the guest's memory, once instantiated
	scale := wasmtime.WrapFunc(store, func(addr int64) {
		p := guestptr.New[Point](mem, uint64(addr))
		pt, err := p.Read()
		if err != nil {
			fmt.Println("host:", err)
			return
		}
		fmt.Printf("host: read %+v (%s)\n", pt, mem.ABI())
		_ = p.Write(Point{pt.X * 10, pt.Y * 10})
	})
	instance, err := wasmtime.NewInstance(store, module, []wasmtime.AsExtern{scale})
	if err != nil {
		fmt.Println(err)
		return
	}
	mem = wasmtimemem.New(store, instance.GetExport(store, "memory").Memory())
	if _, err := instance.GetFunc(store, "run").Call(store); err != nil {
		fmt.Println(err)
		return
	}
	pt, err := guestptr.New[Point](mem, 0x20).Read()
	fmt.Printf("after: %+v %v\n", pt, err)
	_, err = guestptr.New[Point](mem, 1<<40).Read()
	fmt.Println(err)
	// Output:
	// host: read {X:3 Y:-4} (wasm64)
	// after: {X:30 Y:-40} <nil>
	// read guestptr.Ptr[wasmtimemem_test.Point] at 0x10000000000: out of bounds: [0x10000000000, 0x10000000008) is past the end of memory (0x10000 bytes)
}
