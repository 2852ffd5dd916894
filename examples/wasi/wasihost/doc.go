// Package wasihost is a WASI preview1 host for wazero written with
// package guestptr: the preview1 types are declared once as Go structs
// with `guest` tags (see types.go), and every byte of guest memory the
// host touches is reached through a typed, checked guestptr.Ptr, Slice,
// String or view. There are no hand-written offsets and no byte-order
// code.
//
// It implements all 46 functions of wasi_snapshot_preview1, with a real
// file system, and passes the 72 preview1 tests of the
// WebAssembly/wasi-testsuite (wazero's built-in WASI passes 58):
//
//	r := wazero.NewRuntime(ctx)
//	wasihost.Instantiate(ctx, r, wasihost.Config{
//		Args:     args,
//		Stdout:   os.Stdout,
//		Preopens: []wasihost.Preopen{{GuestPath: "/", Dir: "/srv/data"}},
//	})
//	_, err := r.Instantiate(ctx, wasm) // a *sys.ExitError carries the exit code
//
// # Files and directories
//
// A [Preopen] offers a host directory (as an os.Root) or an fs.FS mount
// under a guest path. Every path resolves inside its directory: ".."
// above it, absolute paths and symbolic links pointing out of it are
// EPERM, also when a rename races the lookup. path_open follows the
// oflags, fdflags (append is real), lookup flags and rights rules of
// preview1; fd_readdir lists ".", ".." and the entries with cookies and
// cuts the last entry short when the buffer ends in it. rename and link
// between two directory descriptors work when both lie in one preopen.
//
// # Other descriptors
//
// Descriptors 0, 1 and 2 are Config.Stdin, Stdout and Stderr, character
// devices; fd_seek on them is ESPIPE. Config.Listeners are preopened
// sockets for sock_accept, sock_recv, sock_send and sock_shutdown, which
// are ENOTSOCK on other descriptors. poll_oneoff waits on clocks
// (relative and absolute); descriptors are ready at once. sched_yield
// yields; proc_raise is ENOSYS, as in wazero; fd_allocate is ENOTSUP, as
// in wazero and wasmtime.
//
// # Errors
//
// A guestptr error becomes an errno as [ErrnoOf] says: out of bounds,
// address overflow and misalignment are EFAULT; an invalid enum, flags,
// union tag or bool in guest memory is EINVAL (a path that is not UTF-8,
// EILSEQ); a result that does not fit its guest field is EOVERFLOW.
// Host file system errors map to the errno of the same name. Calls that
// write results check every region they will write before the first
// byte, so a call that fails writes nothing into guest memory.
//
// # Instances and configuration
//
// A [Host] serves any number of guest modules. The Config given to [New]
// or [Instantiate] is shared by every guest that runs without its own;
// [WithConfig] gives one run its own arguments, streams and descriptors
// through the context passed to wazero's InstantiateModule. Host.Close
// and [CloseConfig] close their descriptors.
//
// # Resources
//
// No call allocates in proportion to a length or count the guest passes:
// iovec arrays and poll subscriptions are read in chunks of 16, buffers
// move through views of guest memory (or bounded copies on a shared
// memory), and paths longer than 4096 bytes are ENAMETOOLONG. fd_write,
// fd_read, clock_time_get and fd_prestat_get allocate nothing.
package wasihost
