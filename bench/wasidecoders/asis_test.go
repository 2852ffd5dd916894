package wasidecoders

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/guestkit/guestkit/bench"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
)

// explain names the reason for one disagreement between a Wazero*
// function and guestkit, or returns "" when none of the known reasons
// fits.
func explain(d *bench.Disagreement) string {
	gkFails, handOK := strings.HasPrefix(d.Guestkit, "error: "), strings.HasPrefix(d.Handwritten, "ok")
	field := d.Field.String()
	if i := strings.Index(field, "]."); strings.HasPrefix(field, "[") && i > 0 {
		field = field[i+2:] // a list element's field, whichever element
	}
	switch {
	case d.Kind == bench.InputMisaligned && gkFails && handOK:
		return "accepts a misaligned address"
	case d.Kind == bench.InputInvalidField && gkFails && handOK:
		return "accepts an invalid " + field
	case d.Kind == bench.InputWraps && d.N >= 1<<20 && gkFails && strings.HasPrefix(d.Handwritten, "panic: "):
		return "panics when n*size wraps 32 bits"
	case d.Kind == bench.InputWraps && d.N >= 1<<20 && gkFails && handOK:
		return "succeeds when n*size wraps 32 bits"
	case d.Op == "decode list" && d.N == 0 && d.Handwritten == "error: EINVAL" && !gkFails:
		return "refuses n = 0"
	case d.Handwritten == "error: EBADF" && !gkFails:
		return "refuses a descriptor above 2^31-1"
	}
	return ""
}

// asIs checks c and returns the reasons for its disagreements, sorted,
// failing t on any disagreement no reason explains.
func asIs[T any](t *testing.T, c *bench.Checker[T]) []string {
	t.Helper()
	var reasons []string
	for _, d := range c.Check(1, *inputs) {
		r := explain(d)
		if r == "" {
			t.Errorf("unexplained:\n%v", d)
			continue
		}
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	slices.Sort(reasons)
	return reasons
}

// Where the wazero transcriptions differ from guestkit, and why: every
// disagreement has one of the reasons listed, and each reason occurs.
func TestAsWazeroDoesIt(t *testing.T) {
	tests := []struct {
		name string
		got  func(*testing.T) []string
		want []string
	}{
		{"fd_fdstat_get", func(t *testing.T) []string {
			return asIs(t, checker(t, bench.Hand[Fdstat]{Name: "wazero", EncodeWazero: WazeroWriteFdstat}))
		}, []string{
			"accepts a misaligned address", "accepts an invalid Filetype", "accepts an invalid Flags",
			"accepts an invalid RightsBase", "accepts an invalid RightsInheriting",
		}},
		{"fd_filestat_get", func(t *testing.T) []string {
			return asIs(t, checker(t, bench.Hand[Filestat]{Name: "wazero", EncodeWazero: WazeroWriteFilestat}))
		}, []string{"accepts a misaligned address", "accepts an invalid Filetype"}},
		{"poll_oneoff", func(t *testing.T) []string {
			return asIs(t, listChecker(t, bench.HandList[Subscription]{Name: "wazero", DecodeWazero: WazeroPollSubscriptions}))
		}, []string{
			"accepts a misaligned address", "accepts an invalid U.Clock.ID", "panics when n*size wraps 32 bits",
			"refuses a descriptor above 2^31-1", "refuses n = 0",
		}},
		{"fd_write", func(t *testing.T) []string {
			return asIs(t, listChecker(t, bench.HandList[Iovec]{Name: "wazero", DecodeWazero: WazeroIovecs}))
		}, []string{"accepts a misaligned address", "succeeds when n*size wraps 32 bits"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, tc.got(t)); d != "" {
				t.Errorf("reasons (-want +got):\n%s", d)
			}
		})
	}
}

// The two list findings hold for wazero's own WASI functions, not only
// for the transcriptions: a guest calls wazero's fd_write with 2^29
// iovecs (2^29*8 wraps to 0) and its poll_oneoff with 2^28
// subscriptions (2^28*48 and 2^28*32 wrap to 0).
func TestWazeroWASIItself(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	i32x4 := []byte{wa.I32, wa.I32, wa.I32, wa.I32}
	forward := func(fn uint64) []byte {
		return wa.Code(nil, wa.LocalGet(0), wa.LocalGet(1), wa.LocalGet(2), wa.LocalGet(3), wa.Call(fn))
	}
	guest := wa.Module(
		wa.Section(wa.SecType, wa.FuncType(i32x4, []byte{wa.I32})),
		wa.Section(wa.SecImport,
			wa.ImportFunc("wasi_snapshot_preview1", "fd_write", 0),
			wa.ImportFunc("wasi_snapshot_preview1", "poll_oneoff", 0)),
		wa.Section(wa.SecFunction, wa.Uleb(0), wa.Uleb(0)),
		wa.Section(wa.SecMemory, wa.MemoryType(1)),
		wa.Section(wa.SecExport,
			wa.Export("memory", wa.ExportMemory, 0),
			wa.Export("fd_write", wa.ExportFunc, 2),
			wa.Export("poll_oneoff", wa.ExportFunc, 3)),
		wa.Section(wa.SecCode, forward(0), forward(1)),
	)
	mod, err := rt.InstantiateWithConfig(ctx, guest, wazero.NewModuleConfig().WithStdout(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	// fd_write(1, iovs=0x100, 2^29, nwritten=0x10): EFAULT is right (the
	// 4 GiB of iovecs are not in the 64 KiB memory); wazero writes nothing
	// and succeeds.
	mod.Memory().WriteUint32Le(0x10, 0xffffffff)
	res, err := mod.ExportedFunction("fd_write").Call(ctx, 1, 0x100, 1<<29, 0x10)
	nwritten, _ := mod.Memory().ReadUint32Le(0x10)
	if err != nil || res[0] != 0 || nwritten != 0 {
		t.Errorf("fd_write with 2^29 iovecs: errno %v, err %v, nwritten %d; want wazero's errno 0, nil, 0", res, err, nwritten)
	}
	// poll_oneoff(in=0x100, out=0x1000, 2^28, nevents=0x10): wazero's
	// host function panics (the guest's call fails with the panic) instead
	// of returning EFAULT.
	_, err = mod.ExportedFunction("poll_oneoff").Call(ctx, 0x100, 0x1000, 1<<28, 0x10)
	t.Logf("poll_oneoff with 2^28 subscriptions: %v", err)
	if err == nil || !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("poll_oneoff with 2^28 subscriptions: err %v; want wazero's index-out-of-range panic", err)
	}
}
