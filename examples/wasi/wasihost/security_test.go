package wasihost

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// escapeFixture is a host whose preopen "/" is root, beside a file
// "secret" outside it, with a file, a subdirectory and symbolic links
// pointing out inside it.
func escapeFixture(t *testing.T) *fixture {
	t.Helper()
	tmp := t.TempDir()
	root := filepath.Join(tmp, "root")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(tmp, "secret"), []byte("SECRET"), 0o644))
	must(os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	must(os.WriteFile(filepath.Join(root, "sub", "file"), []byte("inside"), 0o644))
	must(os.Symlink("../secret", filepath.Join(root, "up")))
	must(os.Symlink(filepath.Join(tmp, "secret"), filepath.Join(root, "abs")))
	must(os.Symlink("..", filepath.Join(root, "sub", "parent")))
	return newFixture(t, Config{Preopens: []Preopen{{GuestPath: "/", Dir: root}}})
}

// open calls path_open under fd with path (written at 0x400) and returns
// the errno and the new descriptor.
func (f *fixture) open(fd Fd, path string, oflags Oflags, follow bool) (Errno, Fd) {
	f.t.Helper()
	f.bytes(0x400, []byte(path))
	var df uint64
	if follow {
		df = uint64(LookupSymlinkFollow)
	}
	// A directory is opened without the write right, as wasi-libc does:
	// asking for it is EISDIR, as the wasi-testsuite checks.
	base := fileRights | dirRights
	if oflags&OflagDirectory != 0 {
		base = dirRights
	}
	errno := f.call("path_open", uint64(fd), df, 0x400, uint64(len(path)), uint64(oflags), uint64(base), uint64(fileRights|dirRights), 0, 0x300)
	if errno != 0 {
		return errno, 0
	}
	return errno, read[Fd](f, 0x300)
}

// TestPathsStayInPreopen: "..", absolute paths and symbolic links out of
// the preopen fail, for path_open and the other path functions.
func TestPathsStayInPreopen(t *testing.T) {
	f := escapeFixture(t)
	errno, sub := f.open(3, "sub", OflagDirectory, true)
	if errno != 0 {
		t.Fatalf("opening sub: %v", errno)
	}
	got := map[string]Errno{}
	for _, tc := range []struct {
		name string
		fd   Fd
		path string
	}{
		{"dotdot", 3, "../secret"},
		{"dotdot in the middle", 3, "sub/../../secret"},
		{"absolute", 3, "/etc/passwd"},
		{"relative link out", 3, "up"},
		{"absolute link out", 3, "abs"},
		{"link to parent then out", 3, "sub/parent/../secret"},
		{"subdir dotdot", sub, "../../secret"},
		{"subdir dotdot to preopen", sub, "../sub/file"},
	} {
		e, _ := f.open(tc.fd, tc.path, 0, true)
		got[tc.name] = e
	}
	want := map[string]Errno{
		"dotdot": ErrnoPerm, "dotdot in the middle": ErrnoPerm, "absolute": ErrnoPerm,
		"relative link out": ErrnoPerm, "absolute link out": ErrnoPerm, "link to parent then out": ErrnoPerm,
		"subdir dotdot": ErrnoPerm, "subdir dotdot to preopen": ErrnoPerm,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("path_open errnos (-want +got):\n%s", diff)
	}

	// The other path functions refuse the same paths.
	f.bytes(0x400, []byte("../secret"))
	f.bytes(0x500, []byte("file2"))
	others := map[string]Errno{
		"path_filestat_get":     f.call("path_filestat_get", 3, 1, 0x400, 9, 0x600),
		"path_unlink_file":      f.call("path_unlink_file", 3, 0x400, 9),
		"path_create_directory": f.call("path_create_directory", 3, 0x400, 9),
		"path_rename from":      f.call("path_rename", 3, 0x400, 9, 3, 0x500, 5),
		"path_rename to":        f.call("path_rename", uint64(sub), 0x500, 0, 3, 0x400, 9),
		"path_link":             f.call("path_link", 3, 0, 0x400, 9, 3, 0x500, 5),
		"path_readlink":         f.call("path_readlink", 3, 0x400, 9, 0x600, 16, 0x700),
	}
	for k, v := range others {
		if v == ErrnoSuccess {
			t.Errorf("%s(../secret) succeeded", k)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(f.h.def.mounts[0].root.Name()), "secret")); err != nil {
		t.Errorf("the file outside is gone: %v", err)
	}
}

// TestRenameRaceStaysInPreopen opens sub/file over and over while another
// goroutine swaps sub between a directory and a symbolic link to the
// directory outside the preopen: no open may reach outside.
func TestRenameRaceStaysInPreopen(t *testing.T) {
	f := escapeFixture(t)
	root := f.h.def.mounts[0].root.Name()
	outside := filepath.Dir(root)
	if err := os.WriteFile(filepath.Join(outside, "file"), []byte("SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sub, moved := filepath.Join(root, "sub"), filepath.Join(root, "sub.moved")
		for !stop.Load() {
			_ = os.Rename(sub, moved)
			_ = os.Symlink(outside, sub)
			_ = os.Remove(sub)
			_ = os.Rename(moved, sub)
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()
	opened := 0
	for range 2000 {
		errno, fd := f.open(3, "sub/file", 0, true)
		if errno != 0 {
			continue
		}
		opened++
		write(f, 0x800, Iovec{f.bufAt(0x900, 6)})
		if e := f.call("fd_read", uint64(fd), 0x800, 1, 0x880); e != 0 {
			t.Fatalf("fd_read: %v", e)
		}
		if got := read[[6]byte](f, 0x900); string(got[:]) != "inside" {
			t.Fatalf("opened %q through a racing rename", got)
		}
		f.call("fd_close", uint64(fd))
	}
	t.Logf("%d of 2000 opens succeeded, all inside", opened)
}
