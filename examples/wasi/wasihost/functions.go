package wasihost

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
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

// a32 is a wasm32 address or length from the stack.
func a32(v uint64) uint64 { return uint64(uint32(v)) }

// impl is the body of one host function: the call's state, the guest's
// memory, and the stack, whose first slot takes the errno.
type impl func(ctx context.Context, s *state, m guestMemory, st []uint64) Errno

// call adapts an impl: it finds the call's state and memory and stores
// the errno. A module without memory gets EFAULT.
func (h *Host) call(f impl) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		mem, err := h.memory(mod)
		if err != nil {
			stack[0] = uint64(ErrnoFault)
			return
		}
		stack[0] = uint64(f(ctx, h.state(ctx), mem, stack))
	}
}

// str is the guest string at stack slots i and i+1.
func str(m guestMemory, st []uint64, i int) guestptr.String {
	return guestptr.NewString(m, a32(st[i]), a32(st[i+1]))
}

// functions returns every wasi_snapshot_preview1 function, in the order of
// the preview1 docs.
func (h *Host) functions() []function {
	type params = []api.ValueType
	errno := []api.ValueType{i32}
	fn := func(name string, p params, names []string, f impl) function {
		return function{name: name, params: p, names: names, results: errno, fn: h.call(f)}
	}
	n := func(names ...string) []string { return names }
	return []function{
		fn("args_get", params{i32, i32}, n("argv", "argv_buf"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.argsGet(guestptr.New[guestptr.Ptr[byte]](m, a32(st[0])), guestptr.New[byte](m, a32(st[1])))
		}),
		fn("args_sizes_get", params{i32, i32}, n("result.argc", "result.argv_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.argsSizesGet(guestptr.New[Size](m, a32(st[0])), guestptr.New[Size](m, a32(st[1])))
		}),
		fn("environ_get", params{i32, i32}, n("environ", "environ_buf"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.environGet(guestptr.New[guestptr.Ptr[byte]](m, a32(st[0])), guestptr.New[byte](m, a32(st[1])))
		}),
		fn("environ_sizes_get", params{i32, i32}, n("result.environc", "result.environv_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.environSizesGet(guestptr.New[Size](m, a32(st[0])), guestptr.New[Size](m, a32(st[1])))
		}),
		fn("clock_res_get", params{i32, i32}, n("id", "result.resolution"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.clockResGet(Clockid(uint32(st[0])), guestptr.New[Timestamp](m, a32(st[1])))
		}),
		fn("clock_time_get", params{i32, i64, i32}, n("id", "precision", "result.timestamp"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.clockTimeGet(Clockid(uint32(st[0])), Timestamp(st[1]), guestptr.New[Timestamp](m, a32(st[2])))
		}),
		fn("fd_advise", params{i32, i64, i64, i32}, n("fd", "offset", "len", "advice"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdAdvise(Fd(st[0]), Filesize(st[1]), Filesize(st[2]), uint32(st[3]))
		}),
		fn("fd_allocate", params{i32, i64, i64}, n("fd", "offset", "len"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdAllocate(Fd(st[0]), Filesize(st[1]), Filesize(st[2]))
		}),
		fn("fd_close", params{i32}, n("fd"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdClose(Fd(st[0]))
		}),
		fn("fd_datasync", params{i32}, n("fd"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdSync(Fd(st[0]))
		}),
		fn("fd_fdstat_get", params{i32, i32}, n("fd", "result.stat"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdFdstatGet(Fd(st[0]), guestptr.New[Fdstat](m, a32(st[1])))
		}),
		fn("fd_fdstat_set_flags", params{i32, i32}, n("fd", "flags"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdFdstatSetFlags(Fd(st[0]), uint32(st[1]))
		}),
		fn("fd_fdstat_set_rights", params{i32, i64, i64}, n("fd", "fs_rights_base", "fs_rights_inheriting"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdFdstatSetRights(Fd(st[0]), Rights(st[1]), Rights(st[2]))
		}),
		fn("fd_filestat_get", params{i32, i32}, n("fd", "result.buf"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdFilestatGet(Fd(st[0]), guestptr.New[Filestat](m, a32(st[1])))
		}),
		fn("fd_filestat_set_size", params{i32, i64}, n("fd", "size"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdFilestatSetSize(Fd(st[0]), Filesize(st[1]))
		}),
		fn("fd_filestat_set_times", params{i32, i64, i64, i32}, n("fd", "atim", "mtim", "fst_flags"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdFilestatSetTimes(Fd(st[0]), Timestamp(st[1]), Timestamp(st[2]), uint32(st[3]))
		}),
		fn("fd_pread", params{i32, i32, i32, i64, i32}, n("fd", "iovs", "iovs_len", "offset", "result.nread"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdPread(Fd(st[0]), guestptr.NewSlice[Iovec](m, a32(st[1]), a32(st[2])), Filesize(st[3]), guestptr.New[Size](m, a32(st[4])))
		}),
		fn("fd_prestat_get", params{i32, i32}, n("fd", "result.prestat"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdPrestatGet(Fd(st[0]), guestptr.New[Prestat](m, a32(st[1])))
		}),
		fn("fd_prestat_dir_name", params{i32, i32, i32}, n("fd", "path", "path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdPrestatDirName(Fd(st[0]), guestptr.NewSlice[byte](m, a32(st[1]), a32(st[2])))
		}),
		fn("fd_pwrite", params{i32, i32, i32, i64, i32}, n("fd", "iovs", "iovs_len", "offset", "result.nwritten"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdPwrite(Fd(st[0]), guestptr.NewSlice[Ciovec](m, a32(st[1]), a32(st[2])), Filesize(st[3]), guestptr.New[Size](m, a32(st[4])))
		}),
		fn("fd_read", params{i32, i32, i32, i32}, n("fd", "iovs", "iovs_len", "result.nread"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdRead(Fd(st[0]), guestptr.NewSlice[Iovec](m, a32(st[1]), a32(st[2])), guestptr.New[Size](m, a32(st[3])))
		}),
		fn("fd_readdir", params{i32, i32, i32, i64, i32}, n("fd", "buf", "buf_len", "cookie", "result.bufused"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdReaddir(Fd(st[0]), guestptr.NewSlice[byte](m, a32(st[1]), a32(st[2])), Dircookie(st[3]), guestptr.New[Size](m, a32(st[4])))
		}),
		fn("fd_renumber", params{i32, i32}, n("fd", "to"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdRenumber(Fd(st[0]), Fd(st[1]))
		}),
		fn("fd_seek", params{i32, i64, i32, i32}, n("fd", "offset", "whence", "result.newoffset"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdSeek(Fd(st[0]), Filedelta(st[1]), uint32(st[2]), guestptr.New[Filesize](m, a32(st[3])))
		}),
		fn("fd_sync", params{i32}, n("fd"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.fdSync(Fd(st[0]))
		}),
		fn("fd_tell", params{i32, i32}, n("fd", "result.offset"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdTell(Fd(st[0]), guestptr.New[Filesize](m, a32(st[1])))
		}),
		fn("fd_write", params{i32, i32, i32, i32}, n("fd", "iovs", "iovs_len", "result.nwritten"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.fdWrite(Fd(st[0]), guestptr.NewSlice[Ciovec](m, a32(st[1]), a32(st[2])), guestptr.New[Size](m, a32(st[3])))
		}),
		fn("path_create_directory", params{i32, i32, i32}, n("fd", "path", "path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathCreateDirectory(Fd(st[0]), str(m, st, 1))
		}),
		fn("path_filestat_get", params{i32, i32, i32, i32, i32}, n("fd", "flags", "path", "path_len", "result.buf"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathFilestatGet(Fd(st[0]), uint32(st[1]), str(m, st, 2), guestptr.New[Filestat](m, a32(st[4])))
		}),
		fn("path_filestat_set_times", params{i32, i32, i32, i32, i64, i64, i32}, n("fd", "flags", "path", "path_len", "atim", "mtim", "fst_flags"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathFilestatSetTimes(Fd(st[0]), uint32(st[1]), str(m, st, 2), Timestamp(st[4]), Timestamp(st[5]), uint32(st[6]))
		}),
		fn("path_link", params{i32, i32, i32, i32, i32, i32, i32}, n("old_fd", "old_flags", "old_path", "old_path_len", "new_fd", "new_path", "new_path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathLink(Fd(st[0]), uint32(st[1]), str(m, st, 2), Fd(st[4]), str(m, st, 5))
		}),
		fn("path_open", params{i32, i32, i32, i32, i32, i64, i64, i32, i32}, n("fd", "dirflags", "path", "path_len", "oflags", "fs_rights_base", "fs_rights_inheriting", "fdflags", "result.opened_fd"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathOpen(Fd(st[0]), uint32(st[1]), str(m, st, 2), uint32(st[4]), Rights(st[5]), Rights(st[6]), uint32(st[7]), guestptr.New[Fd](m, a32(st[8])))
		}),
		fn("path_readlink", params{i32, i32, i32, i32, i32, i32}, n("fd", "path", "path_len", "buf", "buf_len", "result.bufused"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathReadlink(Fd(st[0]), str(m, st, 1), guestptr.NewSlice[byte](m, a32(st[3]), a32(st[4])), guestptr.New[Size](m, a32(st[5])))
		}),
		fn("path_remove_directory", params{i32, i32, i32}, n("fd", "path", "path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathRemoveDirectory(Fd(st[0]), str(m, st, 1))
		}),
		fn("path_rename", params{i32, i32, i32, i32, i32, i32}, n("fd", "old_path", "old_path_len", "new_fd", "new_path", "new_path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathRename(Fd(st[0]), str(m, st, 1), Fd(st[3]), str(m, st, 4))
		}),
		fn("path_symlink", params{i32, i32, i32, i32, i32}, n("old_path", "old_path_len", "fd", "new_path", "new_path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathSymlink(str(m, st, 0), Fd(st[2]), str(m, st, 3))
		}),
		fn("path_unlink_file", params{i32, i32, i32}, n("fd", "path", "path_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.pathUnlinkFile(Fd(st[0]), str(m, st, 1))
		}),
		fn("poll_oneoff", params{i32, i32, i32, i32}, n("in", "out", "nsubscriptions", "result.nevents"), func(ctx context.Context, s *state, m guestMemory, st []uint64) Errno {
			k := a32(st[2])
			return s.pollOneoff(ctx, guestptr.NewSlice[Subscription](m, a32(st[0]), k), guestptr.NewSlice[Event](m, a32(st[1]), k), guestptr.New[Size](m, a32(st[3])))
		}),
		{name: "proc_exit", params: params{i32}, names: n("rval"), fn: procExit},
		{name: "proc_raise", params: params{i32}, names: n("sig"), results: errno, fn: procRaise},
		{name: "sched_yield", results: errno, fn: schedYield},
		fn("random_get", params{i32, i32}, n("buf", "buf_len"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.randomGet(guestptr.NewSlice[byte](m, a32(st[0]), a32(st[1])))
		}),
		fn("sock_accept", params{i32, i32, i32}, n("fd", "flags", "result.fd"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.sockAccept(Fd(st[0]), uint32(st[1]), guestptr.New[Fd](m, a32(st[2])))
		}),
		fn("sock_recv", params{i32, i32, i32, i32, i32, i32}, n("fd", "ri_data", "ri_data_len", "ri_flags", "result.ro_datalen", "result.ro_flags"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.sockRecv(Fd(st[0]), guestptr.NewSlice[Iovec](m, a32(st[1]), a32(st[2])), uint32(st[3]), guestptr.New[Size](m, a32(st[4])), guestptr.New[Roflags](m, a32(st[5])))
		}),
		fn("sock_send", params{i32, i32, i32, i32, i32}, n("fd", "si_data", "si_data_len", "si_flags", "result.so_datalen"), func(_ context.Context, s *state, m guestMemory, st []uint64) Errno {
			return s.sockSend(Fd(st[0]), guestptr.NewSlice[Ciovec](m, a32(st[1]), a32(st[2])), uint32(st[3]), guestptr.New[Size](m, a32(st[4])))
		}),
		fn("sock_shutdown", params{i32, i32}, n("fd", "how"), func(_ context.Context, s *state, _ guestMemory, st []uint64) Errno {
			return s.sockShutdown(Fd(st[0]), uint32(st[1]))
		}),
	}
}
