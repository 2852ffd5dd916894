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
// Pointers, slices and strings are values, safe to share, and a memory may
// be used from many goroutines. The contract is Go's own for memory, as for
// maps: a host program must order (with a mutex, a channel, a WaitGroup)
// any two operations on overlapping bytes of which one writes: a Write, a
// write through a MutView, or taking or releasing a view against a read or
// write of its region in another goroutine. Unordered, they are a data race
// in the host program, which `go test -race` reports
// (TestUnorderedViewAndWriteIsARace shows it). Ordered, every guarantee
// holds: a view taken before an access is seen by it and refuses it. The
// tracker's own state is always safe: borrows taken and released from many
// goroutines at once never corrupt it, and of two conflicting borrows taken
// at the same moment at most one is granted. While no view is held
// anywhere in a memory, an access checks the tracker with two atomic loads
// and takes no lock; while one is, it holds the tracker's read lock, so no
// borrow starts in the middle of it.
//
// Shared memories (a threaded guest's) are written by guest threads at any
// time: guestkit copies every value out before checking it, so each byte is
// fetched once, and refuses views of them.
//
// # Trace of a Read
//
// guestptr.New[T](mem, addr).Read(), from the call to the bytes, runs in
// three files. guestptr/access.go: Read calls marshal.Peek.
// marshal/direct.go: Peek finds T's codec (carried by the pointer, or by
// the type word of *T in a two-way table, internal/typecache's one-line
// LoadFirst), fetches the memory's bytes (memory/memory.go:
// Memory.Current, one atomic load), checks that nothing is borrowed (the
// tracker's Held, two atomic loads), that the region is in bounds and
// aligned, and the value's few checked words in place, and returns a
// pointer to the bytes, which Read copies as a T.
// For any other type, a shared or borrowed memory, or any failure, Read
// takes the general path in the same file: the codec (marshal.Pointee),
// the region (place) and the access (Borrows.BeginRead), then the codec's
// compiled steps (Codec.Decode), and on failure the *Error.
package guestptr
