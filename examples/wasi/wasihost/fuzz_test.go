package wasihost

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// fuzzPages is the size of the fuzzed guest memory: 4 pages, 256 KiB.
const fuzzPages = 4

// fuzzAllocLimit bounds what one call may allocate: well under the
// memory's size, so allocating in proportion to a guest length shows.
const fuzzAllocLimit = 48 << 10

// region is a span of guest memory a call may write.
type region struct{ addr, n uint64 }

// FuzzHostCalls calls one host function with fuzzed parameters over a
// fuzzed memory and checks that it does not panic, writes only where the
// function may write and nothing at all when it fails, and allocates a
// bounded amount however large the guest's lengths and counts.
func FuzzHostCalls(f *testing.F) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, memoryModuleOf(fuzzPages))
	if err != nil {
		f.Fatal(err)
	}
	mem := wazeromem.Of(mod.Memory())
	size := uint64(len(mem.Bytes()))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("hello"), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	proto, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	var names []string
	for _, fn := range proto.functions() {
		if fn.name != "proc_exit" {
			names = append(names, fn.name)
		}
	}
	sort.Strings(names)

	// Seeds: each function with small pointers into zeroed memory, and
	// with a path "file" and an iovec at 0x100 → 0x200, 16 bytes.
	setup := make([]byte, 0x300)
	copy(setup[0x10:], "file")
	binary.LittleEndian.PutUint32(setup[0x100:], 0x200)
	binary.LittleEndian.PutUint32(setup[0x104:], 16)
	for i := range names {
		for _, params := range [][]uint64{
			{3, 0x10, 4, 0x100, 1, 0x20, 0, 0, 0x30},
			{1, 0x100, 1, 0, 0x40, 0, 0, 0, 0},
			{3, 0, 0x10, 4, 0, 0x1ff, 0x1ff, 0, 0x40},
		} {
			var pb []byte
			for _, p := range params {
				pb = binary.LittleEndian.AppendUint64(pb, p)
			}
			f.Add(uint8(i), pb, setup)
		}
	}

	f.Fuzz(func(t *testing.T, which uint8, pb, content []byte) {
		name := names[int(which)%len(names)]
		var stack [9]uint64
		for i := range stack {
			var v uint64
			if len(pb) >= 8*(i+1) {
				v = binary.LittleEndian.Uint64(pb[8*i:])
			}
			if v>>63 == 0 {
				// Mostly addresses and lengths near the memory.
				v %= 2*size + 64
			}
			stack[i] = v
		}
		img := make([]byte, size)
		copy(img, content)
		all := guestptr.NewSlice[byte](mem, 0, size)
		if err := all.CopyFromSlice(img); err != nil {
			t.Fatal(err)
		}
		h, err := New(Config{
			Args: []string{"prog", "arg"}, Env: []string{"A=1"},
			Stdin: strings.NewReader("stdin bytes"), Rand: zeros{},
			Sleep:    func(context.Context, time.Duration) {},
			Preopens: []Preopen{{GuestPath: "/", Dir: dir}},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var fn api.GoModuleFunc
		for _, x := range h.functions() {
			if x.name == name {
				fn = x.fn
			}
		}
		allowed := writable(mem, name, stack[:])

		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		fn(ctx, mod, stack[:])
		runtime.ReadMemStats(&ms)
		if grew := ms.TotalAlloc - before; grew > fuzzAllocLimit && !raceOn {
			t.Errorf("%s%v allocated %d bytes", name, stack, grew)
		}

		after, err := all.ToSlice()
		if err != nil {
			t.Fatal(err)
		}
		errno := Errno(stack[0])
		for i := range after {
			if after[i] == img[i] {
				continue
			}
			if errno != 0 {
				t.Fatalf("%s returned %v but wrote at %#x", name, errno, i)
			}
			ok := false
			for _, r := range allowed {
				ok = ok || uint64(i) >= r.addr && uint64(i)-r.addr < r.n
			}
			if !ok {
				t.Fatalf("%s wrote at %#x, outside %v", name, i, allowed)
			}
		}
	})
}

// writable returns the regions function name may write, given its
// parameters, reading the iovecs it will fill with guestptr.
func writable(mem guestMemory, name string, p []uint64) []region {
	a := func(i int) uint64 { return uint64(uint32(p[i])) }
	iovBufs := func(iovs, n uint64) []region {
		var out []region
		for i := range min(n, 1<<16) {
			v, err := guestptr.New[Iovec](mem, iovs+8*i).Read()
			if err != nil {
				break
			}
			out = append(out, region{v.Buf.Addr(), v.Buf.Len()})
		}
		return out
	}
	switch name {
	case "args_get": // "prog", "arg"
		return []region{{a(0), 2 * 4}, {a(1), uint64(len("prog\x00arg\x00"))}}
	case "environ_get": // "A=1"
		return []region{{a(0), 4}, {a(1), uint64(len("A=1\x00"))}}
	case "args_sizes_get", "environ_sizes_get":
		return []region{{a(0), 4}, {a(1), 4}}
	case "clock_res_get":
		return []region{{a(1), 8}}
	case "clock_time_get":
		return []region{{a(2), 8}}
	case "fd_fdstat_get":
		return []region{{a(1), 24}}
	case "fd_filestat_get":
		return []region{{a(1), 64}}
	case "path_filestat_get":
		return []region{{a(4), 64}}
	case "fd_prestat_get":
		return []region{{a(1), 8}}
	case "fd_prestat_dir_name", "random_get":
		return []region{{a(1 - boolInt(name == "random_get")), a(2 - boolInt(name == "random_get"))}}
	case "fd_read":
		return append(iovBufs(a(1), a(2)), region{a(3), 4})
	case "fd_pread":
		return append(iovBufs(a(1), a(2)), region{a(4), 4})
	case "sock_recv":
		return append(iovBufs(a(1), a(2)), region{a(4), 4}, region{a(5), 2})
	case "fd_write", "sock_send":
		return []region{{a(3 + boolInt(name == "sock_send")), 4}}
	case "fd_pwrite":
		return []region{{a(4), 4}}
	case "fd_readdir":
		return []region{{a(1), a(2)}, {a(4), 4}}
	case "fd_seek":
		return []region{{a(3), 8}}
	case "fd_tell":
		return []region{{a(1), 8}}
	case "path_open":
		return []region{{a(8), 4}}
	case "path_readlink":
		return []region{{a(3), a(4)}, {a(5), 4}}
	case "poll_oneoff":
		return []region{{a(1), 32 * a(2)}, {a(3), 4}}
	case "sock_accept":
		return []region{{a(2), 4}}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
