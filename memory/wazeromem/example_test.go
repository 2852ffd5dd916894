package wazeromem_test

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Greeting is a guest struct: a UTF-8 string (pointer, length) and a count,
// 12 bytes on wasm32.
type Greeting struct {
	Text  guestptr.String
	Times uint32
}

// greetWasm is a module whose exported run() calls the host's env.greet(16),
// where its data segment put a Greeting:
//
//	(import "env" "greet" (func $greet (param i32)))
//	(memory 1)
//	(func (export "run") (call $greet (i32.const 16)))
//	(data (i32.const 16) "\20\00\00\00" "\14\00\00\00" "\03\00\00\00" "\00\00\00\00"
//	                     "hello from the guest")
var greetWasm = []byte("\x00asm\x01\x00\x00\x00" +
	"\x01\x08\x02\x60\x01\x7f\x00\x60\x00\x00" + // types: (i32)->(), ()->()
	"\x02\x0d\x01\x03env\x05greet\x00\x00" + // import env.greet: type 0
	"\x03\x02\x01\x01" + // one function of type 1
	"\x05\x03\x01\x00\x01" + // memory: min 1 page
	"\x07\x07\x01\x03run\x00\x01" + // export "run": function 1
	"\x0a\x08\x01\x06\x00\x41\x10\x10\x00\x0b" + // run: i32.const 16; call 0
	"\x0b\x2a\x01\x00\x41\x10\x0b\x24" + // data at 16, 36 bytes:
	"\x20\x00\x00\x00\x14\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00" + // Greeting{Text: (32, 20), Times: 3}
	"hello from the guest") // at 32

// A host function reads a struct from the calling module's memory with
// guestptr, through the adapter Of keeps for that memory.
func Example() {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)

	greet := func(_ context.Context, mod api.Module, addr uint32) {
		mem := wazeromem.Of(mod.Memory())
		g, err := guestptr.New[Greeting](mem, uint64(addr)).Read()
		if err != nil {
			fmt.Println(err)
			return
		}
		text, err := g.Text.Read() // follows the pointer, checks UTF-8
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q × %d\n", text, g.Times)
	}
	_, err := r.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(greet).Export("greet").
		Instantiate(ctx)
	if err != nil {
		panic(err)
	}
	mod, err := r.Instantiate(ctx, greetWasm)
	if err != nil {
		panic(err)
	}
	// No Forget: Of keeps neither the module nor its memory alive.
	if _, err := mod.ExportedFunction("run").Call(ctx); err != nil {
		panic(err)
	}
	// Output:
	// "hello from the guest" × 3
}
