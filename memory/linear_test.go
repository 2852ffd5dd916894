package memory_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

func TestNewLinear(t *testing.T) {
	type info struct {
		Len    int
		ABI    string
		Shared bool
		Zeroed bool
	}
	zeroed := func(b []byte) bool {
		for _, c := range b {
			if c != 0 {
				return false
			}
		}
		return true
	}
	tests := []struct {
		name string
		m    *memory.Memory
		want info
	}{
		{"New", memory.New(3 * memory.PageSize), info{3 * memory.PageSize, "wasm32", false, true}},
		{"NewWasm64", memory.NewWasm64(100), info{100, "wasm64", false, true}},
		{"NewShared", memory.NewShared(memory.PageSize), info{memory.PageSize, "wasm32", true, true}},
		{"New empty", memory.New(0), info{0, "wasm32", false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.m.Bytes()
			got := info{len(b), tt.m.ABI().String(), tt.m.Shared(), zeroed(b)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.m.Borrows() != tt.m.Borrows() {
				t.Error("Borrows returns a different tracker on each call")
			}
		})
	}
	if memory.PageSize != 65536 {
		t.Errorf("PageSize = %d", memory.PageSize)
	}
	// Two memories have two trackers.
	a, b := memory.New(16), memory.New(16)
	if _, err := a.Borrows().Mutable(0, 16); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Borrows().Mutable(0, 16); err != nil {
		t.Errorf("a borrow of one memory blocks another: %v", err)
	}
}

func TestNewTooLarge(t *testing.T) {
	defer func() {
		r := recover()
		want := fmt.Sprintf("memory: %d bytes is more than a wasm32 memory can hold", uint64(1<<32+1))
		if r != want {
			t.Errorf("panic = %v, want %q", r, want)
		}
	}()
	memory.New(1<<32 + 1) // checked before anything is allocated
}

func TestLinearBytesShared(t *testing.T) {
	m := memory.New(16)
	m.Bytes()[3] = 0x7f
	if got := m.Bytes()[3]; got != 0x7f {
		t.Errorf("Bytes()[3] = %#x after writing through an earlier Bytes(), want 0x7f", got)
	}
}

func TestSharedGrowsInPlaceOnly(t *testing.T) {
	m := memory.NewShared(memory.PageSize)
	first := &m.Bytes()[0]
	if _, err := m.Grow(1); !errors.Is(err, memory.ErrGrow) {
		t.Fatalf("Grow of a shared memory past its capacity = %v, want ErrGrow", err)
	}
	if got := &m.Bytes()[0]; got != first || len(m.Bytes()) != memory.PageSize {
		t.Error("a refused Grow moved or resized the shared memory")
	}
	if _, err := m.Grow(0); err != nil {
		t.Errorf("Grow(0) = %v", err)
	}
}

func TestOverAndReplace(t *testing.T) {
	buf := make([]byte, 8, 32)
	m := memory.Over(buf, layout.Wasm64, true)
	if m.ABI() != layout.Wasm64 || !m.Shared() || &m.Bytes()[0] != &buf[0] {
		t.Fatalf("Over: ABI %v shared %v, bytes not the buffer given", m.ABI(), m.Shared())
	}
	if _, err := m.Grow(1); !errors.Is(err, memory.ErrGrow) {
		t.Errorf("Grow of a runtime's memory = %v, want ErrGrow", err)
	}
	if err := m.Replace(buf[:32]); err != nil {
		t.Fatal(err)
	}
	if len(m.Bytes()) != 32 {
		t.Errorf("after Replace, %d bytes, want 32", len(m.Bytes()))
	}
}

func TestWrap(t *testing.T) {
	cur := []byte{1, 2, 3}
	m := memory.Wrap(func() []byte { return cur }, layout.Wasm32, false)
	cur = []byte{4, 5, 6, 7}
	if diff := cmp.Diff([]byte{4, 5, 6, 7}, m.Bytes()); diff != "" {
		t.Errorf("Wrap does not fetch on every access (-want +got):\n%s", diff)
	}
	if err := m.Replace(nil); !errors.Is(err, memory.ErrGrow) {
		t.Errorf("Replace of a wrapped memory = %v, want ErrGrow", err)
	}
	if _, err := m.Grow(1); !errors.Is(err, memory.ErrGrow) {
		t.Errorf("Grow of a wrapped memory = %v, want ErrGrow", err)
	}
}

func TestGrow(t *testing.T) {
	for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
		t.Run(abi.String(), func(t *testing.T) {
			m := memory.New(memory.PageSize)
			if abi == layout.Wasm64 {
				m = memory.NewWasm64(memory.PageSize)
			}
			old := m.Bytes()
			for i := range old {
				old[i] = byte(i * 7)
			}
			want := append([]byte(nil), old...)

			prev, err := m.Grow(2)
			if err != nil {
				t.Fatal(err)
			}
			if prev != 1 {
				t.Errorf("Grow returned %d pages, want the previous size 1", prev)
			}
			cur := m.Bytes()
			if len(cur) != 3*memory.PageSize {
				t.Fatalf("len(Bytes()) = %d after Grow(2), want %d", len(cur), 3*memory.PageSize)
			}
			// bytes.Equal, not cmp.Diff: cmp is slow on 64 KiB.
			if !bytes.Equal(want, cur[:memory.PageSize]) {
				t.Errorf("contents not preserved")
			}
			if !bytes.Equal(make([]byte, 2*memory.PageSize), cur[memory.PageSize:]) {
				t.Errorf("new pages not zeroed")
			}
			// The bytes moved: the old slice no longer aliases the memory.
			old[10] ^= 0xff
			if cur[10] != want[10] {
				t.Errorf("a write to the old slice reached the grown memory")
			}
			cur[20] = 0x55
			if old[20] == 0x55 && want[20] != 0x55 {
				t.Errorf("a write to the grown memory reached the old slice")
			}
			if prev, err := m.Grow(0); err != nil || prev != 3 {
				t.Errorf("Grow(0) = %d, %v; want 3, nil", prev, err)
			}
			if len(m.Bytes()) != 3*memory.PageSize {
				t.Errorf("Grow(0) changed the size to %d", len(m.Bytes()))
			}
		})
	}
}

