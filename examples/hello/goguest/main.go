//go:build wasip1

// Command goguest is the Go (GOOS=wasip1 GOARCH=wasm) twin of the C guest in
// examples/hello/guest: it lays out a request in its own linear memory with
// exactly the C (wasm32) layout, calls the host function guestkit.hello, and
// checks every field of the reply against values it computes itself.
//
// Output: one line per check on stdout ("ok NAME" or "FAIL NAME got X want
// Y"), then a summary line. It exits with status 1 if any check failed.
//
// GOARCH=wasm has 8-byte pointers and ints, but linear-memory addresses fit
// in 32 bits, so every C pointer field is declared uint32 here and set with
// addr. All memory the host reads or writes lives in package-level variables:
// they are never moved (unlike goroutine stacks, which may be copied when they
// grow) and are kept alive across the host call with runtime.KeepAlive.
package main

import (
	"fmt"
	"os"
	"runtime"
	"structs"
	"unsafe"
)

// Colors, stored in uint8 fields.
const (
	colorRed   = 0
	colorGreen = 1
	colorBlue  = 2
)

// Permission flags, stored in uint16 fields.
const (
	permRead  = 1
	permWrite = 2
	permExec  = 4
)

// Shape kinds.
const (
	shapeCircle = 0
	shapeRect   = 1
	shapeEmpty  = 2
)

const greetingCap = 64

const sentinel = 0xAA

type point struct {
	_    structs.HostLayout
	X, Y int32
}

type item struct {
	_      structs.HostLayout
	ID     uint32
	Color  uint8
	Count  uint16
	Weight float64
}

type rect struct {
	_        structs.HostLayout
	Min, Max point
}

// shape is C's struct shape. Go has no unions: U holds the largest member
// (the rect); a circle's radius would be the float32 at U's first byte.
type shape struct {
	_    structs.HostLayout
	Kind uint8
	U    rect
}

type request struct {
	_        structs.HostLayout
	Version  uint32
	Owner    uint32 // const struct item *
	Name     uint32 // const char *
	NameLen  uint32
	Color    uint8
	Perms    uint16
	Shape    shape
	Items    uint32 // const struct item *
	ItemsLen uint32
	Urgent   bool
}

type reply struct {
	_            structs.HostLayout
	Status       uint32
	ColorEcho    uint8
	PermsGranted uint16
	Checksum     uint64
	TotalWeight  float64
	ItemsSeen    uint32
	Greeting     uint32 // char *
	GreetingCap  uint32
	GreetingLen  uint32
}

//go:wasmimport guestkit hello
func hostHello(req, out uint32) int32

const mottoCap = 16

// motto is MOTTO of hello.h: "héllo wörld ✓✓✓".
const motto = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93"

type record struct {
	_       structs.HostLayout
	Name    uint32 // const char *, allocated by the host
	NameLen uint32
	Value   uint32
}

type replies struct {
	_          structs.HostLayout
	Message    uint32 // char *, allocated by the host
	MessageLen uint32
	Records    uint32 // struct record *, allocated by the host
	RecordsLen uint32
	Motto      uint32 // char *: the guest's buffer
	MottoCap   uint32
	MottoLen   uint32
}

//go:wasmimport guestkit replies
func hostReplies(req, out uint32) int32

// heap holds the blocks the host allocated through malloc, by address,
// until free: Go's heap does not move them, and this keeps them alive.
var (
	heap    = map[uint32][]uint64{}
	mallocs int
)

// malloc is the allocator the host calls to allocate replies here. Blocks
// are 8-byte aligned, as []uint64 are.
//
//go:wasmexport malloc
func malloc(n uint32) uint32 {
	mallocs++
	b := make([]uint64, (n+7)/8+1)
	a := addr(unsafe.Pointer(&b[0]))
	heap[a] = b
	return a
}

//go:wasmexport free
func free(p uint32) { delete(heap, p) }

// guestBytes returns the first n bytes of the block malloc returned at a,
// or nil if a is not such a block or n passes its end.
func guestBytes(a, n uint32) []byte {
	b, ok := heap[a]
	if !ok || uintptr(n) > uintptr(len(b))*8 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), n)
}

