package dwarflayout_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// roundTripTypes is the number of random top-level C types; nested and
// array types come on top.
const roundTripTypes = 300

// TestRoundTrip takes random C types through every step: the header is
// compiled by clang into a guest object with DWARF; Godefs turns it into
// Go for wasm32 and for wasm64; one harness program built from that Go
// checks every generated type against the guest's DWARF of its target
// and writes the C header of the Go types, which clang must then compile
// (every _Static_assert holding) for both targets.
func TestRoundTrip(t *testing.T) {
	cc := requireClang(t, false)
	g := newCgen(20261201)
	for range roundTripTypes {
		g.compound(0)
	}
	dir := t.TempDir()
	hdr := filepath.Join(dir, "types.h")
	if err := os.WriteFile(hdr, []byte(g.header()), 0o644); err != nil {
		t.Fatal(err)
	}
	pkgs := map[string][]byte{}
	var body strings.Builder
	abis := []layout.ABI{layout.Wasm32, layout.Wasm64}
	var guests []string
	for i, abi := range abis {
		gen, err := dwarflayout.Godefs([]string{hdr}, dwarflayout.GodefsOptions{ABI: abi, Package: abi.String(), Compiler: cc})
		if err != nil {
			t.Fatalf("%v: %v", abi, err)
		}
		obj, err := cc.CompileObject(abi, g.guest(hdr))
		if err != nil {
			t.Fatalf("%v: building the guest: %v", abi, err)
		}
		wasm := filepath.Join(dir, "guest-"+abi.String()+".wasm")
		if err := os.WriteFile(wasm, obj, 0o644); err != nil {
			t.Fatal(err)
		}
		pkgs[abi.String()] = gen.Source
		guests = append(guests, wasm)
		fmt.Fprintf(&body, "\tout[%q] = check(os.Args[%d], %s, dwarflayout.Options{Names: %s})\n", abi, i+1, typeList(abi.String(), gen), nameMap(gen.Names()))
		if testing.Verbose() {
			_ = os.WriteFile(filepath.Join(dir, abi.String()+".go"), gen.Source, 0o644)
		}
	}
	var out map[string]harnessResult
	runHarness(t, pkgs, nil, body.String(), guests, &out)
	for _, abi := range abis {
		r := out[abi.String()]
		t.Logf("%v: %d Go types checked against the guest's DWARF, %d mismatches", abi, r.Types, r.Mismatches)
		if r.Err != "" {
			t.Errorf("%v: %s", abi, r.Err)
		}
		if r.Types < roundTripTypes || r.Mismatches != 0 {
			t.Errorf("%v: %d types, %d mismatches; want ≥ %d and 0:\n%s", abi, r.Types, r.Mismatches, roundTripTypes, strings.Join(r.Failures, "\n"))
		}
		for _, target := range abis {
			if err := cc.SyntaxCheck(target, r.Header); err != nil {
				t.Errorf("cheader of the %v Go types, compiled for %v: %.4000v", abi, target, err)
			}
		}
	}
}
