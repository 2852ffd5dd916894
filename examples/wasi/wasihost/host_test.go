package wasihost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// memoryModule is a wasm module that exports one page of memory and
// nothing else: a stand-in caller for calling host functions directly.
var memoryModule = memoryModuleOf(1)

// memoryModuleOf is a wasm module that exports a memory of pages pages
// and nothing else.
func memoryModuleOf(pages uint64) []byte {
	return wasmasm.Module(
		wasmasm.Section(wasmasm.SecMemory, wasmasm.MemoryType(pages)),
		wasmasm.Section(wasmasm.SecExport, wasmasm.Export("memory", wasmasm.ExportMemory, 0)),
	)
}

// fixture is a host and a module to call its functions as.
type fixture struct {
	t   testing.TB
	h   *Host
	mod api.Module
	mem *memory.Memory
	fns map[string]api.GoModuleFunc
}

func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	return newFixtureSize(t, cfg, 1)
}

// newFixtureSize is newFixture with a memory of pages pages.
func newFixtureSize(t testing.TB, cfg Config, pages uint64) *fixture {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	t.Cleanup(func() { r.Close(ctx) })
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := r.Instantiate(ctx, memoryModuleOf(pages))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, h: h, mod: mod, mem: wazeromem.Of(mod.Memory()), fns: map[string]api.GoModuleFunc{}}
	for _, fn := range h.functions() {
		f.fns[fn.name] = fn.fn
	}
	return f
}

// call calls a host function with params and returns its errno.
func (f *fixture) call(name string, params ...uint64) Errno {
	f.t.Helper()
	fn, ok := f.fns[name]
	if !ok {
		f.t.Fatalf("no function %s", name)
	}
	stack := make([]uint64, max(len(params), 1))
	copy(stack, params)
	fn(context.Background(), f.mod, stack)
	return Errno(stack[0])
}

// write puts v at addr with guestptr.
func write[T any](f *fixture, addr uint64, v T) {
	f.t.Helper()
	if err := guestptr.New[T](f.mem, addr).Write(v); err != nil {
		f.t.Fatal(err)
	}
}

