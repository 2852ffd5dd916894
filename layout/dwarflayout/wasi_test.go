package dwarflayout_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// handWritten pairs the WASI host's hand-written types
// (examples/wasi/wasihost) with the types godefs makes of wasi-libc's
// <wasi/api.h> (with -trim __wasi_).
var handWritten = []struct{ hand, gen string }{
	{"Fdstat", "Fdstat_t"}, {"Ciovec", "Ciovec_t"}, {"Iovec", "Iovec_t"},
	{"PrestatDir", "Prestat_dir_t"}, {"Prestat", "Prestat_t"},
	{"SubscriptionClock", "Subscription_clock_t"}, {"SubscriptionFdReadwrite", "Subscription_fd_readwrite_t"},
	{"SubscriptionU", "Subscription_u_t"}, {"Subscription", "Subscription_t"},
	{"EventFdReadwrite", "Event_fd_readwrite_t"}, {"Event", "Event_t"},
}

// handScalars are the host's named integers; each is C's __wasi_<name>_t.
var handScalars = []string{"Errno", "Size", "Fd", "Filesize", "Filedelta", "Timestamp", "Userdata", "Exitcode",
	"Clockid", "Whence", "Filetype", "Fdflags", "Rights", "Preopentype", "Eventtype", "Subclockflags", "Eventrwflags"}

// wasiHarness is the harness's main body: it checks both sets of types
// against the guest, flattens each hand-written type and its generated
// twin into (offset, size, kind) leaves, and computes every size,
// alignment and top-level offset of the generated types as api.h's
// _Static_asserts spell them.
const wasiHarness = `
	leavesOf := func(t reflect.Type) []string {
		l, err := layout.Of(t, layout.Wasm32)
		if err != nil {
			return []string{err.Error()}
		}
		out := []string{fmt.Sprintf("size %d align %d", l.Size, l.Align)}
		var walk func(l *layout.Layout, base uint64)
		walk = func(l *layout.Layout, base uint64) {
			leaf := func(off, size uint64, kind string) { out = append(out, fmt.Sprintf("%3d+%d %s", off, size, kind)) }
			switch l.Kind {
			case layout.Struct, layout.Union, layout.Variant:
				for _, f := range l.Fields {
					walk(f.Layout, base+f.Offset)
				}
			case layout.Span:
				p := l.ABI.PointerSize()
				leaf(base, p, "pointer")
				leaf(base+p, p, "integer")
			case layout.Pointer:
				leaf(base, l.Size, "pointer")
			case layout.Float:
				leaf(base, l.Size, "float")
			default:
				leaf(base, l.Size, "integer")
			}
		}
		walk(l, 0)
		sort.Strings(out[1:])
		return out
	}
	out["Gen"] = check(WASM, GENTYPES, dwarflayout.Options{Trim: []string{"__wasi_"}})
	out["Hand"] = check(WASM, HANDTYPES, dwarflayout.Options{Names: HANDNAMES})
	leaves := map[string][2][]string{}
	for _, p := range PAIRS {
		leaves[p[0].Name()] = [2][]string{leavesOf(p[0]), leavesOf(p[1])}
	}
	out["Leaves"] = leaves
	asserts := map[string]uint64{}
	for goName, t := range GENMAP {
		l, err := layout.Of(t, layout.Wasm32)
		if err != nil {
			continue
		}
		c := CNAMES[goName]
		asserts["sizeof("+c+")"] = l.Size
		asserts["_Alignof("+c+")"] = l.Align
		for _, f := range l.Fields {
			asserts["offsetof("+c+", "+strings.ToLower(f.Name[:1])+f.Name[1:]+")"] = f.Offset
		}
	}
	out["Asserts"] = asserts
`

type wasiResult struct {
	Gen, Hand harnessResult
	Leaves    map[string][2][]string
	Asserts   map[string]uint64
}

