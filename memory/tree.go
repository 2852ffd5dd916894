package memory

import "sync/atomic"

// node is one borrowed region in a tree.
type node struct {
	start, last uint64 // the region's first and last byte: [start, last]
	seq         uint64 // unique per borrow taken: orders equal starts
	maxLast     uint64 // the largest last byte in this subtree
	prio        uint64 // heap order, random
	left, right *node
	mutable     bool
	inTree      bool          // zero-length borrows are never in a tree
	gen         atomic.Uint64 // bumped on release, so stale handles are detected
}

// tree is a treap of regions ordered by (start, seq), each node knowing the
// largest last byte below it, so an overlap query visits O(log n) nodes
// whatever the addresses. Regions are closed intervals so that one may end
// at the top of the address space.
type tree struct{ root *node }

func (t *tree) insert(nd *node) { t.root = insert(t.root, nd) }

func (t *tree) remove(nd *node) { t.root = remove(t.root, nd) }

// overlap returns a node whose region overlaps [start, last], or nil. It
// walks one path from the root: when the left subtree has a region reaching
// start, either that subtree holds an overlap or that region begins after
// last, and then so does everything else.
func (t *tree) overlap(start, last uint64) *node {
	for n := t.root; n != nil; {
		if n.left != nil && n.left.maxLast >= start {
			n = n.left
			continue
		}
		if n.start > last {
			return nil
		}
		if n.last >= start {
			return n
		}
		n = n.right
	}
	return nil
}

// less orders nodes by start, then by the order they were taken in.
func less(a, b *node) bool {
	return a.start < b.start || a.start == b.start && a.seq < b.seq
}

func fix(n *node) {
	n.maxLast = n.last
	if n.left != nil && n.left.maxLast > n.maxLast {
		n.maxLast = n.left.maxLast
	}
	if n.right != nil && n.right.maxLast > n.maxLast {
		n.maxLast = n.right.maxLast
	}
}

func insert(root, nd *node) *node {
	if root == nil {
		return nd
	}
	if less(nd, root) {
		root.left = insert(root.left, nd)
		if root.left.prio > root.prio {
			root = rotateRight(root)
		}
	} else {
		root.right = insert(root.right, nd)
		if root.right.prio > root.prio {
			root = rotateLeft(root)
		}
	}
	fix(root)
	return root
}

// remove takes nd out of the subtree at root.
func remove(root, nd *node) *node {
	switch {
	case root == nil:
		return nil
	case root == nd:
		return merge(root.left, root.right)
	case less(nd, root):
		root.left = remove(root.left, nd)
	default:
		root.right = remove(root.right, nd)
	}
	fix(root)
	return root
}

// merge joins two treaps where every start in a is at most every start in b.
func merge(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		fix(a)
		return a
	default:
		b.left = merge(a, b.left)
		fix(b)
		return b
	}
}

func rotateRight(n *node) *node {
	l := n.left
	n.left, l.right = l.right, n
	fix(n)
	fix(l)
	return l
}

func rotateLeft(n *node) *node {
	r := n.right
	n.right, r.left = r.left, n
	fix(n)
	fix(r)
	return r
}
