// Package dwarflayout takes guest type layouts from the guest's own
// compiler. A guest built with clang -g (--target=wasm32 or wasm64)
// carries DWARF debug info in custom sections of its .wasm file; this
// package reads it with debug/dwarf and
//
//   - checks Go guest types against it ([Guest.Check], [Compare], and the
//     one-line test helper [CheckWasm]): size, alignment, every field's
//     offset, size and kind, and pointer widths, with a pahole-style table
//     of Go against guest for every difference;
//   - generates Go guest types from C headers ([Godefs]): clang compiles
//     the headers with -g, and every struct, union, enum and typedef they
//     define becomes a Go declaration with `guest` tags;
//   - writes a C header from Go guest types ([CHeader]) with
//     _Static_asserts of every size, alignment and offset, so a guest
//     author compiles against the host's declaration.
//
// The command github.com/guestkit/guestkit/layout/cmd/guestlayout wraps
// all three.
//
// # Matching Go and C
//
// A Go type stands for the C type whose name the godefs rule turns into
// the Go name: C's spelling with the first letter upper-cased (struct
// point_t → Point_t, typedef fdstat → Fdstat; a leading underscore gets
// an X: __wasi_fdstat_t → X__wasi_fdstat_t). [Options] trims prefixes
// and maps other names explicitly. Fields pair with members in order:
// a guestptr.Slice or guestptr.String field stands for a pointer and the
// length after it, a tagged union (`guest:",tag"` and `guest:",case=K"`)
// for a struct of a tag and a union of the cases, and an empty Go field
// (an empty case) needs no member. Names are shown, not compared.
//
// # What DWARF does not say
//
// DWARF records explicit alignments (DW_AT_alignment) but not packing. A
// packed struct whose members happen to sit at their natural offsets
// looks unpacked, so a check accepts either alignment for it; Godefs
// measures every named type's alignment with _Alignof instead. Bit-fields
// have no guest tag and are refused.
package dwarflayout
