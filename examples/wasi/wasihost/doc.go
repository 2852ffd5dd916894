// Package wasihost is a WASI preview1 host for wazero, small enough to
// read in one sitting, written with package guestptr: the preview1 types
// are declared once as Go structs with `guest` tags (see types.go), and
// every byte of guest memory the host touches is reached through a typed,
// checked guestptr.Ptr, Slice or view. There are no hand-written offsets
// and no byte-order code.
//
// It runs WASI commands that need arguments, environment, standard
// streams, clocks, sleep and randomness:
//
//	r := wazero.NewRuntime(ctx)
//	wasihost.Instantiate(ctx, r, wasihost.Config{Args: args, Stdout: os.Stdout})
//	_, err := r.Instantiate(ctx, wasm) // a *sys.ExitError carries the exit code
//
// # Functions
//
// Implemented: args_get, args_sizes_get, environ_get, environ_sizes_get,
// clock_time_get, clock_res_get, random_get, fd_write, fd_read, fd_close,
// fd_seek, fd_fdstat_get, fd_prestat_get, fd_prestat_dir_name, poll_oneoff
// and proc_exit. Every other wasi_snapshot_preview1 function is exported
// with its preview1 signature and returns ENOSYS.
//
// Descriptors 0, 1 and 2 are Config.Stdin, Stdout and Stderr, described by
// fd_fdstat_get as character devices; fd_seek on them is ESPIPE; fd_close
// closes them for good (later use is EBADF). There are no preopens, so
// fd_prestat_get(3) is EBADF and wasi-libc's startup scan ends there. Any
// other descriptor is EBADF. Guest-visible results match wazero's own
// wasi_snapshot_preview1 with non-file stdio for the calls the example
// guests make; the comparison test checks this byte for byte. The
// differences elsewhere: clock subscriptions with the abstime flag sleep
// until the time (wazero: ENOTSUP), descriptor subscriptions are ready at
// once (wazero: fd_write is ENOTSUP), fd_seek is ESPIPE (wazero: ENOSYS
// for non-file stdio, ESPIPE for pipes), fd_prestat_get(0..2) is EBADF.
//
// # Errors
//
// A guestptr error becomes an errno as [ErrnoOf] says: out of bounds,
// address overflow and misalignment are EFAULT; an invalid enum, flags,
// union tag, bool or UTF-8 string in guest memory is EINVAL; a result that
// does not fit its guest field is EOVERFLOW. An empty poll_oneoff is
// EINVAL, a failed read or write of a stream EIO, an unknown clock EINVAL.
//
// # Instances and configuration
//
// A [Host] serves any number of guest modules. The Config given to [New]
// or [Instantiate] is shared by every guest that runs without its own;
// [WithConfig] gives one run its own arguments, streams and descriptors
// through the context passed to wazero's InstantiateModule.
//
// # Performance
//
// Calls allocate nothing once a guest has made its first (poll_oneoff and
// args_get/environ_get excepted). fd_write reads the iovec array with one
// CopyToSlice and gathers small buffers into one Write, as writev would;
// buffers larger than 4 KiB, and fd_read's buffers, go through views of
// guest memory with no copy.
package wasihost
