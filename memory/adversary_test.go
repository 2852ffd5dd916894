package memory

import (
	"slices"
	"testing"
)

// depth returns the height of the subtree at n.
func depth(n *node) int {
	if n == nil {
		return 0
	}
	return 1 + max(depth(n.left), depth(n.right))
}

// fixedSeedOrder returns n addresses ordered so that a treap whose
// priorities came from the fixed xorshift sequence the tracker used to
// start from (seed 0) degenerates into a list: each borrow's address is
// the rank of its priority, so start order and heap order agree and every
// node has one child.
func fixedSeedOrder(n int) []uint64 {
	prios := make([]uint64, n)
	seed := uint64(0)
	for i := range prios {
		seed ^= seed<<13 | 1
		seed ^= seed >> 7
		seed ^= seed << 17
		prios[i] = seed
	}
	sorted := slices.Clone(prios)
	slices.Sort(sorted)
	addrs := make([]uint64, n)
	for i, p := range prios {
		rank, _ := slices.BinarySearch(sorted, p)
		addrs[i] = uint64(rank) * 2 // start order = priority order: a list
	}
	return addrs
}

// TestBorrowTreeResistsChosenAddresses takes 10^5 one-byte shared borrows
// at addresses chosen against the priority sequence a fixed seed gives.
// With that seed the tree became a list (depth 10^5: 1.7 s for 10^4 views,
// 107 s for 4·10^4); with a random seed per tracker the guest cannot know
// the priorities and the depth stays logarithmic.
func TestBorrowTreeResistsChosenAddresses(t *testing.T) {
	n := testN
	var b Borrows
	held := make([]Borrow, 0, n)
	// The slot takes the first borrow; the rest go in the tree.
	first, err := b.Shared(1<<40, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range fixedSeedOrder(n) {
		h, err := b.Shared(a, 1)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, h)
	}
	if d := depth(b.shared.root); d > 100 {
		t.Errorf("tree depth %d after %d borrows at chosen addresses, want O(log n)", d, n)
	}
	// Every check against them is as quick as the depth; a write between
	// two borrows finds no conflict, one on a borrowed byte does.
	if acc, err := b.BeginWrite(1, 1); err != nil {
		t.Errorf("write between borrows: %v", err)
	} else {
		acc.End()
	}
	if acc, err := b.BeginWrite(0, 1); err == nil {
		acc.End()
		t.Error("write to a borrowed byte was allowed")
	}
	for _, h := range append(held, first) {
		if err := h.Release(); err != nil {
			t.Fatal(err)
		}
	}
	if b.Held() != 0 {
		t.Errorf("Held = %d after releasing everything", b.Held())
	}
}

// BenchmarkBorrowsChosen takes n shared views at sequential or at chosen
// addresses, checks a write against them and releases them: the cost per
// view grows like log n in both orders.
func BenchmarkBorrowsChosen(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		seq := make([]uint64, n)
		for i := range seq {
			seq[i] = uint64(i) * 2
		}
		for _, order := range []struct {
			name  string
			addrs []uint64
		}{{"sequential", seq}, {"chosen", fixedSeedOrder(n)}} {
			b.Run(order.name+"/"+itoa(n), func(b *testing.B) {
				held := make([]Borrow, n)
				for b.Loop() {
					var t Borrows
					for i, a := range order.addrs {
						held[i], _ = t.Shared(a, 1)
					}
					acc, err := t.BeginWrite(1, 1)
					if err != nil {
						b.Fatal(err)
					}
					acc.End()
					for _, h := range held {
						_ = h.Release()
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/view")
			})
		}
	}
}

func itoa(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return itoa(n/1000) + "k"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

var testN = 100_000
