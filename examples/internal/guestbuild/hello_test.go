package guestbuild_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The hello guests' layout (wasm32), as pinned in examples/hello/guest/hello.h.
const (
	itemSize  = 16
	requestSz = 52
	replySize = 40
)

// helloHost is a hand-written guestkit.hello that reads the request with
// raw little-endian loads, independent of the library under development. Its
// knobs make it misbehave in one way each so the guests' checks can be seen
// to fail.
type helloHost struct {
	t *testing.T
	// rc is returned instead of 0 when nonzero; the reply is not written.
	rc int32
	// badChecksum corrupts the checksum.
	badChecksum bool
	// badWeight adds 0.1 to the total weight.
	badWeight bool
	// overrun writes one byte past the greeting.
	overrun bool
	// touchRequest writes into the request.
	touchRequest bool
	// splitMotto writes the motto up to the buffer's capacity, splitting a
	// UTF-8 sequence.
	splitMotto bool
	// badRecord gives record 1 a wrong value.
	badRecord bool
	// calls counts calls.
	calls int
}

// wantRequest is the request both guests build, as the host decodes it.
const wantRequest = "version=1 owner={7 1 1 2.5} name=\"wasm guest\" color=2 perms=5 " +
	"shape={kind=1 min=(-1,-2) max=(3,4)} items=[{1 0 2 0.5} {2 1 3 1.25} {3 2 4 2}] urgent=1"

func (h *helloHost) hello(_ context.Context, m api.Module, reqPtr, outPtr uint32) int32 {
	h.calls++
	if h.rc != 0 {
		return h.rc
	}
	mem := m.Memory()
	read := func(off, n uint32) []byte {
		b, ok := mem.Read(off, n)
		if !ok {
			panic(fmt.Sprintf("read of %d bytes at %#x out of range", n, off))
		}
		return b
	}
	le := binary.LittleEndian
	item := func(off uint32) (id uint32, color uint8, count uint16, weight float64) {
		b := read(off, itemSize)
		return le.Uint32(b[0:]), b[4], le.Uint16(b[6:]), math.Float64frombits(le.Uint64(b[8:]))
	}
	if reqPtr%4 != 0 || outPtr%8 != 0 {
		h.t.Errorf("misaligned request %#x or reply %#x", reqPtr, outPtr)
	}
	req := read(reqPtr, requestSz)
	name := read(le.Uint32(req[8:]), le.Uint32(req[12:]))
	oid, ocolor, ocount, oweight := item(le.Uint32(req[4:]))
	var sb strings.Builder
	fmt.Fprintf(&sb, "version=%d owner={%d %d %d %g} name=%q color=%d perms=%d ",
		le.Uint32(req[0:]), oid, ocolor, ocount, oweight, name, req[16], le.Uint16(req[18:]))
	i32 := func(off int) int32 { return int32(le.Uint32(req[off:])) }
	fmt.Fprintf(&sb, "shape={kind=%d min=(%d,%d) max=(%d,%d)} items=[", req[20], i32(24), i32(28), i32(32), i32(36))
	itemsPtr, itemsLen := le.Uint32(req[40:]), le.Uint32(req[44:])
	total := 0.0
	for i := uint32(0); i < itemsLen; i++ {
		id, color, count, weight := item(itemsPtr + i*itemSize)
		if i > 0 {
			sb.WriteString(" ")
		}
		fmt.Fprintf(&sb, "{%d %d %d %g}", id, color, count, weight)
		total += float64(count) * weight
	}
	fmt.Fprintf(&sb, "] urgent=%d", req[48])
	if got := sb.String(); got != wantRequest {
		h.t.Errorf("request:\n got %s\nwant %s", got, wantRequest)
	}

	sum := uint64(14695981039346656037)
	for _, c := range name {
		sum ^= uint64(c)
		sum *= 1099511628211
	}
	if h.badChecksum {
		sum++
	}
	if h.badWeight {
		total += 0.1
	}
	rep := read(outPtr, replySize)
	greeting := append([]byte("hello, "), name...)
	gptr, gcap := le.Uint32(rep[28:]), le.Uint32(rep[32:])
	n := min(uint32(len(greeting)), gcap)
	out := make([]byte, replySize)
	copy(out, rep) // keep greeting, greeting_cap and padding
	le.PutUint32(out[0:], 0)
	out[4] = req[16]
	le.PutUint16(out[6:], le.Uint16(req[18:])&3)
	le.PutUint64(out[8:], sum)
	le.PutUint64(out[16:], math.Float64bits(total))
	le.PutUint32(out[24:], itemsLen)
	le.PutUint32(out[36:], n)
	mem.Write(outPtr, out)
	mem.Write(gptr, greeting[:n])
	if h.overrun {
		mem.WriteByte(gptr+n, 0)
	}
	if h.touchRequest {
		mem.WriteByte(reqPtr+49, 1) // padding after urgent
	}
	return 0
}

