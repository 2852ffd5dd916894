package dwarflayout_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// TestReadMalformed feeds broken binaries to Read: each is an error that
// says what is wrong, never a panic.
func TestReadMalformed(t *testing.T) {
	good, err := os.ReadFile("testdata/guest.wasm")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a WebAssembly module"},
		{"ELF", []byte("\x7fELF\x02\x01\x01\x00"), "not a WebAssembly module"},
		{"component", []byte("\x00asm\x0d\x00\x01\x00"), "version"},
		{"no sections", []byte("\x00asm\x01\x00\x00\x00"), "no .debug_info"},
		{"section past the end", []byte("\x00asm\x01\x00\x00\x00\x00\x7f"), "runs past the end"},
		{"endless LEB128", append([]byte("\x00asm\x01\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff}, 11)...), "LEB128"},
		{"bad custom name", []byte("\x00asm\x01\x00\x00\x00\x00\x02\x05a"), "malformed name"},
		{"truncated", good[:len(good)/2], ""},
	} {
		_, err := dwarflayout.Read(tc.b)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q lacks %q", tc.name, err, tc.want)
		}
	}
}

// TestReadCorrupt flips random bytes of a good guest: Read and what it
// returns must not panic, whatever the bytes.
func TestReadCorrupt(t *testing.T) {
	good, err := os.ReadFile("testdata/guest.wasm")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		b := bytes.Clone(good)
		for range 1 + r.IntN(8) {
			b[8+r.IntN(len(b)-8)] = byte(r.Uint32())
		}
		if i%7 == 0 {
			b = b[:8+r.IntN(len(b)-8)]
		}
		g, err := dwarflayout.Read(b)
		if err != nil {
			continue
		}
		for _, n := range g.Names() {
			if c, err := g.Lookup(n); err == nil {
				_ = c.String()
				_ = c.Align()
			}
		}
		_, _ = g.Check(guestTypes, dwarflayout.Options{})
	}
}