// utf8Fit is the length of the longest prefix of s that fits in cap bytes
// and does not end inside a UTF-8 sequence.
func utf8Fit(s string, cap int) int {
	if len(s) <= cap {
		return len(s)
	}
	k := cap
	for k > 0 && s[k]&0xC0 == 0x80 {
		k--
	}
	return k
}

var (
	reps      replies
	mottoBuf  [mottoCap]byte
	recordBuf record
)

// checkReplies calls guestkit.replies and checks every byte of what came
// back, as the C guest does.
func checkReplies() {
	for i := range bytesOf(&reps) {
		bytesOf(&reps)[i] = sentinel
	}
	for i := range mottoBuf {
		mottoBuf[i] = sentinel
	}
	reps.Motto = addr(unsafe.Pointer(&mottoBuf[0]))
	reps.MottoCap = mottoCap
	mallocs = 0
	wantMessage := fmt.Sprintf("hello, %s: %d items", name[:], req.ItemsLen)
	wantMottoLen := utf8Fit(motto, mottoCap)

	rc := hostReplies(addr(unsafe.Pointer(&req)), addr(unsafe.Pointer(&reps)))
	runtime.KeepAlive(&reps)
	runtime.KeepAlive(&mottoBuf)
	checkU64("replies", uint64(uint32(rc)), 0)
	if rc != 0 {
		return
	}
	checkU64("message_len", uint64(reps.MessageLen), uint64(len(wantMessage)))
	checkBool("message", reps.Message != 0 && int(reps.MessageLen) == len(wantMessage) &&
		string(guestBytes(reps.Message, reps.MessageLen)) == wantMessage, "message bytes differ")
	checkU64("records_len", uint64(reps.RecordsLen), uint64(req.ItemsLen))
	for i := 0; i < int(req.ItemsLen) && reps.RecordsLen == req.ItemsLen; i++ {
		want := fmt.Sprintf("item %d \xc3\x97 %d", items[i].ID, items[i].Count)
		size := uint32(unsafe.Sizeof(recordBuf))
		rb := guestBytes(reps.Records, uint32(i+1)*size)
		if rb == nil {
			checkBool(fmt.Sprintf("record_%d", i), false, "records is not a block the host allocated")
			continue
		}
		r := (*record)(unsafe.Pointer(&rb[uint32(i)*size]))
		checkBool(fmt.Sprintf("record_%d", i), r.Name != 0 && int(r.NameLen) == len(want) &&
			string(guestBytes(r.Name, r.NameLen)) == want && r.Value == uint32(items[i].Count)*100+uint32(items[i].Color),
			"record differs")
	}
	checkU64("mallocs", uint64(mallocs), 2+uint64(req.ItemsLen))
	checkU64("motto_ptr", uint64(reps.Motto), uint64(addr(unsafe.Pointer(&mottoBuf[0]))))
	checkU64("motto_cap", uint64(reps.MottoCap), mottoCap)
	checkU64("motto_len", uint64(reps.MottoLen), uint64(wantMottoLen))
	checkBool("motto", int(reps.MottoLen) == wantMottoLen && string(mottoBuf[:wantMottoLen]) == motto[:wantMottoLen], "motto bytes differ")
	touched := mottoCap
	for i := wantMottoLen; i < mottoCap; i++ {
		if mottoBuf[i] != sentinel {
			touched = i
			break
		}
	}
	checkBool("motto_tail", touched == mottoCap, "the host wrote past motto_len")
	for k := range heap {
		free(k)
	}
}

// Everything the host sees lives in package-level variables (static data).
var (
	owner = item{ID: 7, Color: colorGreen, Count: 1, Weight: 2.5}
	items = [3]item{
		{ID: 1, Color: colorRed, Count: 2, Weight: 0.5},
		{ID: 2, Color: colorGreen, Count: 3, Weight: 1.25},
		{ID: 3, Color: colorBlue, Count: 4, Weight: 2.0},
	}
	name     = [...]byte{'w', 'a', 's', 'm', ' ', 'g', 'u', 'e', 's', 't'}
	req      request
	reqCopy  request
	rep      reply
	greeting [greetingCap]byte
)