// motto is MOTTO of hello.h.
const motto = "héllo wörld ✓✓✓"

// replies is a hand-written guestkit.replies: it allocates the message, the
// records and their names by calling the guest's exported malloc, and
// writes the motto cut at a UTF-8 boundary, with raw little-endian stores.
func (h *helloHost) replies(ctx context.Context, m api.Module, reqPtr, outPtr uint32) int32 {
	h.calls++
	mem := m.Memory()
	le := binary.LittleEndian
	read := func(off, n uint32) []byte {
		b, ok := mem.Read(off, n)
		if !ok {
			panic(fmt.Sprintf("read of %d bytes at %#x out of range", n, off))
		}
		return b
	}
	malloc := m.ExportedFunction("malloc")
	alloc := func(b []byte) uint32 {
		res, err := malloc.Call(ctx, uint64(len(b)))
		if err != nil {
			panic(err)
		}
		p := uint32(res[0])
		if !mem.Write(p, b) {
			panic(fmt.Sprintf("malloc returned %#x, out of range", p))
		}
		return p
	}
	req := read(reqPtr, requestSz)
	name := read(le.Uint32(req[8:]), le.Uint32(req[12:]))
	itemsPtr, itemsLen := le.Uint32(req[40:]), le.Uint32(req[44:])
	msg := []byte(fmt.Sprintf("hello, %s: %d items", name, itemsLen))
	recs := make([]byte, 12*itemsLen)
	msgPtr := alloc(msg)
	recsPtr := alloc(recs)
	for i := range itemsLen {
		it := read(itemsPtr+i*itemSize, itemSize)
		id, color, count := le.Uint32(it[0:]), it[4], le.Uint16(it[6:])
		n := []byte(fmt.Sprintf("item %d × %d", id, count))
		le.PutUint32(recs[12*i:], alloc(n))
		le.PutUint32(recs[12*i+4:], uint32(len(n)))
		v := uint32(count)*100 + uint32(color)
		if h.badRecord && i == 1 {
			v++
		}
		le.PutUint32(recs[12*i+8:], v)
	}
	mem.Write(recsPtr, recs)
	out := read(outPtr, 28)
	mottoPtr, mottoCap := le.Uint32(out[16:]), le.Uint32(out[20:])
	n := min(uint32(len(motto)), mottoCap)
	for !h.splitMotto && n > 0 && n < uint32(len(motto)) && motto[n]&0xC0 == 0x80 {
		n--
	}
	mem.Write(mottoPtr, []byte(motto[:n]))
	le.PutUint32(out[0:], msgPtr)
	le.PutUint32(out[4:], uint32(len(msg)))
	le.PutUint32(out[8:], recsPtr)
	le.PutUint32(out[12:], itemsLen)
	le.PutUint32(out[24:], n)
	return 0
}

func (h *helloHost) instantiate(ctx context.Context, r wazero.Runtime) error {
	_, err := r.NewHostModuleBuilder("guestkit").
		NewFunctionBuilder().WithFunc(h.hello).Export("hello").
		NewFunctionBuilder().WithFunc(h.replies).Export("replies").
		Instantiate(ctx)
	return err
}

