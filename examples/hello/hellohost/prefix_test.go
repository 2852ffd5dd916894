package hellohost

import (
	"bytes"
	"testing"
)

// TestPrefixWriter checks that lines split across writes get one prefix.
func TestPrefixWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewPrefixWriter(&out, "> ")
	for _, s := range []string{"a", "b\nc\n", "", "\n", "d\ne"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got, want := out.String(), "> ab\n> c\n> \n> d\n> e"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
