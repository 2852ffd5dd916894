package guestptr_test

import (
	"testing"

	"github.com/guestkit/guestkit/guestptr"
)

// TestZeroAllocs checks that the common operations allocate nothing once
// the codecs are compiled: Read and Write of fixed-size records, Add, Get,
// CopyToSlice, and taking and releasing a view of a transparent slice.
// (ToSlice allocates its result, and is left out.)
func TestZeroAllocs(t *testing.T) {
	for _, abi := range abis {
		m := memFor(abi, 0x10000)
		fd := guestptr.New[Fdstat](m, 0x1000)
		iov := guestptr.New[Iovec](m, 0x2000)
		sub := guestptr.New[Subscription](m, 0x3000)
		s := guestptr.NewSlice[uint64](m, 0x4000, 16)
		pairs := guestptr.NewSlice[Pair](m, 0x5000, 16)
		keep, err := guestptr.NewSlice[byte](m, 0xff00, 16).AsSlice() // the checked path
		if err != nil {
			t.Fatal(err)
		}
		pairBuf, fdBuf := make([]Pair, 16), make([]Fdstat, 4)
		var subV Subscription
		subV.Tag, subV.FdRead.Fd = 1, 3
		tests := []struct {
			name string
			f    func()
		}{
			{"Fdstat Read+Write", func() {
				v, err := fd.Read()
				if err != nil {
					t.Fatal(err)
				}
				v.FsFlags ^= 1
				if err := fd.Write(v); err != nil {
					t.Fatal(err)
				}
			}},
			{"Iovec Read+Write", func() {
				v, err := iov.Read()
				if err != nil {
					t.Fatal(err)
				}
				v.BufLen++
				if err := iov.Write(v); err != nil {
					t.Fatal(err)
				}
			}},
			{"tagged union Write+Read", func() {
				if err := sub.Write(subV); err != nil {
					t.Fatal(err)
				}
				if _, err := sub.Read(); err != nil {
					t.Fatal(err)
				}
			}},
			{"Add", func() {
				if _, err := fd.Add(3); err != nil {
					t.Fatal(err)
				}
			}},
			{"Get", func() {
				if _, ok := s.Get(7); !ok {
					t.Fatal("Get(7) failed")
				}
			}},
			{"CopyToSlice", func() {
				if err := pairs.CopyToSlice(pairBuf); err != nil {
					t.Fatal(err)
				}
				if err := fd.AsArray(4).CopyToSlice(fdBuf); err != nil {
					t.Fatal(err)
				}
			}},
			{"AsSlice+Release", func() {
				v, err := pairs.AsSlice()
				if err != nil {
					t.Fatal(err)
				}
				if err := v.Release(); err != nil {
					t.Fatal(err)
				}
			}},
			{"AsSliceMut+Release", func() {
				v, err := s.AsSliceMut()
				if err != nil {
					t.Fatal(err)
				}
				v.Slice()[0]++
				if err := v.Release(); err != nil {
					t.Fatal(err)
				}
			}},
		}
		// Once with a view held elsewhere (the checked path), once without.
		for _, tt := range tests {
			if n := testing.AllocsPerRun(100, tt.f); n != 0 {
				t.Errorf("%s: %s with a view held: %v allocations, want 0", abi, tt.name, n)
			}
		}
		if err := keep.Release(); err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			if n := testing.AllocsPerRun(100, tt.f); n != 0 {
				t.Errorf("%s: %s: %v allocations, want 0", abi, tt.name, n)
			}
		}
	}
}
