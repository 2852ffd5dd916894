package wasihost

import (
	"context"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// function is one export of the host module.
type function struct {
	name    string
	params  []api.ValueType
	names   []string
	results []api.ValueType
	fn      api.GoModuleFunc
}

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// Implemented lists the functions this host implements; every other
// preview1 function is exported with its signature and returns ENOSYS.
var Implemented = []string{
	"args_get", "args_sizes_get", "environ_get", "environ_sizes_get",
	"clock_res_get", "clock_time_get", "fd_close", "fd_fdstat_get",
	"fd_prestat_dir_name", "fd_prestat_get", "fd_read", "fd_seek",
	"fd_write", "poll_oneoff", "proc_exit", "random_get",
}

// addr is a wasm32 address from the stack.
func addr(v uint64) uint64 { return uint64(uint32(v)) }

// call adapts a typed implementation: it finds the call's state and
// memory and stores the errno. A module without memory gets EFAULT.
func (h *Host) call(f func(ctx context.Context, s *state, mem *memory.Memory, stack []uint64) Errno) api.GoModuleFunc {
	return func(ctx context.Context, m api.Module, stack []uint64) {
		mem, err := h.memory(m)
		if err != nil {
			stack[0] = uint64(ErrnoFault)
			return
		}
		stack[0] = uint64(f(ctx, h.state(ctx), mem, stack))
	}
}

// nosys is the body of every function this host does not implement.
func nosys(_ context.Context, _ api.Module, stack []uint64) { stack[0] = uint64(ErrnoNosys) }

// functions returns every wasi_snapshot_preview1 function, in the order of
// the preview1 docs.
func (h *Host) functions() []function {
	type params = []api.ValueType
	errno := []api.ValueType{i32}
	impl := func(name string, p params, names []string, f func(context.Context, *state, *memory.Memory, []uint64) Errno) function {
		return function{name: name, params: p, names: names, results: errno, fn: h.call(f)}
	}
	stub := func(name string, p params, names ...string) function {
		return function{name: name, params: p, names: names, results: errno, fn: nosys}
	}
	return []function{
		impl("args_get", params{i32, i32}, []string{"argv", "argv_buf"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.argsGet(guestptr.New[guestptr.Ptr[byte]](m, addr(st[0])), guestptr.New[byte](m, addr(st[1])))
			}),
		impl("args_sizes_get", params{i32, i32}, []string{"result.argc", "result.argv_len"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.argsSizesGet(guestptr.New[Size](m, addr(st[0])), guestptr.New[Size](m, addr(st[1])))
			}),
		impl("environ_get", params{i32, i32}, []string{"environ", "environ_buf"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.environGet(guestptr.New[guestptr.Ptr[byte]](m, addr(st[0])), guestptr.New[byte](m, addr(st[1])))
			}),
		impl("environ_sizes_get", params{i32, i32}, []string{"result.environc", "result.environv_len"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.environSizesGet(guestptr.New[Size](m, addr(st[0])), guestptr.New[Size](m, addr(st[1])))
			}),
		impl("clock_res_get", params{i32, i32}, []string{"id", "result.resolution"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.clockResGet(Clockid(st[0]), guestptr.New[Timestamp](m, addr(st[1])))
			}),
		impl("clock_time_get", params{i32, i64, i32}, []string{"id", "precision", "result.timestamp"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.clockTimeGet(Clockid(st[0]), Timestamp(st[1]), guestptr.New[Timestamp](m, addr(st[2])))
			}),
		stub("fd_advise", params{i32, i64, i64, i32}, "fd", "offset", "len", "advice"),
		stub("fd_allocate", params{i32, i64, i64}, "fd", "offset", "len"),
		impl("fd_close", params{i32}, []string{"fd"},
			func(_ context.Context, s *state, _ *memory.Memory, st []uint64) Errno {
				return s.fdClose(Fd(st[0]))
			}),
		stub("fd_datasync", params{i32}, "fd"),
		impl("fd_fdstat_get", params{i32, i32}, []string{"fd", "result.stat"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.fdFdstatGet(Fd(st[0]), guestptr.New[Fdstat](m, addr(st[1])))
			}),
		stub("fd_fdstat_set_flags", params{i32, i32}, "fd", "flags"),
		stub("fd_fdstat_set_rights", params{i32, i64, i64}, "fd", "fs_rights_base", "fs_rights_inheriting"),
		stub("fd_filestat_get", params{i32, i32}, "fd", "result.buf"),
		stub("fd_filestat_set_size", params{i32, i64}, "fd", "size"),
		stub("fd_filestat_set_times", params{i32, i64, i64, i32}, "fd", "atim", "mtim", "fst_flags"),
		stub("fd_pread", params{i32, i32, i32, i64, i32}, "fd", "iovs", "iovs_len", "offset", "result.nread"),
		impl("fd_prestat_get", params{i32, i32}, []string{"fd", "result.prestat"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.fdPrestatGet(Fd(st[0]), guestptr.New[Prestat](m, addr(st[1])))
			}),
		impl("fd_prestat_dir_name", params{i32, i32, i32}, []string{"fd", "path", "path_len"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.fdPrestatDirName(Fd(st[0]), guestptr.NewSlice[byte](m, addr(st[1]), addr(st[2])))
			}),
		stub("fd_pwrite", params{i32, i32, i32, i64, i32}, "fd", "iovs", "iovs_len", "offset", "result.nwritten"),
		impl("fd_read", params{i32, i32, i32, i32}, []string{"fd", "iovs", "iovs_len", "result.nread"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.fdRead(Fd(st[0]), guestptr.NewSlice[Iovec](m, addr(st[1]), addr(st[2])), guestptr.New[Size](m, addr(st[3])))
			}),
		stub("fd_readdir", params{i32, i32, i32, i64, i32}, "fd", "buf", "buf_len", "cookie", "result.bufused"),
		stub("fd_renumber", params{i32, i32}, "fd", "to"),
		impl("fd_seek", params{i32, i64, i32, i32}, []string{"fd", "offset", "whence", "result.newoffset"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.fdSeek(Fd(st[0]), Filedelta(st[1]), uint32(st[2]), guestptr.New[Filesize](m, addr(st[3])))
			}),
		stub("fd_sync", params{i32}, "fd"),
		stub("fd_tell", params{i32, i32}, "fd", "result.offset"),
		impl("fd_write", params{i32, i32, i32, i32}, []string{"fd", "iovs", "iovs_len", "result.nwritten"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.fdWrite(Fd(st[0]), guestptr.NewSlice[Ciovec](m, addr(st[1]), addr(st[2])), guestptr.New[Size](m, addr(st[3])))
			}),
		stub("path_create_directory", params{i32, i32, i32}, "fd", "path", "path_len"),
		stub("path_filestat_get", params{i32, i32, i32, i32, i32}, "fd", "flags", "path", "path_len", "result.buf"),
		stub("path_filestat_set_times", params{i32, i32, i32, i32, i64, i64, i32}, "fd", "flags", "path", "path_len", "atim", "mtim", "fst_flags"),
		stub("path_link", params{i32, i32, i32, i32, i32, i32, i32}, "old_fd", "old_flags", "old_path", "old_path_len", "new_fd", "new_path", "new_path_len"),
		stub("path_open", params{i32, i32, i32, i32, i32, i64, i64, i32, i32}, "fd", "dirflags", "path", "path_len", "oflags", "fs_rights_base", "fs_rights_inheriting", "fdflags", "result.opened_fd"),
		stub("path_readlink", params{i32, i32, i32, i32, i32, i32}, "fd", "path", "path_len", "buf", "buf_len", "result.bufused"),
		stub("path_remove_directory", params{i32, i32, i32}, "fd", "path", "path_len"),
		stub("path_rename", params{i32, i32, i32, i32, i32, i32}, "fd", "old_path", "old_path_len", "new_fd", "new_path", "new_path_len"),
		stub("path_symlink", params{i32, i32, i32, i32, i32}, "old_path", "old_path_len", "fd", "new_path", "new_path_len"),
		stub("path_unlink_file", params{i32, i32, i32}, "fd", "path", "path_len"),
		impl("poll_oneoff", params{i32, i32, i32, i32}, []string{"in", "out", "nsubscriptions", "result.nevents"},
			func(ctx context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				n := addr(st[2])
				return s.pollOneoff(ctx, guestptr.NewSlice[Subscription](m, addr(st[0]), n), guestptr.NewSlice[Event](m, addr(st[1]), n), guestptr.New[Size](m, addr(st[3])))
			}),
		{name: "proc_exit", params: params{i32}, names: []string{"rval"}, fn: procExit},
		stub("proc_raise", params{i32}, "sig"),
		stub("sched_yield", nil),
		impl("random_get", params{i32, i32}, []string{"buf", "buf_len"},
			func(_ context.Context, s *state, m *memory.Memory, st []uint64) Errno {
				return s.randomGet(guestptr.NewSlice[byte](m, addr(st[0]), addr(st[1])))
			}),
		stub("sock_accept", params{i32, i32, i32}, "fd", "flags", "result.fd"),
		stub("sock_recv", params{i32, i32, i32, i32, i32, i32}, "fd", "ri_data", "ri_data_len", "ri_flags", "result.ro_datalen", "result.ro_flags"),
		stub("sock_send", params{i32, i32, i32, i32, i32}, "fd", "si_data", "si_data_len", "si_flags", "result.so_datalen"),
		stub("sock_shutdown", params{i32, i32}, "fd", "how"),
	}
}

// procExit ends the guest with the exit code, as wazero's own proc_exit
// does: it closes the module with the code and panics with a
// *sys.ExitError, which wazero turns into the error of the call (or, for
// code 0 in a start function, into success).
func procExit(ctx context.Context, m api.Module, stack []uint64) {
	code := uint32(stack[0])
	_ = m.CloseWithExitCode(ctx, code)
	panic(sys.NewExitError(code))
}
