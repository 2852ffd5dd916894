package hellohost

import (
	"bytes"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// Where SampleRequest puts the request the hello guests send, in a memory
// of SampleMemSize bytes: the request at SampleReqAddr, the reply at
// SampleOutAddr (sentinel bytes around a greeting buffer of SampleBufCap
// bytes at SampleBufAddr), the owner, the items and the name after them.
const (
	SampleReqAddr   = 0x100
	SampleOutAddr   = 0x200
	SampleBufAddr   = 0x300
	SampleBufCap    = 64
	SampleOwnerAddr = 0x400
	SampleItemsAddr = 0x500
	SampleNameAddr  = 0x600
	SampleMemSize   = 0x1000
	SampleSentinel  = 0xaa
)

// SampleItems are the items of SampleRequest.
var SampleItems = []Item{
	{ID: 1, Color: Red, Count: 2, Weight: 0.5},
	{ID: 2, Color: Green, Count: 3, Weight: 1.25},
	{ID: 3, Color: Blue, Count: 4, Weight: 2},
}

// SampleRequest returns a memory holding the request the hello guests send
// and a reply of sentinel bytes around the greeting buffer, as the guests
// leave it, all written through guestptr: the fixture of the tests of both
// runtime bindings.
func SampleRequest() (*memory.Memory, error) {
	mem := memory.New(SampleMemSize)
	name := []byte("wasm guest")
	req := Request{
		Version: 1,
		Owner:   guestptr.New[Item](mem, SampleOwnerAddr),
		Name:    guestptr.NewString(mem, SampleNameAddr, uint64(len(name))),
		Color:   Blue,
		Perms:   PermRead | PermExec,
		Items:   guestptr.NewSlice[Item](mem, SampleItemsAddr, uint64(len(SampleItems))),
		Urgent:  true,
	}
	req.Shape.Kind = ShapeRect
	req.Shape.Rect.Min, req.Shape.Rect.Max = Point{-1, -2}, Point{3, 4}
	reply := SampleBufAddr + SampleBufCap - SampleOutAddr
	greeting, err := guestptr.Field[guestptr.Slice[byte]](guestptr.New[Reply](mem, SampleOutAddr), "Greeting")
	for _, err := range []error{
		err,
		guestptr.New[Item](mem, SampleOwnerAddr).Write(Item{ID: 7, Color: Green, Count: 1, Weight: 2.5}),
		guestptr.NewSlice[Item](mem, SampleItemsAddr, uint64(len(SampleItems))).CopyFromSlice(SampleItems),
		guestptr.NewSlice[byte](mem, SampleNameAddr, uint64(len(name))).CopyFromSlice(name),
		guestptr.New[Request](mem, SampleReqAddr).Write(req),
		guestptr.NewSlice[byte](mem, SampleOutAddr, uint64(reply)).CopyFromSlice(bytes.Repeat([]byte{SampleSentinel}, reply)),
		greeting.Write(guestptr.NewSlice[byte](mem, SampleBufAddr, SampleBufCap)),
	} {
		if err != nil {
			return nil, err
		}
	}
	return mem, nil
}