// bytesOf returns the memory of *p, padding included.
func bytesOf[T any](p *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), unsafe.Sizeof(*p))
}

// addr returns the linear-memory address of p.
func addr(p unsafe.Pointer) uint32 { return uint32(uintptr(p)) }

// checkLayout panics unless the Go types have exactly the C (wasm32) layout
// pinned by the _Static_asserts in examples/hello/guest/hello.h.
func checkLayout() {
	type want struct {
		what      string
		got, want uintptr
	}
	var (
		p point
		i item
		s shape
		q request
		r reply
	)
	for _, c := range []want{
		{"sizeof point", unsafe.Sizeof(p), 8},
		{"alignof point", unsafe.Alignof(p), 4},
		{"point.x", unsafe.Offsetof(p.X), 0},
		{"point.y", unsafe.Offsetof(p.Y), 4},

		{"sizeof item", unsafe.Sizeof(i), 16},
		{"alignof item", unsafe.Alignof(i), 8},
		{"item.id", unsafe.Offsetof(i.ID), 0},
		{"item.color", unsafe.Offsetof(i.Color), 4},
		{"item.count", unsafe.Offsetof(i.Count), 6},
		{"item.weight", unsafe.Offsetof(i.Weight), 8},

		{"sizeof shape", unsafe.Sizeof(s), 20},
		{"alignof shape", unsafe.Alignof(s), 4},
		{"shape.kind", unsafe.Offsetof(s.Kind), 0},
		{"shape.u", unsafe.Offsetof(s.U), 4},
		{"sizeof shape.u", unsafe.Sizeof(s.U), 16},
		{"shape.u.rect.max", unsafe.Offsetof(s.U.Max), 8},

		{"sizeof request", unsafe.Sizeof(q), 52},
		{"alignof request", unsafe.Alignof(q), 4},
		{"request.version", unsafe.Offsetof(q.Version), 0},
		{"request.owner", unsafe.Offsetof(q.Owner), 4},
		{"request.name", unsafe.Offsetof(q.Name), 8},
		{"request.name_len", unsafe.Offsetof(q.NameLen), 12},
		{"request.color", unsafe.Offsetof(q.Color), 16},
		{"request.perms", unsafe.Offsetof(q.Perms), 18},
		{"request.shape", unsafe.Offsetof(q.Shape), 20},
		{"request.items", unsafe.Offsetof(q.Items), 40},
		{"request.items_len", unsafe.Offsetof(q.ItemsLen), 44},
		{"request.urgent", unsafe.Offsetof(q.Urgent), 48},

		{"sizeof reply", unsafe.Sizeof(r), 40},
		{"alignof reply", unsafe.Alignof(r), 8},
		{"reply.status", unsafe.Offsetof(r.Status), 0},
		{"reply.color_echo", unsafe.Offsetof(r.ColorEcho), 4},
		{"reply.perms_granted", unsafe.Offsetof(r.PermsGranted), 6},
		{"reply.checksum", unsafe.Offsetof(r.Checksum), 8},
		{"reply.total_weight", unsafe.Offsetof(r.TotalWeight), 16},
		{"reply.items_seen", unsafe.Offsetof(r.ItemsSeen), 24},
		{"reply.greeting", unsafe.Offsetof(r.Greeting), 28},
		{"reply.greeting_cap", unsafe.Offsetof(r.GreetingCap), 32},
		{"reply.greeting_len", unsafe.Offsetof(r.GreetingLen), 36},
	} {
		if c.got != c.want {
			panic(fmt.Sprintf("layout mismatch: %s is %d, C has %d", c.what, c.got, c.want))
		}
	}
}

func init() { checkLayout() }

func fnv1a64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

var checks, failures int

func checkU64(what string, got, want uint64) {
	checks++
	if got == want {
		fmt.Printf("ok %s\n", what)
		return
	}
	failures++
	fmt.Printf("FAIL %s got %d want %d\n", what, got, want)
}

func checkF64(what string, got, want float64) {
	checks++
	if got == want {
		fmt.Printf("ok %s\n", what)
		return
	}
	failures++
	// %.17g as in the C guest.
	fmt.Printf("FAIL %s got %s want %s\n", what, g17(got), g17(want))
}