func TestGrowLimits(t *testing.T) {
	tests := []struct {
		name  string
		m     *memory.Memory
		pages uint64
		msg   string
	}{
		// 65536 pages are 4 GiB; on top of one page that passes the limit.
		{"wasm32 past 4 GiB", memory.New(memory.PageSize), 1 << 16,
			"memory cannot grow: 65536 pages more than 65536 bytes exceeds the wasm32 limit"},
		// pages*PageSize overflows 64 bits.
		{"wasm64 pages overflow", memory.NewWasm64(memory.PageSize), 1 << 48,
			"memory cannot grow: 281474976710656 pages more than 65536 bytes exceeds the wasm64 limit"},
		// old+add wraps 2^64.
		{"wasm64 size wraps", memory.NewWasm64(memory.PageSize), (1<<64 - 1) / memory.PageSize,
			"memory cannot grow: 281474976710655 pages more than 65536 bytes exceeds the wasm64 limit"},
		{"wasm32 huge", memory.New(0), 1<<64 - 1,
			"memory cannot grow: 18446744073709551615 pages more than 0 bytes exceeds the wasm32 limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.m.Bytes()
			prev, err := tt.m.Grow(tt.pages)
			if !errors.Is(err, memory.ErrGrow) {
				t.Fatalf("Grow(%d) = %d, %v; want ErrGrow", tt.pages, prev, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("error = %q, want %q", err.Error(), tt.msg)
			}
			if prev != 0 {
				t.Errorf("failed Grow returned %d, want 0", prev)
			}
			after := tt.m.Bytes()
			if len(after) != len(before) || (len(after) > 0 && &after[0] != &before[0]) {
				t.Errorf("a failed Grow replaced the memory")
			}
		})
	}
}