const helloPass = `ok host_hello
ok status
ok color_echo
ok perms_granted
ok checksum
ok total_weight
ok items_seen
ok greeting_ptr
ok greeting_cap
ok greeting_len
ok greeting
ok greeting_tail
ok request_untouched
ok replies
ok message_len
ok message
ok records_len
ok record_0
ok record_1
ok record_2
ok mallocs
ok motto_ptr
ok motto_cap
ok motto_len
ok motto
ok motto_tail
PASS: all 26 checks passed
`

// TestHelloGuests runs the C and Go hello guests against a correct
// guestkit.hello and against hosts that fail or misbehave, checking the
// guests pass only with the correct one, with the same output.
func TestHelloGuests(t *testing.T) {
	guests := []struct {
		name string
		wasm func(t *testing.T) []byte
	}{
		{"c", func(t *testing.T) []byte { return committedC(t, "hello") }},
		{"go", func(t *testing.T) []byte { return goGuest(t, "examples/hello/goguest") }},
	}
	cases := []struct {
		name     string
		host     helloHost
		exitCode uint32
		// stdout is the expected output, or a line it must contain when
		// contains is set.
		stdout   string
		contains bool
	}{
		{name: "correct host", exitCode: 0, stdout: helloPass},
		{name: "host returns 1", host: helloHost{rc: 1}, exitCode: 1,
			stdout: "FAIL host_hello got 1 want 0\nFAIL: host_hello returned 1, reply not checked\n"},
		{name: "bad checksum", host: helloHost{badChecksum: true}, exitCode: 1,
			stdout: "FAIL checksum got 15459737571072963082 want 15459737571072963081\n", contains: true},
		{name: "bad total weight", host: helloHost{badWeight: true}, exitCode: 1,
			stdout: "FAIL total_weight got 12.85 want 12.75\n", contains: true},
		{name: "greeting overrun", host: helloHost{overrun: true}, exitCode: 1,
			stdout: "FAIL greeting_tail byte 17 was overwritten\n", contains: true},
		{name: "request written", host: helloHost{touchRequest: true}, exitCode: 1,
			stdout: "FAIL request_untouched request bytes changed\n", contains: true},
		{name: "motto split", host: helloHost{splitMotto: true}, exitCode: 1,
			stdout: "FAIL motto_len got 16 want 14\n", contains: true},
		{name: "bad record", host: helloHost{badRecord: true}, exitCode: 1,
			stdout: "FAIL record_1 record differs\n", contains: true},
	}
	outputs := map[string][]string{} // case name -> stdout of each guest
	for _, g := range guests {
		t.Run(g.name, func(t *testing.T) {
			wasm := g.wasm(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					h := tc.host
					h.t = t
					res := runGuest(t, wasm, runConfig{args: []string{"hello"}, host: h.instantiate})
					if want := 2 - min(tc.host.rc, 1); h.calls != int(want) {
						t.Errorf("guestkit.hello and guestkit.replies called %d times, want %d", h.calls, want)
					}
					if res.exitCode != tc.exitCode {
						t.Errorf("exit code %d, want %d", res.exitCode, tc.exitCode)
					}
					if tc.contains && !strings.Contains(res.stdout, tc.stdout) ||
						!tc.contains && res.stdout != tc.stdout {
						t.Errorf("stdout:\n%s\nwant (contains=%v):\n%s", res.stdout, tc.contains, tc.stdout)
					}
					outputs[tc.name] = append(outputs[tc.name], res.stdout)
					if res.stderr != "" {
						t.Errorf("stderr: %s", res.stderr)
					}
					t.Logf("WASI functions called: %v", res.wasiCalls)
					if extra := outsideList(res.wasiCalls); len(extra) > 0 {
						t.Logf("called outside guestbuild.WASIFunctions (ENOSYS on the guestkit host): %v", extra)
					}
				})
			}
		})
	}
	for name, outs := range outputs {
		if len(outs) == 2 && outs[0] != outs[1] {
			t.Errorf("%s: C and Go guests printed different output:\n%s\n---\n%s", name, outs[0], outs[1])
		}
	}
}