// read gets the T at addr with guestptr.
func read[T any](f *fixture, addr uint64) T {
	f.t.Helper()
	v, err := guestptr.New[T](f.mem, addr).Read()
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *fixture) bytes(addr uint64, b []byte) guestptr.Slice[byte] {
	f.t.Helper()
	s := guestptr.NewSlice[byte](f.mem, addr, uint64(len(b)))
	if err := s.CopyFromSlice(b); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func TestEveryFunctionExported(t *testing.T) {
	f := newFixture(t, Config{})
	if len(f.fns) != 46 {
		t.Errorf("%d functions, want the 46 of preview1", len(f.fns))
	}
	// Only proc_raise is ENOSYS, as in wazero; the rest check their
	// descriptor first.
	for name := range f.fns {
		if name == "proc_exit" {
			continue
		}
		got := f.call(name, 99, 0, 0, 0, 0, 0, 0, 0, 0)
		if got == ErrnoNosys && name != "proc_raise" {
			t.Errorf("%s = %v", name, got)
		}
	}
}

func TestFdWrite(t *testing.T) {
	var out, errOut bytes.Buffer
	f := newFixture(t, Config{Stdout: &out, Stderr: &errOut})
	a := f.bytes(0x100, []byte("hello, "))
	b := f.bytes(0x200, []byte("world\n"))
	empty := guestptr.NewSlice[byte](f.mem, 0x300, 0)
	write(f, 0x1000, [3]Ciovec{{a}, {empty}, {b}})

	if got := f.call("fd_write", 1, 0x1000, 3, 0x2000); got != ErrnoSuccess {
		t.Fatalf("fd_write = %v", got)
	}
	if got := read[Size](f, 0x2000); got != 13 {
		t.Errorf("nwritten %d, want 13", got)
	}
	if got := f.call("fd_write", 2, 0x1000, 1, 0x2000); got != ErrnoSuccess {
		t.Fatalf("fd_write(2) = %v", got)
	}
	if out.String() != "hello, world\n" || errOut.String() != "hello, " {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}

	for _, tc := range []struct {
		name   string
		params []uint64
		want   Errno
	}{
		{"stdin", []uint64{0, 0x1000, 1, 0x2000}, ErrnoBadf},
		{"fd 3", []uint64{3, 0x1000, 1, 0x2000}, ErrnoBadf},
		{"iovecs past the end", []uint64{1, memory.PageSize - 8, 2, 0x2000}, ErrnoFault},
		{"iovecs misaligned", []uint64{1, 0x1001, 1, 0x2000}, ErrnoFault},
		{"iovec count overflows", []uint64{1, 0x1000, 1 << 31, 0x2000}, ErrnoFault},
		{"nwritten past the end", []uint64{1, 0x1000, 1, memory.PageSize - 2}, ErrnoFault},
	} {
		out.Reset()
		if got := f.call("fd_write", tc.params...); got != tc.want {
			t.Errorf("%s: fd_write = %v, want %v", tc.name, got, tc.want)
		}
		if tc.want != ErrnoSuccess && tc.name != "nwritten past the end" && out.Len() != 0 {
			t.Errorf("%s: wrote %q", tc.name, out.String())
		}
	}

	// A buffer outside memory: EFAULT, after the buffers before it, as in
	// wazero (stdout is not guest memory; nwritten is not written).
	write(f, 0x1000, [2]Ciovec{{a}, {guestptr.NewSlice[byte](f.mem, memory.PageSize-1, 2)}})
	out.Reset()
	if got := f.call("fd_write", 1, 0x1000, 2, 0x2000); got != ErrnoFault {
		t.Errorf("buffer past the end: fd_write = %v, want EFAULT", got)
	}
	if out.String() != "hello, " {
		t.Errorf("buffer past the end: wrote %q", out.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestFdWriteError(t *testing.T) {
	f := newFixture(t, Config{Stdout: failWriter{}})
	write(f, 0x1000, Ciovec{f.bytes(0x100, []byte("x"))})
	write[Size](f, 0x2000, 77)
	if got := f.call("fd_write", 1, 0x1000, 1, 0x2000); got != ErrnoIo {
		t.Errorf("fd_write = %v, want EIO", got)
	}
	if got := read[Size](f, 0x2000); got != 77 {
		t.Errorf("nwritten written on error: %d", got)
	}
}

func TestFdRead(t *testing.T) {
	f := newFixture(t, Config{Stdin: strings.NewReader("abcdefghij")})
	write(f, 0x1000, [3]Iovec{
		{guestptr.NewSlice[byte](f.mem, 0x100, 4)},
		{guestptr.NewSlice[byte](f.mem, 0x200, 0)},
		{guestptr.NewSlice[byte](f.mem, 0x300, 4)},
	})
	if got := f.call("fd_read", 0, 0x1000, 3, 0x2000); got != ErrnoSuccess {
		t.Fatalf("fd_read = %v", got)
	}
	if got := read[Size](f, 0x2000); got != 8 {
		t.Errorf("nread %d, want 8", got)
	}
	if got := read[[4]byte](f, 0x100); string(got[:]) != "abcd" {
		t.Errorf("first buffer %q", got)
	}
	if got := read[[4]byte](f, 0x300); string(got[:]) != "efgh" {
		t.Errorf("second buffer %q", got)
	}
	// Two bytes left: the first buffer is not filled, so reading stops.
	if got := f.call("fd_read", 0, 0x1000, 3, 0x2000); got != ErrnoSuccess || read[Size](f, 0x2000) != 2 {
		t.Errorf("fd_read = %v, nread %d, want 2", got, read[Size](f, 0x2000))
	}
	// End of file.
	if got := f.call("fd_read", 0, 0x1000, 3, 0x2000); got != ErrnoSuccess || read[Size](f, 0x2000) != 0 {
		t.Errorf("at EOF: fd_read = %v, nread %d", got, read[Size](f, 0x2000))
	}
	if got := f.call("fd_read", 1, 0x1000, 3, 0x2000); got != ErrnoBadf {
		t.Errorf("fd_read(1) = %v, want EBADF", got)
	}
	write(f, 0x1000, Iovec{guestptr.NewSlice[byte](f.mem, memory.PageSize-2, 4)})
	if got := f.call("fd_read", 0, 0x1000, 1, 0x2000); got != ErrnoFault {
		t.Errorf("buffer past the end: fd_read = %v, want EFAULT", got)
	}
}

func TestArgsAndEnviron(t *testing.T) {
	f := newFixture(t, Config{Args: []string{"prog", "", "héllo"}, Env: []string{"A=1", "BB=two"}})
	if got := f.call("args_sizes_get", 0x100, 0x104); got != ErrnoSuccess {
		t.Fatalf("args_sizes_get = %v", got)
	}
	if argc, size := read[Size](f, 0x100), read[Size](f, 0x104); argc != 3 || size != 13 {
		t.Errorf("argc %d size %d, want 3 13", argc, size)
	}
	if got := f.call("args_get", 0x200, 0x300); got != ErrnoSuccess {
		t.Fatalf("args_get = %v", got)
	}
	ptrs := read[[3]guestptr.Ptr[byte]](f, 0x200)
	var got []string
	for _, p := range ptrs {
		b, err := p.AsArray(0x310 - p.Addr()).ToSlice()
		if err != nil {
			t.Fatal(err)
		}
		s, _, _ := strings.Cut(string(b), "\x00")
		got = append(got, s)
	}
	if diff := cmp.Diff([]string{"prog", "", "héllo"}, got); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if got := f.call("environ_sizes_get", 0x100, 0x104); got != ErrnoSuccess {
		t.Fatalf("environ_sizes_get = %v", got)
	}
	if n, size := read[Size](f, 0x100), read[Size](f, 0x104); n != 2 || size != 11 {
		t.Errorf("environ %d size %d, want 2 11", n, size)
	}
	if got := f.call("environ_get", 0x200, 0x300); got != ErrnoSuccess {
		t.Fatalf("environ_get = %v", got)
	}
	if got := read[[11]byte](f, 0x300); string(got[:]) != "A=1\x00BB=two\x00" {
		t.Errorf("environ bytes %q", got)
	}
	if got := f.call("args_get", 0x200, memory.PageSize-4); got != ErrnoFault {
		t.Errorf("args_get past the end = %v, want EFAULT", got)
	}
	if got := f.call("args_get", 0x201, 0x300); got != ErrnoFault {
		t.Errorf("args_get misaligned argv = %v, want EFAULT", got)
	}
	if _, err := New(Config{Args: []string{"a\x00b"}}); err == nil {
		t.Error("New accepted an argument with a NUL")
	}
}

func TestClocksAndRandom(t *testing.T) {
	wall := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	f := newFixture(t, Config{
		Now:      func() time.Time { return wall },
		Nanotime: func() int64 { return 12345 },
		Rand:     strings.NewReader(strings.Repeat("\x07", 16)),
	})
	if got := f.call("clock_time_get", uint64(ClockRealtime), 0, 0x100); got != ErrnoSuccess || read[Timestamp](f, 0x100) != Timestamp(wall.UnixNano()) {
		t.Errorf("realtime: %v %d", got, read[Timestamp](f, 0x100))
	}
	if got := f.call("clock_time_get", uint64(ClockMonotonic), 0, 0x100); got != ErrnoSuccess || read[Timestamp](f, 0x100) != 12345 {
		t.Errorf("monotonic: %v %d", got, read[Timestamp](f, 0x100))
	}
	for _, id := range []uint64{2, 3, 4, 1 << 31} {
		if got := f.call("clock_time_get", id, 0, 0x100); got != ErrnoInval {
			t.Errorf("clock %d: %v, want EINVAL", id, got)
		}
		if got := f.call("clock_res_get", id, 0x100); got != ErrnoInval {
			t.Errorf("clock_res_get %d: %v, want EINVAL", id, got)
		}
	}
	if got := f.call("clock_time_get", 0, 0, 0x104); got != ErrnoFault {
		t.Errorf("misaligned timestamp: %v, want EFAULT", got)
	}
	if got := f.call("clock_res_get", 0, 0x100); got != ErrnoSuccess || read[Timestamp](f, 0x100) != 1000 {
		t.Errorf("clock_res_get realtime: %v %d", got, read[Timestamp](f, 0x100))
	}
	if got := f.call("random_get", 0x200, 16); got != ErrnoSuccess || read[[16]byte](f, 0x200) != [16]byte{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7} {
		t.Errorf("random_get: %v %v", got, read[[16]byte](f, 0x200))
	}
	if got := f.call("random_get", 0x200, 1); got != ErrnoIo {
		t.Errorf("random_get with an exhausted source: %v, want EIO", got)
	}
	if got := f.call("random_get", memory.PageSize-1, 2); got != ErrnoFault {
		t.Errorf("random_get past the end: %v, want EFAULT", got)
	}
}

func TestDescriptors(t *testing.T) {
	var out bytes.Buffer
	f := newFixture(t, Config{Stdout: &out})
	for fd := uint64(0); fd < 3; fd++ {
		if got := f.call("fd_fdstat_get", fd, 0x100); got != ErrnoSuccess {
			t.Errorf("fd_fdstat_get(%d) = %v", fd, got)
		}
		want := Fdstat{FsFiletype: FiletypeCharacterDevice, FsRightsBase: stdioRights}
		if got := read[Fdstat](f, 0x100); got != want {
			t.Errorf("fdstat %+v, want %+v", got, want)
		}
		if got := f.call("fd_seek", fd, 0, uint64(WhenceSet), 0x200); got != ErrnoSpipe {
			t.Errorf("fd_seek(%d) = %v, want ESPIPE", fd, got)
		}
		if got := f.call("fd_prestat_get", fd, 0x200); got != ErrnoBadf {
			t.Errorf("fd_prestat_get(%d) = %v, want EBADF", fd, got)
		}
	}
	if got := f.call("fd_seek", 1, 0, 3, 0x200); got != ErrnoInval {
		t.Errorf("fd_seek bad whence = %v, want EINVAL", got)
	}
	if got := f.call("fd_fdstat_get", 1, 0x104); got != ErrnoFault {
		t.Errorf("fd_fdstat_get misaligned = %v, want EFAULT", got)
	}
	for _, fd := range []uint64{3, 99, 1<<32 - 1} {
		for name, params := range map[string][]uint64{
			"fd_fdstat_get": {fd, 0x100}, "fd_seek": {fd, 0, 0, 0x200}, "fd_close": {fd},
			"fd_prestat_get": {fd, 0x200}, "fd_prestat_dir_name": {fd, 0x200, 4},
		} {
			if got := f.call(name, params...); got != ErrnoBadf {
				t.Errorf("%s(%d) = %v, want EBADF", name, fd, got)
			}
		}
	}
	if got := f.call("fd_close", 1); got != ErrnoSuccess {
		t.Errorf("fd_close(1) = %v", got)
	}
	write(f, 0x1000, Ciovec{f.bytes(0x300, []byte("x"))})
	for name, params := range map[string][]uint64{
		"fd_close": {1}, "fd_write": {1, 0x1000, 1, 0x2000}, "fd_fdstat_get": {1, 0x100}, "fd_seek": {1, 0, 0, 0x200},
	} {
		if got := f.call(name, params...); got != ErrnoBadf {
			t.Errorf("after close: %s = %v, want EBADF", name, got)
		}
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q after close", out.String())
	}
}

func TestPrestat(t *testing.T) {
	f := newFixture(t, Config{Preopens: []Preopen{{GuestPath: "/data", Dir: t.TempDir()}}})
	if got := f.call("fd_prestat_get", 3, 0x100); got != ErrnoSuccess {
		t.Fatalf("fd_prestat_get(3) = %v", got)
	}
	if got, want := read[Prestat](f, 0x100), (Prestat{Tag: PreopentypeDir, Dir: PrestatDir{PrNameLen: 5}}); got != want {
		t.Errorf("prestat %+v, want %+v", got, want)
	}
	if got := f.call("fd_prestat_dir_name", 3, 0x200, 4); got != ErrnoNametoolong {
		t.Errorf("short buffer: %v, want ENAMETOOLONG", got)
	}
	if got := f.call("fd_prestat_dir_name", 3, 0x200, 5); got != ErrnoSuccess || read[[5]byte](f, 0x200) != [5]byte{'/', 'd', 'a', 't', 'a'} {
		t.Errorf("fd_prestat_dir_name = %v, %q", got, read[[5]byte](f, 0x200))
	}
	if got := f.call("fd_prestat_get", 4, 0x100); got != ErrnoBadf {
		t.Errorf("fd_prestat_get(4) = %v, want EBADF", got)
	}
	// A prestat with an invalid tag does not read.
	f.bytes(0x100, []byte{1})
	if _, err := guestptr.New[Prestat](f.mem, 0x100).Read(); ErrnoOf(err) != ErrnoInval {
		t.Errorf("reading a bad prestat tag: %v", err)
	}
}

// sleeper records the sleeps asked of it.
type sleeper struct{ slept []time.Duration }

func (s *sleeper) sleep(_ context.Context, d time.Duration) { s.slept = append(s.slept, d) }

func TestPollOneoff(t *testing.T) {
	var sl sleeper
	wall := time.Unix(1_700_000_000, 0)
	f := newFixture(t, Config{
		Now:      func() time.Time { return wall },
		Nanotime: func() int64 { return 1_000_000 },
		Sleep:    sl.sleep,
	})
	const in, out, nevents = 0x1000, 0x2000, 0x3000
	clock := func(ud Userdata, id Clockid, timeout Timestamp, flags Subclockflags) Subscription {
		return Subscription{Userdata: ud, U: SubscriptionU{Tag: EventtypeClock, Clock: SubscriptionClock{ID: id, Timeout: timeout, Flags: flags}}}
	}
	fdsub := func(ud Userdata, typ Eventtype, fd Fd) Subscription {
		s := Subscription{Userdata: ud, U: SubscriptionU{Tag: typ}}
		if typ == EventtypeFdRead {
			s.U.FdRead.FD = fd
		} else {
			s.U.FdWrite.FD = fd
		}
		return s
	}
	poll := func(subs ...Subscription) (Errno, []Event) {
		t.Helper()
		if err := guestptr.NewSlice[Subscription](f.mem, in, uint64(len(subs))).CopyFromSlice(subs); err != nil {
			t.Fatal(err)
		}
		sl.slept = nil
		errno := f.call("poll_oneoff", in, out, uint64(len(subs)), nevents)
		if errno != 0 {
			return errno, nil
		}
		evs, err := guestptr.NewSlice[Event](f.mem, out, uint64(read[Size](f, nevents))).ToSlice()
		if err != nil {
			t.Fatal(err)
		}
		return errno, evs
	}
	clockEv := func(ud Userdata) Event { return Event{Userdata: ud, Type: EventtypeClock} }

	for _, tc := range []struct {
		name  string
		subs  []Subscription
		slept []time.Duration
		want  []Event
	}{
		{"relative", []Subscription{clock(7, ClockMonotonic, 2_000_000, 0)}, []time.Duration{2 * time.Millisecond}, []Event{clockEv(7)}},
		{"absolute monotonic", []Subscription{clock(8, ClockMonotonic, 3_000_000, SubscriptionClockAbstime)}, []time.Duration{2 * time.Millisecond}, []Event{clockEv(8)}},
		{"absolute realtime", []Subscription{clock(9, ClockRealtime, Timestamp(wall.Add(time.Second).UnixNano()), SubscriptionClockAbstime)}, []time.Duration{time.Second}, []Event{clockEv(9)}},
		{"absolute in the past", []Subscription{clock(10, ClockMonotonic, 5, SubscriptionClockAbstime)}, nil, []Event{clockEv(10)}},
		{"earliest clock wins", []Subscription{clock(1, ClockMonotonic, 5e6, 0), clock(2, ClockMonotonic, 1e6, 0), clock(3, ClockRealtime, 1e6, 0)},
			[]time.Duration{time.Millisecond}, []Event{clockEv(2), clockEv(3)}},
		{"fds are ready at once", []Subscription{clock(1, ClockMonotonic, 5e6, 0), fdsub(2, EventtypeFdRead, 0), fdsub(3, EventtypeFdWrite, 1), fdsub(4, EventtypeFdWrite, 9)}, nil,
			[]Event{{Userdata: 2, Type: EventtypeFdRead}, {Userdata: 3, Type: EventtypeFdWrite}, {Userdata: 4, Type: EventtypeFdWrite, Error: ErrnoBadf}}},
		{"cputime clock", []Subscription{clock(5, ClockProcessCputimeID, 5e6, 0)}, nil, []Event{{Userdata: 5, Type: EventtypeClock, Error: ErrnoInval}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errno, evs := poll(tc.subs...)
			if errno != 0 {
				t.Fatalf("poll_oneoff = %v", errno)
			}
			if diff := cmp.Diff(tc.want, evs); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.slept, sl.slept); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
		})
	}

	if got := f.call("poll_oneoff", in, out, 0, nevents); got != ErrnoInval {
		t.Errorf("no subscriptions: %v, want EINVAL", got)
	}
	if got := f.call("poll_oneoff", in, memory.PageSize-32, 2, nevents); got != ErrnoFault {
		t.Errorf("events past the end: %v, want EFAULT", got)
	}
	if got := f.call("poll_oneoff", in+4, out, 1, nevents); got != ErrnoFault {
		t.Errorf("misaligned subscriptions: %v, want EFAULT", got)
	}
	// Invalid subscriptions, written as raw bytes: tag 3, clock id 4, flag 2.
	for name, b := range map[string][]byte{"tag": {8: 3}, "clock id": {16: 4}, "clock flags": {40: 2}} {
		raw := make([]byte, 48)
		for i, v := range b {
			raw[i] = v
		}
		f.bytes(in, raw)
		if got := f.call("poll_oneoff", in, out, 1, nevents); got != ErrnoInval {
			t.Errorf("invalid %s: %v, want EINVAL", name, got)
		}
	}
}

func TestProcExit(t *testing.T) {
	f := newFixture(t, Config{})
	defer func() {
		var exit *sys.ExitError
		if err, _ := recover().(error); !errors.As(err, &exit) || exit.ExitCode() != 7 {
			t.Errorf("proc_exit panicked with %v, want exit code 7", err)
		}
		if !f.mod.IsClosed() {
			t.Error("module not closed")
		}
	}()
	f.call("proc_exit", 7)
}

func TestWithConfig(t *testing.T) {
	var def, own bytes.Buffer
	f := newFixture(t, Config{Stdout: &def})
	write(f, 0x1000, Ciovec{f.bytes(0x100, []byte("hi"))})
	ctx, err := WithConfig(context.Background(), Config{Stdout: &own})
	if err != nil {
		t.Fatal(err)
	}
	stack := []uint64{1, 0x1000, 1, 0x2000}
	f.fns["fd_write"](ctx, f.mod, stack)
	if Errno(stack[0]) != 0 || own.String() != "hi" || def.Len() != 0 {
		t.Errorf("errno %v, own %q, default %q", Errno(stack[0]), own.String(), def.String())
	}
	// Closing stdout in one context leaves the host's open.
	stack = []uint64{1}
	f.fns["fd_close"](ctx, f.mod, stack)
	if got := f.call("fd_write", 1, 0x1000, 1, 0x2000); got != 0 || def.String() != "hi" {
		t.Errorf("default after closing in a context: %v %q", got, def.String())
	}
	if _, err := WithConfig(context.Background(), Config{Env: []string{"A=\x00"}}); err == nil {
		t.Error("WithConfig accepted an env entry with a NUL")
	}
}

func TestErrnoOf(t *testing.T) {
	mem := memory.New(memory.PageSize)
	_, oob := guestptr.New[uint64](mem, memory.PageSize).Read()
	_, mis := guestptr.New[uint64](mem, 1).Read()
	_, ovf := guestptr.New[uint64](mem, 0).Add(1 << 62)
	mem.Bytes()[0] = 9
	_, enum := guestptr.New[Filetype](mem, 0).Read()
	mem.Bytes()[0] = 0x40
	_, flags := guestptr.New[Fdflags](mem, 0).Read()
	mem.Bytes()[0] = 0xff
	_, utf := guestptr.NewString(mem, 0, 1).Read()
	for _, tc := range []struct {
		err  error
		want Errno
	}{
		{nil, ErrnoSuccess}, {oob, ErrnoFault}, {mis, ErrnoFault}, {ovf, ErrnoFault},
		{enum, ErrnoInval}, {flags, ErrnoInval}, {utf, ErrnoInval},
		{ErrnoBadf, ErrnoBadf}, {fmt.Errorf("wrapped: %w", ErrnoSpipe), ErrnoSpipe},
		{io.ErrUnexpectedEOF, ErrnoIo},
	} {
		if got := ErrnoOf(tc.err); got != tc.want {
			t.Errorf("ErrnoOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if ErrnoNotcapable.String() != "ENOTCAPABLE" || Errno(77).String() != "errno(77)" || ErrnoNosys != 52 || ErrnoFault != 21 || ErrnoInval != 28 {
		t.Error("errno names or values")
	}
}

// TestFdWriteGather writes more iovecs than one chunk, with buffers large
// and small, and checks every byte arrives in order.
func TestFdWriteGather(t *testing.T) {
	var out bytes.Buffer
	f := newFixture(t, Config{Stdout: &out})
	var iovs []Ciovec
	var want []byte
	addr := uint64(0x4000)
	for i := range 40 {
		n := i % 7
		if i%13 == 5 {
			n = scratchSize + 100 - i // written from a view
		}
		b := bytes.Repeat([]byte{byte('a' + i%26)}, n)
		iovs = append(iovs, Ciovec{f.bytes(addr, b)})
		want = append(want, b...)
		addr += uint64(n)
	}
	if err := guestptr.NewSlice[Ciovec](f.mem, 0x1000, uint64(len(iovs))).CopyFromSlice(iovs); err != nil {
		t.Fatal(err)
	}
	if got := f.call("fd_write", 1, 0x1000, uint64(len(iovs)), 0x2000); got != ErrnoSuccess {
		t.Fatalf("fd_write = %v", got)
	}
	if got := read[Size](f, 0x2000); got != Size(len(want)) {
		t.Errorf("nwritten %d, want %d", got, len(want))
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("wrote %d bytes, not the %d expected", out.Len(), len(want))
	}
	// The last of many iovecs outside memory: nothing is written.
	out.Reset()
	if got := f.call("fd_write", 1, memory.PageSize-8*20, 21, 0x2000); got != ErrnoFault || out.Len() != 0 {
		t.Errorf("fd_write = %v, wrote %d bytes", got, out.Len())
	}
}

// TestPreopenWithCGuest runs the C guest with one preopen and checks wasi-libc finds it through
// fd_prestat_get and fd_prestat_dir_name, as under wazero with a mount.
func TestPreopenWithCGuest(t *testing.T) {
	wasm, err := os.ReadFile("../guest/wasi.wasm")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	var out bytes.Buffer
	h, err := New(Config{Args: []string{"wasi"}, Stdout: &out, Preopens: []Preopen{{GuestPath: "/data", Dir: t.TempDir()}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Instantiate(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Instantiate(ctx, wasm); err != nil {
		t.Fatal(err)
	}
	if want := "preopen fd 3 OK /data\nfd_prestat_get(4) EBADF\npreopens 1\nexit 0\n"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("stdout:\n%s\nwant it to end with:\n%s", out.String(), want)
	}
}
