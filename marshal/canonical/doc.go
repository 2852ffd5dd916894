// Package canonical lifts and lowers Component Model values (the canonical
// ABI) from plain Go types, with no code generator: a host can call
// canonical-ABI exports of a core WebAssembly module and implement its
// canonical-ABI imports with ordinary Go structs, slices and strings.
//
// Every WIT value type has a Go spelling (see [Codec]): integers, floats
// and bool as themselves, char as [Char], string as string, list<T> as []T,
// list<T, N> as [N]T, records and tuples as structs, variants as structs
// with a `guest:",tag"` field and `guest:",case=K"` fields (as in package
// layout), enums and flags as named integers with GuestEnumCases and
// GuestFlagsMask, option and result as [Option] and [Result], handles as
// [Own] and [Borrow] over a per-instance [HandleTable].
//
// Sizes, alignments, offsets and flat types follow the spec's
// definitions.py for both wasm32 and memory64. Plans are compiled once per
// (type, ABI) and cached; lifting and lowering use no reflection except to
// allocate lifted lists of pointer-holding elements.
//
// Lifting treats the guest as hostile: every trap of the spec is an
// [*Error] naming the path inside the value (a [layout.Path]) and wrapping
// a sentinel — out of bounds, misaligned, strings and lists over 2^28-1
// bytes, invalid UTF-8, lone surrogates, invalid chars, discriminants out
// of range, and every handle error (invalid index, wrong resource type, an
// own that is lent or a borrow where own is needed, borrows left at the
// end of a call). A lift allocates at most a small constant times the
// bytes the guest memory holds.
//
// Lowering allocates through the guest's cabi_realloc ([Context.Realloc]),
// whose results are checked (aligned and in bounds), and writes strings in
// utf8, utf16 or latin1+utf16 with the spec's allocation sequence
// (including the in-place inflation of latin1+utf16). NaNs are
// canonicalized both ways, as the spec's deterministic profile requires.
//
// [Func] flattens a function type with MaxFlatParams = 16 and
// MaxFlatResults = 1, spilling parameters to memory and returning results
// through a pointer. Package memory/wazeromem/canonwazero binds it to
// wazero: calls of guest exports (with cabi_realloc and cabi_post_<name>)
// and host imports defined from Go functions.
package canonical
