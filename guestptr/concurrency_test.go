package guestptr_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// pattern is a uint64 whose halves match: a torn read shows as halves that
// differ. The top byte of each half is the writer's id plus one.
func pattern(id, n int) uint64 {
	x := uint64(id+1)<<24 | uint64(n)&0xffffff
	return x<<32 | x
}

// checkPattern reports a torn value, or one whose writer is not allowed.
func checkPattern(v uint64, allowed func(writer int) bool) error {
	hi, lo := v>>32, v&0xffffffff
	if hi != lo {
		return fmt.Errorf("torn value %#x", v)
	}
	if v != 0 && !allowed(int(lo>>24)-1) {
		return fmt.Errorf("value %#x from writer %d, which may not write here", v, int(lo>>24)-1)
	}
	return nil
}

// counter counts the successes and refusals of one kind of operation.
type counter struct{ ok, refused atomic.Int64 }

// count records err: nil is a success, ErrBorrowed a refusal, and anything
// else is returned.
func (c *counter) count(err error) (bool, error) {
	switch {
	case err == nil:
		c.ok.Add(1)
		return true, nil
	case errors.Is(err, guestptr.ErrBorrowed):
		c.refused.Add(1)
		return false, nil
	}
	return false, err
}

// arena is the memory TestConcurrentAccess shares between its workers.
// Worker i owns [own+0x40*i, own+0x40*(i+1)): 8 uint64s that only it
// writes. The common region, 8 uint64s at common, is everyone's.
type arena struct {
	m *memory.Memory
	// What the workers did.
	ownWrites, ownViews, peeks, commonViews, commonReads counter
}

const (
	workers = 8
	own     = 0x1000
	common  = 0x2000
)

func (a *arena) ownSlice(i int) guestptr.Slice[uint64] {
	return guestptr.NewSlice[uint64](a.m, own+0x40*uint64(i), 8)
}

func ownerOf(addr uint64) int { return int(addr-own) / 0x40 }

// TestConcurrentAccess runs 8 goroutines that read, write and borrow one
// memory at once. Each owns a region that only it writes (by Write and by
// mutable views) and that the others view shared, across region
// boundaries; all of them fight over one common region with mutable views
// and reads. A shared view held throughout keeps every access on the
// checked path, so each is serialized with borrowing. Run with -race.
func TestConcurrentAccess(t *testing.T) {
	a := &arena{m: memory.New(0x10000)}
	keep, err := guestptr.NewSlice[byte](a.m, 0xf000, 8).AsSlice()
	if err != nil {
		t.Fatal(err)
	}
	finals := make([][8]uint64, workers)
	var wg sync.WaitGroup
	for id := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.worker(id, 1500, &finals[id]); err != nil {
				t.Errorf("worker %d: %v", id, err)
			}
		}()
	}
	wg.Wait()

	if keep.Slice() == nil {
		t.Error("the long-lived view was released")
	}
	if err := keep.Release(); err != nil {
		t.Fatal(err)
	}
	if n := a.m.Borrows().Held(); n != 0 {
		t.Errorf("%d borrows held after every worker finished", n)
	}
	for id := range workers {
		got, err := a.ownSlice(id).ToSlice()
		if err != nil {
			t.Fatal(err)
		}
		if [8]uint64(got) != finals[id] {
			t.Errorf("worker %d's region = %#x, want its last writes %#x", id, got, finals[id])
		}
	}
	var refused int64
	for name, c := range map[string]*counter{
		"own writes": &a.ownWrites, "own views": &a.ownViews, "peeks": &a.peeks,
		"common views": &a.commonViews, "common reads": &a.commonReads,
	} {
		t.Logf("%s: %d done, %d refused", name, c.ok.Load(), c.refused.Load())
		if c.ok.Load() == 0 {
			t.Errorf("no %s succeeded", name)
		}
		refused += c.refused.Load()
	}
	if refused == 0 {
		t.Error("nothing was ever refused: the workers never contended")
	}
}

// worker is one goroutine of TestConcurrentAccess. It leaves in final what
// it last wrote to its own region.
func (a *arena) worker(id, iters int, final *[8]uint64) error {
	r := rand.New(rand.NewPCG(uint64(id), 99))
	mine := a.ownSlice(id)
	var model [8]uint64 // what this worker last wrote to its region
	anyone := func(int) bool { return true }
	for n := range iters {
		switch r.IntN(6) {
		case 0: // plain Write to its own region, refused under others' views
			k := r.Uint64N(8)
			p, _ := mine.Get(k)
			v := pattern(id, n)
			ok, err := a.ownWrites.count(p.Write(v))
			if err != nil {
				return err
			}
			if ok {
				model[k] = v
			}
			// Only this worker writes here: a read sees its last write.
			if got, err := p.Read(); err != nil || got != model[k] {
				return fmt.Errorf("own element %d = %#x, %v; want %#x", k, got, err, model[k])
			}
		case 1: // mutable view of its own region
			v, err := mine.AsSliceMut()
			if ok, err := a.ownViews.count(err); !ok {
				if err != nil {
					return err
				}
				continue
			}
			if [8]uint64(v.Slice()) != model {
				return fmt.Errorf("own view %#x, want %#x", v.Slice(), model)
			}
			for k := range v.Slice() {
				model[k] = pattern(id, n+k)
				v.Slice()[k] = model[k]
			}
			runtime.Gosched() // let the others run into the borrow
			if err := v.Release(); err != nil {
				return err
			}
			got, err := mine.ToSlice()
			if err != nil || [8]uint64(got) != model {
				return fmt.Errorf("own region after release = %#x, %v; want %#x", got, err, model)
			}
		case 2: // shared view across the regions of others
			start := own + 8*r.Uint64N(7*8)
			v, err := guestptr.NewSlice[uint64](a.m, start, 8).AsSlice()
			if ok, err := a.peeks.count(err); !ok {
				if err != nil {
					return err
				}
				continue
			}
			for k, x := range v.Slice() {
				owner := ownerOf(start + 8*uint64(k))
				if err := checkPattern(x, func(w int) bool { return w == owner }); err != nil {
					return err
				}
			}
			runtime.Gosched()
			if err := v.Release(); err != nil {
				return err
			}
		case 3: // mutable view of part of the common region
			i := r.Uint64N(8)
			j := i + 1 + r.Uint64N(8-i)
			v, err := guestptr.NewSlice[uint64](a.m, common+8*i, j-i).AsSliceMut()
			if ok, err := a.commonViews.count(err); !ok {
				if err != nil {
					return err
				}
				continue
			}
			for k, x := range v.Slice() {
				if err := checkPattern(x, anyone); err != nil {
					return err
				}
				v.Slice()[k] = pattern(id, n)
			}
			runtime.Gosched()
			for _, x := range v.Slice() {
				if x != pattern(id, n) {
					return fmt.Errorf("common view changed under a mutable borrow: %#x", x)
				}
			}
			if err := v.Release(); err != nil {
				return err
			}
		case 4: // plain read of part of the common region
			i := r.Uint64N(8)
			vs, err := guestptr.NewSlice[uint64](a.m, common+8*i, 8-i).ToSlice()
			if ok, err := a.commonReads.count(err); !ok {
				if err != nil {
					return err
				}
				continue
			}
			for _, x := range vs {
				if err := checkPattern(x, anyone); err != nil {
					return err
				}
			}
		case 5: // plain read of its own region
			got, err := mine.ToSlice()
			if err != nil || [8]uint64(got) != model {
				return fmt.Errorf("own region = %#x, %v; want %#x", got, err, model)
			}
		}
	}
	*final = model
	return nil
}
