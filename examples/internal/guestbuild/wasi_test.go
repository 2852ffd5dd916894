package guestbuild_test

import (
	"strings"
	"testing"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
)

const wasiStdin = "line one\nline two\n\x00\xff binary tail"

// wasiRun returns the configuration of a run of a wasi guest under the
// restricted WASI (the guestkit host's functions, ENOSYS for the others).
func wasiRun(mounts [][2]string, args ...string) runConfig {
	return runConfig{
		args:   append([]string{"wasi"}, args...),
		env:    [][2]string{{"GUESTKIT_GREETING", "hi there"}, {"B_SECOND", "2"}, {"A_THIRD", "x=y"}},
		stdin:  wasiStdin,
		mounts: mounts,
	}
}

const wasiCStdout = `wasi guest: hello on stdout
argc 4
argv[0] wasi
argv[1] alpha
argv[2] two words
argv[3] exit=3
getenv GUESTKIT_GREETING=hi there
getenv GUESTKIT_UNSET unset
environ[0] GUESTKIT_GREETING=hi there
environ[1] B_SECOND=2
environ[2] A_THIRD=x=y
environ count 3
stdin 32 bytes fnv1a64 74cbabe433d8fb37 err OK
clock realtime ok yes sane yes
clock monotonic ok yes nondecreasing yes
clock_getres realtime ok yes sane yes
clock_getres monotonic ok yes sane yes
nanosleep 2ms ok yes slept at least 2ms yes
getentropy ok yes nonzero yes
arc4random_buf nonzero yes
fd_fdstat_get(1) OK
fd_fdstat_get(99) EBADF
lseek(99) EBADF
close(99) EBADF
PREOPENS
exit 3
`

const wasiCStderr = `wasi guest: hello on stderr
wasi guest: exit 3
`

const wasiGoStdout = `wasi goguest: hello on stdout
argc 4
argv[0] wasi
argv[1] alpha
argv[2] two words
argv[3] exit=3
getenv GUESTKIT_GREETING=hi there
getenv GUESTKIT_UNSET unset
environ[0] GUESTKIT_GREETING=hi there
environ[1] B_SECOND=2
environ[2] A_THIRD=x=y
environ count 3
stdin 32 bytes fnv1a64 74cbabe433d8fb37 err OK
clock realtime sane yes
clock monotonic nondecreasing yes
sleep 2ms slept at least 2ms yes
crypto/rand ok yes nonzero yes
exit 3
`

const wasiGoStderr = `wasi goguest: hello on stderr
wasi goguest: exit 3
`

// TestWASIGuestC runs the committed wasi.wasm twice with the same inputs
// under the guestkit host's WASI subset and once under all of wazero's WASI,
// and checks it produces the same, expected bytes and exit code each time,
// calling only the WASI functions the guestkit host implements.
func TestWASIGuestC(t *testing.T) {
	wasm := committedC(t, "wasi")
	noPreopens := "fd_prestat_get(3) EBADF\npreopens 0\n"
	onePreopen := "preopen fd 3 OK /data\nfd_prestat_get(4) EBADF\npreopens 1\n"
	for _, tc := range []struct {
		name     string
		mounts   [][2]string
		preopens string
	}{
		{"no preopens", nil, noPreopens},
		{"one preopen", [][2]string{{"/data", t.TempDir()}}, onePreopen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := strings.Replace(wasiCStdout, "PREOPENS\n", tc.preopens, 1)
			first := runGuest(t, wasm, wasiRun(tc.mounts, "alpha", "two words", "exit=3"))
			second := runGuest(t, wasm, wasiRun(tc.mounts, "alpha", "two words", "exit=3"))
			full := wasiRun(tc.mounts, "alpha", "two words", "exit=3")
			full.fullWASI = true
			third := runGuest(t, wasm, full)
			for i, res := range []runResult{first, second, third} {
				if res.stdout != want {
					t.Errorf("run %d stdout:\n%s\nwant:\n%s", i+1, res.stdout, want)
				}
				if res.stderr != wasiCStderr {
					t.Errorf("run %d stderr:\n%s\nwant:\n%s", i+1, res.stderr, wasiCStderr)
				}
				if res.exitCode != 3 {
					t.Errorf("run %d exit code %d, want 3", i+1, res.exitCode)
				}
				if extra := outsideList(res.wasiCalls); len(extra) > 0 {
					t.Errorf("run %d called WASI functions outside guestbuild.WASIFunctions: %v", i+1, extra)
				}
			}
			if first.stdout != second.stdout || first.stderr != second.stderr || first.exitCode != second.exitCode {
				t.Errorf("two runs differ:\n%+v\n%+v", first, second)
			}
			t.Logf("WASI functions called: %v", first.wasiCalls)
		})
	}
	t.Run("exit 0", func(t *testing.T) {
		res := runGuest(t, wasm, wasiRun(nil))
		if res.exitCode != 0 || !strings.HasSuffix(res.stdout, "preopens 0\nexit 0\n") {
			t.Errorf("exit code %d, stdout:\n%s", res.exitCode, res.stdout)
		}
	})
}

