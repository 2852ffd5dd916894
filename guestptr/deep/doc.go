// Package deep copies whole values between guest memory and owned Go
// values, following every pointer: the C-layout counterpart of the
// Component Model canonical ABI's lift (Load) and lower (Store).
//
// # Native types
//
// guestptr's types keep guest pointers as guest pointers (guestptr.String,
// guestptr.Slice, guestptr.Ptr), followed only when asked. deep instead
// takes "native" Go types, whose fields may be Go strings, slices and
// pointers, and maps each to a guest mirror:
//
//	Go field        guest field                          Go value after Load
//	string          (pointer, length) of UTF-8 bytes     a copy, UTF-8 checked
//	[]T             (pointer, length) of mirror(T)       a new slice; nil for length 0
//	*T              pointer to mirror(T), 0 for nil      a new T, or nil
//	struct, [N]T    the same with mirrored fields        -
//	anything else   its ordinary guest layout            as guestptr reads it
//
// The mirror of a struct is a struct with the same fields, tags and order,
// in which every string, []T and *T field is replaced by a guest pointer
// of the same shape, so its layout (sizes, offsets, `guest` tags, packed,
// align) is computed by package layout under the usual rules: a string or
// []T takes the place of a C `const char *p; uint32_t len;` pair, a *T of
// a C pointer. The layout package itself is unchanged: it still refuses
// strings and slices in ordinary guest types. Plain fields (integers,
// enums, flags, tagged unions, guestptr pointers) are moved by package
// marshal, exactly as guestptr moves them; guestptr pointers inside a
// loaded value stay bound to the memory and are not followed.
//
// Not supported: Go strings, slices and pointers inside a C union or a
// tagged union's case (use guestptr types there), maps, interfaces,
// channels and functions.
//
// # Limits
//
// Load allocates only what [Limits] allow: host bytes in total (strings,
// slice elements, pointees), list elements in total, and pointer depth.
// Each is checked before the allocation it would pay for, so a guest list
// of 2^32-1 strings each spanning the whole memory is refused at once, and
// a pointer cycle ends at the depth limit. An error names the field path
// and the limit. The zero Limits means [DefaultLimits].
//
// # Store
//
// Store writes a Go value into guest memory, allocating its strings, lists
// and pointees in the guest through a memory.Allocator (such as
// wazeromem.Malloc). It is all or nothing: it measures and checks the
// whole value first, allocates every block through a guestptr.Batch
// (which checks what the guest's allocator returns), encodes everything
// into a host buffer, and only then writes guest memory. On any failure no
// byte the guest had is changed and every block allocated is freed (where
// the allocator can free).
package deep
