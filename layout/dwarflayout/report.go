package dwarflayout

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout"
)

// String returns the report as a pahole-style table: Go on the left, the
// guest's DWARF on the right, one row per field, and each difference
// spelled out at the end of its row after "<-".
func (r *Report) String() string {
	var b strings.Builder
	verdict := "agree"
	if r.Mismatches > 0 {
		verdict = fmt.Sprintf("%d mismatches", r.Mismatches)
		if r.Mismatches == 1 {
			verdict = "1 mismatch"
		}
	}
	fmt.Fprintf(&b, "%s (Go) against %s (guest DWARF), %s: %s\n", r.Go.Type, r.C.CName(), r.Go.ABI, verdict)
	fmt.Fprintf(&b, "%-6s  %4s  %-24s %-14s | %6s  %4s  %-24s %s\n", "offset", "size", "Go field", "guest type", "offset", "size", "C member", "C type")
	for _, row := range r.Rows {
		indent := strings.Repeat("  ", row.Depth)
		left := strings.Repeat(" ", 6+2+4+2+24+1+14)
		if row.HasGo {
			left = fmt.Sprintf("%6d  %4d  %-24s %-14s", row.GoOffset, row.GoSize, clip(indent+row.GoName, 24), clip(row.GoType, 14))
		}
		right := ""
		if row.HasC {
			right = fmt.Sprintf("%6d  %4d  %-24s %s", row.COffset, row.CSize, clip(indent+row.CName, 24), row.CType)
		}
		line := left + " | " + right
		if row.Problem != "" {
			line += "  <- " + row.Problem
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "~"
	}
	return s
}

// Check sets each Go type against the guest's C type of the same name
// (see [Guest.Match]) under the guest's ABI. It returns a report per type
// it could pair, and an error naming every type it could not (no C type
// of that name, or no guest layout).
func (g *Guest) Check(types []reflect.Type, opts Options) ([]*Report, error) {
	abi, err := g.ABI()
	if err != nil {
		return nil, err
	}
	var reports []*Report
	var errs []error
	for _, t := range types {
		if t == nil {
			errs = append(errs, errors.New("nil type"))
			continue
		}
		c, err := g.Match(t.Name(), opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", t, err))
			continue
		}
		l, err := layout.Of(t, abi)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		reports = append(reports, Compare(l, c))
	}
	return reports, errors.Join(errs...)
}

// typesOf turns values and reflect.Types into types.
func typesOf(values []any) []reflect.Type {
	types := make([]reflect.Type, 0, len(values))
	for _, v := range values {
		if t, ok := v.(reflect.Type); ok {
			types = append(types, t)
		} else {
			types = append(types, reflect.TypeOf(v))
		}
	}
	return types
}

// CheckWasm is the one-line unit test of Go guest types: it reads the
// guest module at wasmPath (built with clang -g) and fails t with a
// pahole-style table for every type whose layout differs from the C type
// of the same name. values are values of the types, or reflect.Types:
//
//	dwarflayout.CheckWasm(t, "guest/hello.wasm", Point{}, Item{}, Request{})
func CheckWasm(t testing.TB, wasmPath string, values ...any) {
	t.Helper()
	CheckWasmWith(t, wasmPath, Options{}, values...)
}

// CheckWasmWith is [CheckWasm] with options: names for types that do not
// follow the godefs naming rule, and prefixes to trim.
func CheckWasmWith(t testing.TB, wasmPath string, opts Options, values ...any) {
	t.Helper()
	g, err := Open(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := g.Check(typesOf(values), opts)
	if err != nil {
		t.Error(err)
	}
	for _, r := range reports {
		if !r.OK() {
			t.Errorf("Go type differs from the guest's C type:\n%s", r)
		} else if testing.Verbose() {
			t.Logf("\n%s", r)
		}
	}
}