// TestWASIGuestGo runs the Go wasi guest twice with the same inputs under
// the guestkit host's WASI subset (ENOSYS for the rest) and once under all of
// wazero's WASI, and checks it produces the same, expected bytes and exit
// code each time. The WASI functions it calls outside
// guestbuild.WASIFunctions are logged.
func TestWASIGuestGo(t *testing.T) {
	wasm := goGuest(t, "examples/wasi/goguest")
	first := runGuest(t, wasm, wasiRun(nil, "alpha", "two words", "exit=3"))
	second := runGuest(t, wasm, wasiRun(nil, "alpha", "two words", "exit=3"))
	full := wasiRun(nil, "alpha", "two words", "exit=3")
	full.fullWASI = true
	third := runGuest(t, wasm, full)
	for i, res := range []runResult{first, second, third} {
		if res.stdout != wasiGoStdout {
			t.Errorf("run %d stdout:\n%s\nwant:\n%s", i+1, res.stdout, wasiGoStdout)
		}
		if res.stderr != wasiGoStderr {
			t.Errorf("run %d stderr:\n%s\nwant:\n%s", i+1, res.stderr, wasiGoStderr)
		}
		if res.exitCode != 3 {
			t.Errorf("run %d exit code %d, want 3", i+1, res.exitCode)
		}
	}
	if first.stdout != second.stdout || first.stderr != second.stderr || first.exitCode != second.exitCode {
		t.Errorf("two runs differ:\n%+v\n%+v", first, second)
	}
	t.Logf("WASI functions called: %v", first.wasiCalls)
	if extra := outsideList(first.wasiCalls); len(extra) > 0 {
		t.Logf("called outside guestbuild.WASIFunctions (ENOSYS on the guestkit host): %v", extra)
	}
	res := runGuest(t, wasm, wasiRun(nil))
	if res.exitCode != 0 || !strings.HasSuffix(res.stdout, "\nexit 0\n") {
		t.Errorf("exit code %d, stdout:\n%s", res.exitCode, res.stdout)
	}
}

// TestGuestImports checks that the C guests import only WASI functions from
// guestbuild.WASIFunctions (and hello.wasm only guestkit.hello and
// guestkit.replies besides), and
// logs the imports of the Go guests, which import more.
func TestGuestImports(t *testing.T) {
	for _, tc := range []struct {
		name  string
		other []string // imports from modules other than WASI
	}{
		{"hello", []string{"guestkit.hello", "guestkit.replies"}},
		{"wasi", nil},
	} {
		t.Run(tc.name+".wasm", func(t *testing.T) {
			imports, err := guestbuild.Imports(committedC(t, tc.name))
			if err != nil {
				t.Fatal(err)
			}
			var other []string
			var wasi []string
			for _, i := range imports {
				if i.Module == guestbuild.WASIModule {
					wasi = append(wasi, i.Name)
				} else {
					other = append(other, i.String())
				}
			}
			t.Logf("WASI imports: %v", wasi)
			if extra := guestbuild.OutsideWASIFunctions(imports); len(extra) > 0 {
				t.Errorf("imports outside guestbuild.WASIFunctions: %v", extra)
			}
			if strings.Join(other, ",") != strings.Join(tc.other, ",") {
				t.Errorf("non-WASI imports %v, want %v", other, tc.other)
			}
		})
	}
	for _, pkg := range guestbuild.GoGuests {
		t.Run(pkg, func(t *testing.T) {
			imports, err := guestbuild.Imports(goGuest(t, pkg))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("imports: %v", imports)
			t.Logf("WASI imports outside guestbuild.WASIFunctions: %v", guestbuild.OutsideWASIFunctions(imports))
			for _, i := range imports {
				if i.Module != guestbuild.WASIModule && !(pkg == "examples/hello/goguest" && (i.String() == "guestkit.hello" || i.String() == "guestkit.replies")) {
					t.Errorf("unexpected import %v", i)
				}
			}
		})
	}
}
