package wasmtimebench

import (
	"bytes"
	"errors"
	"testing"

	"github.com/guestkit/guestkit/bench"
)

func newEnv(t testing.TB, is64 bool) *Env {
	t.Helper()
	env, err := NewEnv(is64)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Store.Close)
	return env
}

var abis = []struct {
	name string
	is64 bool
}{{"wasm32", false}, {"wasm64", true}}

// TestVerify checks both impls against the fixture on both ABIs.
func TestVerify(t *testing.T) {
	for _, abi := range abis {
		t.Run(abi.name, func(t *testing.T) {
			env := newEnv(t, abi.is64)
			if err := Verify(env); err != nil {
				t.Fatal(err)
			}
			if _, err := Cases(env); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSameFailures checks that the handwritten impl fails wherever
// guestkit does, and that a failed write changes no byte.
func TestSameFailures(t *testing.T) {
	for _, abi := range abis {
		t.Run(abi.name, func(t *testing.T) {
			env := newEnv(t, abi.is64)
			g, h := env.Guestkit, env.Handwritten
			raw := env.Mem.UnsafeData(env.Store)
			end := uint64(len(raw))
			// An fdstat with a bad filetype, a subscription with a bad tag.
			raw[0x800] = bench.FiletypeCases
			copy(raw[0x840:0x870], raw[bench.SubscriptionAddr:])
			raw[0x840+subscriptionTag] = 3
			for _, addr := range []uint64{bench.FdstatAddr + 4, end - 16, end, 0x800} {
				_, errG := g.ReadFdstat(uint32(addr))
				_, errH := h.ReadFdstat(addr)
				if errG == nil || errH == nil {
					t.Errorf("ReadFdstat at %#x: guestkit %v, handwritten %v; want both to fail", addr, errG, errH)
				}
			}
			for _, addr := range []uint64{bench.SubscriptionAddr + 4, end - 40, 0x840} {
				_, errG := g.ReadSubscription(uint32(addr))
				_, errH := h.ReadSubscription(addr)
				if errG == nil || errH == nil {
					t.Errorf("ReadSubscription at %#x: guestkit %v, handwritten %v; want both to fail", addr, errG, errH)
				}
			}
			bad := env.Fixture.WriteFdstat
			bad.FsRightsBase = 1 << 31
			before := bytes.Clone(raw)
			for _, addr := range []uint64{bench.WriteAddr, end - 8, bench.WriteAddr + 2} {
				errG := g.WriteFdstat(uint32(addr), bad)
				errH := h.WriteFdstat(addr, bad)
				if errG == nil || errH == nil {
					t.Errorf("WriteFdstat at %#x: guestkit %v, handwritten %v; want both to fail", addr, errG, errH)
				}
			}
			if !bytes.Equal(before, raw) {
				t.Errorf("a failed write changed memory")
			}
			if _, err := h.ReadFdstat(end); !errors.Is(err, bench.ErrOutOfBounds) {
				t.Errorf("handwritten ReadFdstat at the end: %v", err)
			}
		})
	}
}

// BenchmarkCases runs every case's impls on their own (testing.B); for
// paired ratios run cmd/compare.
func BenchmarkCases(b *testing.B) {
	for _, abi := range abis {
		env := newEnv(b, abi.is64)
		cases, err := Cases(env)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cases {
			for _, impl := range c.Impls {
				b.Run(c.Name+"/"+abi.name+"/"+impl.Name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						impl.Op()
					}
					if err := Err(); err != nil {
						b.Fatal(err)
					}
				})
			}
		}
	}
}
