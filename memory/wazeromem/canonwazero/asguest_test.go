package canonwazero_test

import (
	"bytes"
	"context"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"

	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/memory/wazeromem"
	"github.com/guestkit/guestkit/memory/wazeromem/canonwazero"
)

// asGuestWasm is testdata/asguest/guest.ts built by AssemblyScript: a core
// module from a real toolchain, with utf16 strings.
//
//go:embed testdata/asguest/guest.wasm
var asGuestWasm []byte

var ascFlags = []string{"guest.ts", "--runtime", "stub", "--use", "abort=", "-O3", "--noAssert", "--outFile"}

// TestASGuestMatchesSource rebuilds the AssemblyScript guest with the asc
// installed for the reference tests and compares it with the committed
// module.
func TestASGuestMatchesSource(t *testing.T) {
	asc, _ := filepath.Abs("../../../marshal/canonical/testdata/node/node_modules/.bin/asc")
	if _, err := os.Stat(asc); err != nil {
		if os.Getenv("GUESTKIT_REQUIRE_REFERENCE") == "1" {
			t.Fatalf("asc is missing (npm install in marshal/canonical/testdata/node): %v", err)
		}
		t.Skip("AssemblyScript is not installed (cd marshal/canonical/testdata/node && npm install): the committed guest is not rebuilt")
	}
	out := filepath.Join(t.TempDir(), "guest.wasm")
	cmd := exec.Command(asc, append(ascFlags, out)...)
	cmd.Dir = "testdata/asguest"
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("asc: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, asGuestWasm) {
		t.Errorf("testdata/asguest/guest.wasm does not match guest.ts: rebuild with (cd testdata/asguest && asc %s guest.wasm)", strings.Join(ascFlags, " "))
	}
}

func TestASGuestUTF16(t *testing.T) {
	ctx := wazeromem.WithAllocator(context.Background())
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, asGuestWasm)
	if err != nil {
		t.Fatal(err)
	}
	in := canonwazero.Of(mod, canonical.UTF16)
	shout, err := canonwazero.Export[struct{ S string }, string](in, "shout")
	must(t, err)
	count, err := canonwazero.Export[struct{ S string }, uint32](in, "count_chars")
	must(t, err)
	join, err := canonwazero.Export[struct {
		Xs  []string
		Sep string
	}, string](in, "join")
	must(t, err)
	for _, c := range []struct{ s, upper string }{
		{"", ""}, {"hello", "HELLO"}, {"héllo wörld", "HÉLLO WÖRLD"}, {"ünïcödé ✓ 😀 \U0010FFFF", "ÜNÏCÖDÉ ✓ 😀 \U0010FFFF"},
		{strings.Repeat("ß", 100), strings.Repeat("SS", 100)}, // JavaScript's special casing
	} {
		s := c.s
		got, err := shout(ctx, struct{ S string }{s})
		must(t, err)
		if d := cmp.Diff(c.upper, got); d != "" {
			t.Errorf("shout(%q) (-want +got):\n%s", s, d)
		}
		n, err := count(ctx, struct{ S string }{s})
		must(t, err)
		if want := uint32(len([]rune(s))); n != want {
			t.Errorf("count-chars(%q) = %d, want %d", s, n, want)
		}
	}
	got, err := join(ctx, struct {
		Xs  []string
		Sep string
	}{[]string{"a", "😀", "é"}, " · "})
	must(t, err)
	if d := cmp.Diff("a · 😀 · é", got); d != "" {
		t.Errorf("join (-want +got):\n%s", d)
	}
}
