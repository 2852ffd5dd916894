package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/examples/hello/hellohost"
	"github.com/guestkit/guestkit/examples/internal/guestbuild"
	"github.com/guestkit/guestkit/guestptr"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory"
)

// golden is what `go run ./examples/hello` prints, for either guest: both
// build the same request and print the same checks.
const golden = `host: request v1 from "wasm guest" (urgent) color=blue perms=read|exec
host:   owner  item 7, green, count 1, weight 2.5
host:   shape  rect (-1,-2)-(3,4)
host:   items  3:
host:     id  color  count  weight
host:      1    red      2     0.5
host:      2  green      3    1.25
host:      3   blue      4       2
host: reply status=0 color=blue perms=read checksum=0xd68c056964907209 total_weight=12.75 items_seen=3 greeting="hello, wasm guest"
guest: ok host_hello
guest: ok status
guest: ok color_echo
guest: ok perms_granted
guest: ok checksum
guest: ok total_weight
guest: ok items_seen
guest: ok greeting_ptr
guest: ok greeting_cap
guest: ok greeting_len
guest: ok greeting
guest: ok greeting_tail
guest: ok request_untouched
host: replies message="hello, wasm guest: 3 items" records=3 motto="héllo wörld " (14 of 23 bytes)
guest: ok replies
guest: ok message_len
guest: ok message
guest: ok records_len
guest: ok record_0
guest: ok record_1
guest: ok record_2
guest: ok mallocs
guest: ok motto_ptr
guest: ok motto_cap
guest: ok motto_len
guest: ok motto
guest: ok motto_tail
guest: PASS: all 26 checks passed
hello: ok: the guest exited 0 and the host saw a valid request
`

func TestRunCGuest(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), helloWasm, &out); err != nil {
		t.Errorf("run: %v", err)
	}
	if diff := cmp.Diff(golden, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestRunGoGuest(t *testing.T) {
	wasm, err := os.ReadFile(guestbuild.BuildGo(t, "examples/hello/goguest"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), wasm, &out); err != nil {
		t.Errorf("run: %v", err)
	}
	if diff := cmp.Diff(golden, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// TestRunRejectsBadGuests checks run's verdict on guests that are not
// WASI commands or trap.
func TestRunRejectsBadGuests(t *testing.T) {
	for _, tc := range []struct {
		name, err string
		wasm      []byte
	}{
		{"not wasm", "invalid magic number", []byte("hello")},
		{"no _start", "exports no _start", wa.Module()},
		{"trap", "guest trapped", wa.Module(
			wa.Section(wa.SecType, wa.FuncType(nil, nil)),
			wa.Section(wa.SecFunction, wa.Uleb(0)),
			wa.Section(wa.SecExport, wa.Export("_start", wa.ExportFunc, 0)),
			wa.Section(wa.SecCode, wa.Code(nil, []byte{0x00})), // unreachable
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.wasm, &out)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("run: %v, want an error containing %q", err, tc.err)
			}
		})
	}
}

// TestRunVerdict runs hand-assembled guests that send a valid or a
// corrupted request through wazero and wazeromem, and checks run succeeds
// only when the guest exits 0 and the host saw a valid request.
func TestRunVerdict(t *testing.T) {
	hostReport := golden[:strings.Index(golden, "guest: ")]
	badColor := func(t *testing.T, mem *memory.Memory) {
		color, err := guestptr.Field[hellohost.Color](guestptr.New[hellohost.Request](mem, hellohost.SampleReqAddr), "Color")
		if err == nil {
			err = guestptr.Cast[uint8](color).Write(7)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	const colorErr = "read guestptr.Ptr[hellohost.Request] at 0x100: field Color: invalid enum 7 (hellohost.Color has 3 cases)"
	for _, tc := range []struct {
		name             string
		corrupt          func(t *testing.T, mem *memory.Memory)
		call, exitWithRC bool
		err, out         string // err is "" for success
	}{
		{name: "valid", call: true, exitWithRC: true,
			out: hostReport + "hello: ok: the guest exited 0 and the host saw a valid request\n"},
		{name: "corrupt, guest exits with the status", corrupt: badColor, call: true, exitWithRC: true,
			err: "the guest exited with code 28", out: "host: error: " + colorErr + "\n"},
		{name: "corrupt, guest ignores the status", corrupt: badColor, call: true,
			err: "the guest exited 0 but the host saw no valid request: " + colorErr, out: "host: error: " + colorErr + "\n"},
		{name: "no call",
			err: "the guest exited 0 without calling guestkit.hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem, err := hellohost.SampleRequest()
			if err != nil {
				t.Fatal(err)
			}
			if tc.corrupt != nil {
				tc.corrupt(t, mem)
			}
			var out bytes.Buffer
			err = run(context.Background(), hellohost.SampleGuest(mem, tc.call, tc.exitWithRC), &out)
			if got := fmt.Sprint(err); tc.err == "" && err != nil || tc.err != "" && got != tc.err {
				t.Errorf("run: %v, want %q", err, tc.err)
			}
			if diff := cmp.Diff(tc.out, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}
