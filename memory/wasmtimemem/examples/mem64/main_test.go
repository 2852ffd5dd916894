package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/google/go-cmp/cmp"
)

// golden is what `go run ./examples/mem64` prints.
const golden = `host: request v1 from "memory64 guest" (urgent), owner "wasmtime" level 7, favorite item 42 (blue)
host:   shape  rect (-1,-2)-(3,4)
host:   items  1 red 2×0.5, 2 green 3×1.25, 3 blue 4×2
host:   grew   2 -> 5 pages while holding a view of 16 squares (moved: false)
host: reply checksum=0x0d691e2fc89132c4 total_weight=12.75 area=24 greeting="hello, memory64 guest"
guest: ok serve
guest: ok status
guest: ok shape_kind
guest: ok checksum
guest: ok total_weight
guest: ok items_seen
guest: ok area
guest: ok owner_level
guest: ok squares_ptr
guest: ok squares_len
guest: ok squares written through the view held across growth
guest: ok grown_from
guest: ok grown_to
guest: ok memory grew
guest: ok last byte of the new memory
guest: ok greeting_len
guest: ok greeting
guest: ok greeting_tail
guest: ok request_untouched
host: error: items: read guestptr.Slice[main.Item] at 0x106c0: field [1].Color: invalid enum 7 (main.Color has 3 cases)
guest: ok bad enum in the list
guest: ok   and changed nothing
host: error: name: read guestptr.String at 0x10000000000: out of bounds: [0x10000000000, 0x1000000000e) is past the end of memory (0x50000 bytes)
guest: ok name above 4 GiB
guest: ok   and changed nothing
host: error: owner's favorite: read guestptr.Ptr[main.Item] at 0x10714: misaligned: address 0x10714 is not a multiple of 8
guest: ok misaligned favorite
guest: ok   and changed nothing
guest: PASS: all 25 checks passed
mem64: ok: the guest passed every check
`

// TestRunGuest runs the memory64 guest on wasmtime: every check passes,
// the write through the view held across growth included.
func TestRunGuest(t *testing.T) {
	var out bytes.Buffer
	if err := run(mem64Wasm, &out); err != nil {
		t.Errorf("run: %v", err)
	}
	if diff := cmp.Diff(golden, mainName(out.String())); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// TestRunRejectsBadGuests checks run's verdict on guests that are not
// memory64 mem64 guests, trap, or fail their checks.
func TestRunRejectsBadGuests(t *testing.T) {
	for _, tc := range []struct {
		name, err, wat string
		wasm           []byte
	}{
		{name: "not wasm", err: "failed to parse WebAssembly module", wasm: []byte("mem64")},
		{name: "wasm32", err: "is wasm32, not memory64", wat: `(module (memory (export "memory") 1)
			(func (export "run") (result i32) i32.const 0))`},
		{name: "no run", err: "exports no run", wat: `(module (memory (export "memory") i64 1))`},
		{name: "trap", err: "guest trapped", wat: `(module (memory (export "memory") i64 1)
			(func (export "run") (result i32) unreachable))`},
		{name: "failed checks", err: "3 of the guest's checks failed", wat: `(module (memory (export "memory") i64 1)
			(func (export "run") (result i32) i32.const 3))`},
		{name: "no request", err: "the host answered no request", wat: `(module (memory (export "memory") i64 1)
			(func (export "run") (result i32) i32.const 0))`},
		{name: "bad request", err: "the host answered no request", wat: `(module
			(import "guestkit" "serve" (func $serve (param i64 i64) (result i32)))
			(memory (export "memory") i64 1)
			(func (export "run") (result i32)
				(drop (call $serve (i64.const 0x10000) (i64.const 0)))
				i32.const 0))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wasm := tc.wasm
			if tc.wat != "" {
				var err error
				if wasm, err = wasmtime.Wat2Wasm(tc.wat); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			err := run(wasm, &out)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("run: %v, want an error containing %q", err, tc.err)
			}
		})
	}
}

// mainName undoes a quirk of test binaries: they name this package by the
// last element of its import path ("mem64"), where `go run` says "main".
func mainName(s string) string { return strings.ReplaceAll(s, "mem64.", "main.") }