// TestWASI generates Go from wasi-libc's <wasi/api.h>: every preview1
// struct and union comes out; their layouts equal the hand-written ones
// of the WASI host and every _Static_assert of api.h; and both the
// generated and the hand-written types pass check against a WASI guest
// built with clang -g that uses them.
func TestWASI(t *testing.T) {
	cc := requireClang(t, true)
	api := filepath.Join(dwarflayout.WASISysroot, "include", "wasm32-wasi", "wasi", "api.h")
	gen, err := dwarflayout.Godefs([]string{api}, dwarflayout.GodefsOptions{ABI: layout.Wasm32, Package: "wasi", Trim: []string{"__wasi_"}, Compiler: cc})
	if err != nil {
		t.Fatal(err)
	}
	var aggregates []string
	cnames := map[string]string{}
	for _, gt := range gen.Types {
		c := gt.C
		if k, n, ok := strings.Cut(c, " "); ok && (k == "struct" || k == "union") {
			aggregates = append(aggregates, c)
			c = n
		}
		cnames[gt.Name] = c
	}
	var preview1 []string
	for _, n := range []string{"iovec", "ciovec", "dirent", "fdstat", "filestat", "event_fd_readwrite", "event",
		"subscription_clock", "subscription_fd_readwrite", "subscription_u_u", "subscription_u", "subscription",
		"prestat_dir", "prestat_u", "prestat"} {
		kind := "struct"
		if strings.HasSuffix(n, "_u_u") || n == "prestat_u" {
			kind = "union"
		}
		preview1 = append(preview1, kind+" __wasi_"+n+"_t")
	}
	if diff := cmp.Diff(preview1, aggregates); diff != "" {
		t.Errorf("structs and unions godefs made of api.h (-want +got):\n%s", diff)
	}

	// A guest that uses every type: a global of each.
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("#include <wasi/api.h>\n#include <stdio.h>\n\n")
	for i, gt := range gen.Types {
		fmt.Fprintf(&src, "%s v%d;\n", gt.C, i)
	}
	src.WriteString("\nint main(void) {\n\tprintf(\"%d\\n\", (int)sizeof(v0));\n\treturn 0;\n}\n")
	guestC, wasm := filepath.Join(dir, "guest.c"), filepath.Join(dir, "guest.wasm")
	if err := os.WriteFile(guestC, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--target=wasm32-wasi", "--sysroot=" + dwarflayout.WASISysroot, "-g", "-O1", "-o", wasm, guestC}
	if out, err := exec.Command("clang", args...).CombinedOutput(); err != nil {
		t.Fatalf("clang %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	handNames := map[string]string{}
	var handTypes, pairs, genMap strings.Builder
	handTypes.WriteString("[]reflect.Type{")
	for _, s := range handScalars {
		handNames[s] = "__wasi_" + strings.ToLower(s) + "_t"
		fmt.Fprintf(&handTypes, "reflect.TypeFor[wasihost.%s](), ", s)
	}
	pairs.WriteString("[][2]reflect.Type{")
	for _, p := range handWritten {
		handNames[p.hand] = cnames[p.gen]
		fmt.Fprintf(&handTypes, "reflect.TypeFor[wasihost.%s](), ", p.hand)
		fmt.Fprintf(&pairs, "{reflect.TypeFor[wasihost.%s](), reflect.TypeFor[wasi.%s]()}, ", p.hand, p.gen)
	}
	handTypes.WriteString("}")
	pairs.WriteString("}")
	genMap.WriteString("map[string]reflect.Type{")
	for _, gt := range gen.Types {
		fmt.Fprintf(&genMap, "%q: reflect.TypeFor[wasi.%s](), ", gt.Name, gt.Name)
	}
	genMap.WriteString("}")
	body := strings.NewReplacer("WASM", "os.Args[1]", "GENTYPES", typeList("wasi", gen), "HANDTYPES", handTypes.String(),
		"HANDNAMES", nameMap(handNames), "PAIRS", pairs.String(), "GENMAP", genMap.String(), "CNAMES", nameMap(cnames)).Replace(wasiHarness)
	var res wasiResult
	runHarness(t, map[string][]byte{"wasi": gen.Source},
		[]string{"fmt", "sort", "strings", "github.com/guestkit/guestkit/layout", "github.com/guestkit/guestkit/examples/wasi/wasihost"}, body, []string{wasm}, &res)

	for name, r := range map[string]harnessResult{"generated": res.Gen, "hand-written": res.Hand} {
		t.Logf("%s WASI types: %d checked against the guest's DWARF, %d mismatches", name, r.Types, r.Mismatches)
		if r.Err != "" || r.Mismatches != 0 {
			t.Errorf("%s types: %s\n%s", name, r.Err, strings.Join(r.Failures, "\n"))
		}
	}
	if res.Gen.Types != len(gen.Types) || res.Hand.Types != len(handScalars)+len(handWritten) {
		t.Errorf("checked %d generated and %d hand-written types, want %d and %d", res.Gen.Types, res.Hand.Types, len(gen.Types), len(handScalars)+len(handWritten))
	}
	for _, p := range handWritten {
		l := res.Leaves[p.hand]
		if diff := cmp.Diff(l[0], l[1]); diff != "" {
			t.Errorf("wasihost.%s and generated %s differ (-hand +generated):\n%s", p.hand, p.gen, diff)
		}
	}
	want := apiAsserts(t, api)
	got := map[string]uint64{}
	for k := range want {
		if v, ok := res.Asserts[k]; ok {
			got[k] = v
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("generated types against api.h's _Static_asserts (-C +Go):\n%s", diff)
	}
	t.Logf("%d preview1 structs and unions, %d types in all; %d of api.h's _Static_asserts hold for the Go types", len(aggregates), len(gen.Types), len(want))
}

// apiAsserts returns api.h's _Static_asserts on __wasi_ types, as
// expression -> value.
func apiAsserts(t *testing.T, api string) map[string]uint64 {
	t.Helper()
	b, err := os.ReadFile(api)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`_Static_assert\(((?:sizeof|_Alignof)\(__wasi_\w+\)|offsetof\(__wasi_\w+, \w+\)) == (\d+),`)
	m := map[string]uint64{}
	for _, match := range re.FindAllStringSubmatch(string(b), -1) {
		n, _ := strconv.ParseUint(match[2], 10, 64)
		m[match[1]] = n
	}
	if len(m) < 100 {
		t.Fatalf("found only %d _Static_asserts in %s", len(m), api)
	}
	return m
}
