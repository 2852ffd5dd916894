package deep_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/guestptr/deep"
	"github.com/guestkit/guestkit/memory"
)

type Rec struct {
	Name  string
	Value uint32
	Tags  []string
}

type Req struct {
	ID      uint64
	Name    string
	Records []Rec
	Next    *Req
	Small   int `guest:"u8"`
}

func TestSmoke(t *testing.T) {
	mem := memory.New(1 << 16)
	a := &guestptr.Bump{Next: 0x1000, End: 0x10000}
	in := Req{ID: 7, Name: "héllo", Records: []Rec{{"a", 1, []string{"x", "yz"}}, {"b", 2, nil}}, Next: &Req{Name: "inner"}, Small: 200}
	if err := deep.Store(mem, 0x100, &in, a, deep.Limits{}); err != nil {
		t.Fatal(err)
	}
	out, err := deep.Load[Req](mem, 0x100, deep.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out); d != "" {
		t.Error(d)
	}
	c, _ := deep.For[Req](mem.ABI())
	t.Log(c.Layout())
}
