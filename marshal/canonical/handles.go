package canonical

import (
	"reflect"
	"sync"
)

// MaxHandles is the most entries a handle table holds (the spec's
// Table.MAX_LENGTH).
const MaxHandles = 1<<28 - 1

// HandleTable is one component instance's table of resource handles: the
// i32 indexes its core code uses for own and borrow handles. Index 0 is
// never valid. It implements the spec's ResourceHandle bookkeeping: own
// and borrow handles, the lend count of an own handle lent to a call, and
// the borrow count of a call's scope. It is safe for concurrent use.
type HandleTable struct {
	mu      sync.Mutex
	entries []*handle // entries[0] is always nil
	free    []uint32
	impl    map[reflect.Type]bool // resource types the instance implements
}

type handle struct {
	rt    reflect.Type
	rep   uint32
	own   bool
	scope *Scope // a borrow handle's call
	lends int
}

// NewHandleTable returns an empty table.
func NewHandleTable() *HandleTable { return &HandleTable{entries: []*handle{nil}} }

// Implements records that the instance itself implements resource type
// rt (it exports the resource): borrows of it are lowered into the
// instance as the bare rep, as the spec's lower_borrow does.
func (t *HandleTable) Implements(rt reflect.Type) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.impl == nil {
		t.impl = map[reflect.Type]bool{}
	}
	t.impl[rt] = true
}

func (t *HandleTable) implements(rt reflect.Type) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.impl[rt]
}

// Len returns the number of live handles.
func (t *HandleTable) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries) - 1 - len(t.free)
}

func (t *HandleTable) add(h *handle) (uint32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.entries[i] = h
		return i, nil
	}
	i := len(t.entries)
	if i > MaxHandles {
		return 0, failNoAddr(ErrTableFull, "%d entries", i-1)
	}
	t.entries = append(t.entries, h)
	return uint32(i), nil
}

func (t *HandleTable) getLocked(i uint32, rt reflect.Type) (*handle, error) {
	if uint64(i) >= uint64(len(t.entries)) || t.entries[i] == nil {
		return nil, failNoAddr(ErrInvalidHandle, "index %d", i)
	}
	h := t.entries[i]
	if h.rt != rt {
		return nil, failNoAddr(ErrHandleType, "index %d is a %s, not a %s", i, h.rt, rt)
	}
	return h, nil
}

func (t *HandleTable) removeLocked(i uint32) {
	t.entries[i] = nil
	t.free = append(t.free, i)
}

// New adds an own handle to a resource of type rt with representation
// rep, as canon resource.new does, and returns its index.
func (t *HandleTable) New(rt reflect.Type, rep uint32) (uint32, error) {
	return t.add(&handle{rt: rt, rep: rep, own: true})
}

// Rep returns the representation of handle i, as canon resource.rep does.
func (t *HandleTable) Rep(rt reflect.Type, i uint32) (uint32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, err := t.getLocked(i, rt)
	if err != nil {
		return 0, err
	}
	return h.rep, nil
}

// Drop removes handle i, as canon resource.drop does: it traps on a lent
// own handle, and ends a borrow in its call's scope. own reports an own
// handle, whose resource the caller must now destroy (run its destructor).
func (t *HandleTable) Drop(rt reflect.Type, i uint32) (rep uint32, own bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, err := t.getLocked(i, rt)
	if err != nil {
		return 0, false, err
	}
	if h.lends != 0 {
		return 0, false, failNoAddr(ErrHandleLent, "index %d is lent to %d calls", i, h.lends)
	}
	t.removeLocked(i)
	if !h.own && h.scope != nil {
		h.scope.mu.Lock()
		h.scope.borrows--
		h.scope.mu.Unlock()
	}
	return h.rep, h.own, nil
}

// liftOwn moves own handle i out of the table (lift_own).
func (t *HandleTable) liftOwn(rt reflect.Type, i uint32) (uint32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, err := t.getLocked(i, rt)
	if err != nil {
		return 0, err
	}
	if h.lends != 0 {
		return 0, failNoAddr(ErrHandleLent, "index %d is lent to %d calls", i, h.lends)
	}
	if !h.own {
		return 0, failNoAddr(ErrNotOwner, "index %d is a borrow", i)
	}
	t.removeLocked(i)
	return h.rep, nil
}

// liftBorrow lends handle i to the call of scope (lift_borrow).
func (t *HandleTable) liftBorrow(rt reflect.Type, i uint32, s *Scope) (uint32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, err := t.getLocked(i, rt)
	if err != nil {
		return 0, err
	}
	if s != nil {
		h.lends++
		s.mu.Lock()
		s.lenders = append(s.lenders, h)
		s.mu.Unlock()
	}
	return h.rep, nil
}

// lowerBorrow gives the instance a borrow for the call of scope
// (lower_borrow).
func (t *HandleTable) lowerBorrow(rt reflect.Type, rep uint32, s *Scope) (uint32, error) {
	if t.implements(rt) {
		return rep, nil
	}
	i, err := t.add(&handle{rt: rt, rep: rep, scope: s})
	if err == nil && s != nil {
		s.mu.Lock()
		s.borrows++
		s.mu.Unlock()
	}
	return i, err
}

// Scope is one call's borrow bookkeeping: the borrow handles lowered into
// the callee (which it must drop before it returns) and the own handles
// the caller lent for the call's length. Make one per call with
// [NewScope] and End it when the call returns.
type Scope struct {
	mu      sync.Mutex
	borrows int
	lenders []*handle
	t       *HandleTable
}

// NewScope starts a call's scope over table t.
func NewScope(t *HandleTable) *Scope { return &Scope{t: t} }

// End ends the call: own handles lent to it are returned to their owners,
// and it traps (ErrBorrowsRemain) if the callee has not dropped every
// borrow handle it was given.
func (s *Scope) End() error {
	if s == nil {
		return nil
	}
	if s.t != nil {
		s.t.mu.Lock()
		for _, h := range s.lenders {
			h.lends--
		}
		s.t.mu.Unlock()
	}
	s.lenders = s.lenders[:0]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.borrows > 0 {
		return failNoAddr(ErrBorrowsRemain, "%d borrow handles not dropped", s.borrows)
	}
	return nil
}