func g17(f float64) string { return fmt.Sprintf("%.17g", f) }

func checkBool(what string, good bool, detail string) {
	checks++
	if good {
		fmt.Printf("ok %s\n", what)
		return
	}
	failures++
	fmt.Printf("FAIL %s %s\n", what, detail)
}

func main() { os.Exit(run()) }

func run() int {
	req = request{
		Version:  1,
		Owner:    addr(unsafe.Pointer(&owner)),
		Name:     addr(unsafe.Pointer(&name[0])),
		NameLen:  uint32(len(name)),
		Color:    colorBlue,
		Perms:    permRead | permExec,
		Shape:    shape{Kind: shapeRect, U: rect{Min: point{X: -1, Y: -2}, Max: point{X: 3, Y: 4}}},
		Items:    addr(unsafe.Pointer(&items[0])),
		ItemsLen: uint32(len(items)),
		Urgent:   true,
	}
	reqCopy = req

	// Sentinel bytes everywhere the host may write, then the guest's inputs.
	repBytes := bytesOf(&rep)
	for i := range repBytes {
		repBytes[i] = sentinel
	}
	for i := range greeting {
		greeting[i] = sentinel
	}
	rep.Greeting = addr(unsafe.Pointer(&greeting[0]))
	rep.GreetingCap = greetingCap

	// Values the host must produce, computed independently here.
	wantChecksum := fnv1a64(name[:])
	wantTotal := 0.0
	for _, it := range items {
		wantTotal += float64(it.Count) * it.Weight
	}
	wantGreeting := "hello, " + string(name[:])
	wantPerms := uint64((permRead | permExec) & (permRead | permWrite))
	wantItemsSeen := uint64(len(items))
	wantGreetingPtr := uint64(addr(unsafe.Pointer(&greeting[0])))

	rc := hostHello(addr(unsafe.Pointer(&req)), addr(unsafe.Pointer(&rep)))
	runtime.KeepAlive(&req)
	runtime.KeepAlive(&rep)
	runtime.KeepAlive(&owner)
	runtime.KeepAlive(&items)
	runtime.KeepAlive(&name)
	runtime.KeepAlive(&greeting)

	checkU64("host_hello", uint64(uint32(rc)), 0)
	if rc != 0 {
		fmt.Printf("FAIL: host_hello returned %d, reply not checked\n", rc)
		return 1
	}

	checkU64("status", uint64(rep.Status), 0)
	checkU64("color_echo", uint64(rep.ColorEcho), colorBlue)
	checkU64("perms_granted", uint64(rep.PermsGranted), wantPerms)
	checkU64("checksum", rep.Checksum, wantChecksum)
	checkF64("total_weight", rep.TotalWeight, wantTotal)
	checkU64("items_seen", uint64(rep.ItemsSeen), wantItemsSeen)
	checkU64("greeting_ptr", uint64(rep.Greeting), wantGreetingPtr)
	checkU64("greeting_cap", uint64(rep.GreetingCap), greetingCap)
	checkU64("greeting_len", uint64(rep.GreetingLen), uint64(len(wantGreeting)))

	// The greeting text itself (only when its length is plausible).
	glen := rep.GreetingLen
	shown := min(glen, greetingCap)
	got := string(greeting[:shown])
	checkBool("greeting", got == wantGreeting,
		fmt.Sprintf("got \"%s\" want \"%s\"", got, wantGreeting))

	// The host must not write past greeting_len in the guest's buffer.
	touched := greetingCap
	for i := int(shown); i < greetingCap; i++ {
		if greeting[i] != sentinel {
			touched = i
			break
		}
	}
	checkBool("greeting_tail", touched == greetingCap, fmt.Sprintf("byte %d was overwritten", touched))

	// The host must treat the request as read-only.
	checkBool("request_untouched", string(bytesOf(&req)) == string(bytesOf(&reqCopy)), "request bytes changed")

	// Replies the host allocates here.
	checkReplies()

	if failures != 0 {
		fmt.Printf("FAIL: %d of %d checks failed\n", failures, checks)
		return 1
	}
	fmt.Printf("PASS: all %d checks passed\n", checks)
	return 0
}
