package wasmtimemem

import (
	"testing"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

func TestProbe(t *testing.T) {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmMemory64(true)
	store := wasmtime.NewStore(wasmtime.NewEngineWithConfig(cfg))
	for _, is64 := range []bool{false, true} {
		var ty *wasmtime.MemoryType
		var err error
		if is64 {
			ty, err = wasmtime.NewMemoryType64(1, false, 0, false)
		} else {
			ty, err = wasmtime.NewMemoryType(1, false, 0, false)
		}
		if err != nil {
			t.Fatal(err)
		}
		mem, err := wasmtime.NewMemory(store, ty)
		if err != nil {
			t.Fatal(err)
		}
		m := New(store, mem)
		base := unsafe.SliceData(m.Bytes())
		t.Logf("64=%v abi=%v len=%d", is64, m.ABI(), len(m.Bytes()))
		for _, n := range []uint64{1, 100, 16000, 16384} {
			if _, err := mem.Grow(store, n); err != nil {
				t.Fatal(err)
			}
			t.Logf("len=%d moved=%v", len(m.Bytes()), unsafe.SliceData(m.Bytes()) != base)
		}
	}
}
