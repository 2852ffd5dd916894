// Package guestptr gives typed, checked pointers into a WebAssembly guest's
// linear memory: the Go counterpart of wiggle's GuestPtr.
//
// Declare the guest's types once as Go structs (see package layout for the
// `guest` tags), then read and write them through a [Ptr], an array through
// a [Slice], and UTF-8 text through a [String]:
//
//	fd, err := guestptr.New[Fdstat](mem, addr).Read()
//
// # What is checked
//
// Making, casting and moving pointers checks nothing: a pointer's existence
// implies no validity, as in wiggle. Every access checks, before it touches
// a byte, that the region lies inside the memory (ErrOutOfBounds), that its
// address arithmetic does not wrap the address space (ErrOverflow), that the
// address is aligned to the type's guest alignment (ErrMisaligned), and that
// no view conflicts (ErrBorrowed). Reads then check every value: bools are 0
// or 1, enums name a case, flags stay in their mask, tags select a case,
// strings are UTF-8. Writes check every value first and write after, so a
// failed write changes nothing. Every error is an *[Error] saying what was
// done, to which type, where, and in which field; errors.Is matches the
// sentinels below, and ErrBadPointer matches every bad address or length. No input from the guest makes this package panic or
// allocate more than the memory could hold.
//
// # Replying
//
// A guest that wants text or bytes back lends a buffer: [WriteString]
// writes as much as fits without splitting a UTF-8 sequence and returns
// the count ([FitUTF8] says how much in advance), [WriteBytes] and
// [Slice.CopyFrom] copy up to the capacity, String.Set and CopyFromSlice
// write exact lengths, [NewWriter] and [NewReader] are io adapters, and
// Check and CheckWritable check a region without copying it. A reply whose
// size the host decides is allocated in the guest through an [Allocator]
// (the guest's malloc or cabi_realloc; memory/wazeromem binds both), used
// through a [Batch] that checks every block the guest returns and frees
// them all if the reply cannot be built. Package guestptr/deep loads and
// stores whole values with Go strings, slices and pointers inside.
//
// A Ptr, Slice or String written as a field is written as its address: one
// bound to another memory is refused with ErrForeignMemory.
//
// # Following pointers
//
// [Follow] follows a pointer field of a value read from a parent pointer,
// and an error names the parent and the field; [FieldOf] points at a field
// chosen by a function the compiler checks; [Slice.Values] reads each
// element with one error check.
//
// # Views and borrows
//
// A [View] or [MutView] is a []T aliasing guest memory, with no copy. It is
// a borrow, tracked per memory the way wiggle does: shared views of a
// region may coexist, a mutable view excludes every other view and access
// of the region, and Read or Write of a borrowed region is refused until
// Release. [WithSlice] and friends release the view for you, even when the
// callback panics. While no view is held anywhere in a memory, the check
// is a single atomic load.
//
// Views exist for transparent types only: types whose Go bytes are their
// guest bytes (integers and floats, and structs and arrays of them without
// padding). They are refused on shared memories (ErrShared), which other
// threads can write at any time; copy instead.
//
// # Growth
//
// A memory can grow, and growing may move it. Every access fetches the
// memory's bytes again, so reads after growth see the new memory. A shared
// view keeps showing the bytes as they were when it was taken. A mutable
// view's writes are not lost: if the memory moved while the view was held,
// Release writes the view through to the memory's new location.
//
// # Concurrency
//
// Pointers, slices and strings are values, safe to share. A memory may be
// used from many goroutines; the borrow tracker serializes views with
// accesses that start while a view is held. Plain reads and writes of one
// region from several goroutines at once are a data race, as they would be
// on any memory.
package guestptr
