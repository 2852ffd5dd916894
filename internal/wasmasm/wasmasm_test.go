package wasmasm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"

	. "github.com/guestkit/guestkit/internal/wasmasm"
)

// Example assembles a module exporting add1(x) = x + 1 and runs it.
func Example() {
	wasm := Module(
		Section(SecType, FuncType([]byte{I32}, []byte{I32})),
		Section(SecFunction, Uleb(0)),
		Section(SecExport, Export("add1", ExportFunc, 0)),
		Section(SecCode, Code(nil, LocalGet(0), I32Const(1), []byte{OpI32Add})),
	)
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, wasm)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := mod.ExportedFunction("add1").Call(ctx, 41)
	fmt.Println(res, err)
	// Output: [42] <nil>
}

func TestLEB(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		u, s []byte
	}{
		{0, []byte{0}, []byte{0}},
		{63, []byte{63}, []byte{63}},
		{64, []byte{64}, []byte{0xc0, 0}},
		{127, []byte{127}, []byte{0xff, 0}},
		{128, []byte{0x80, 1}, []byte{0x80, 1}},
		{624485, []byte{0xe5, 0x8e, 0x26}, []byte{0xe5, 0x8e, 0x26}},
	} {
		if diff := cmp.Diff(tc.u, Uleb(uint64(tc.v))); diff != "" {
			t.Errorf("Uleb(%d) (-want +got):\n%s", tc.v, diff)
		}
		if diff := cmp.Diff(tc.s, Sleb(tc.v)); diff != "" {
			t.Errorf("Sleb(%d) (-want +got):\n%s", tc.v, diff)
		}
	}
	if diff := cmp.Diff([]byte{0x7f}, Sleb(-1)); diff != "" {
		t.Errorf("Sleb(-1) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]byte{0xc0, 0xbb, 0x78}, Sleb(-123456)); diff != "" {
		t.Errorf("Sleb(-123456) (-want +got):\n%s", diff)
	}
}
