package main

import (
	"context"
	"testing"
)

func TestRunUnknownGuest(t *testing.T) {
	if _, err := run(context.Background(), "rust", nil); err == nil {
		t.Error("run accepted an unknown guest")
	}
}
