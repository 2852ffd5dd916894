package wasmtimemem

import (
	"testing"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// TestFastPathInUse checks that the one-call fetch is in use with this
// wasmtime-go and returns exactly what UnsafeData does, before and after
// growth, for wasm32 and memory64 memories and for the memory a module
// exports. If it fails after a wasmtime-go upgrade, the fields fastfetch.go
// reads have changed: adapt it (the adapter meanwhile falls back to
// UnsafeData).
func TestFastPathInUse(t *testing.T) {
	if !fastLayout {
		t.Fatal("wasmtime-go's Store or Memory no longer has the fields the one-call fetch reads")
	}
	cfg := wasmtime.NewConfig()
	cfg.SetWasmMemory64(true)
	store := wasmtime.NewStore(wasmtime.NewEngineWithConfig(cfg))
	defer store.Close()
	wasm, err := wasmtime.Wat2Wasm(`(module (memory (export "a") 1) (memory (export "b") i64 3))`)
	if err != nil {
		t.Fatal(err)
	}
	module, err := wasmtime.NewModule(store.Engine, wasm)
	if err != nil {
		t.Fatal(err)
	}
	instance, err := wasmtime.NewInstance(store, module, nil)
	if err != nil {
		t.Fatal(err)
	}
	ty, err := wasmtime.NewMemoryType64(2, false, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	host, err := wasmtime.NewMemory(store, ty)
	if err != nil {
		t.Fatal(err)
	}
	for name, wmem := range map[string]*wasmtime.Memory{
		"exported wasm32":   instance.GetExport(store, "a").Memory(),
		"exported memory64": instance.GetExport(store, "b").Memory(),
		"host memory64":     host,
	} {
		s := newStoreMemory(store, wmem)
		if s == nil {
			t.Fatalf("%s: no fast path", name)
		}
		for range 2 {
			want, got := wmem.UnsafeData(store), s.bytes()
			if unsafe.SliceData(got) != unsafe.SliceData(want) || len(got) != len(want) {
				t.Errorf("%s: fast fetch %p+%d, UnsafeData %p+%d", name, unsafe.SliceData(got), len(got), unsafe.SliceData(want), len(want))
			}
			if _, err := wmem.Grow(store, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	store.Close()
	if s := newStoreMemory(store, host); s != nil {
		t.Errorf("a closed store has a fast path")
	}
}

// TestTypedNilStore checks that a nil *wasmtime.Store gives a memory of 0
// bytes rather than a panic.
func TestTypedNilStore(t *testing.T) {
	store := wasmtime.NewStore(wasmtime.NewEngine())
	defer store.Close()
	ty, _ := wasmtime.NewMemoryType(1, false, 0, false)
	wmem, err := wasmtime.NewMemory(store, ty)
	if err != nil {
		t.Fatal(err)
	}
	var nilStore *wasmtime.Store
	if m := New(nilStore, wmem); len(m.Bytes()) != 0 {
		t.Errorf("%d bytes", len(m.Bytes()))
	}
	store.Close()
	if m := New(store, wmem); len(m.Bytes()) != 0 {
		t.Errorf("closed store at New: %d bytes", len(m.Bytes()))
	}
}
