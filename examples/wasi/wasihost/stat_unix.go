//go:build linux || darwin

package wasihost

import (
	"io/fs"
	"os"
	"syscall"
)

// sysStat fills in what the system's stat says of fi.
func sysStat(fi fs.FileInfo, st *Filestat) {
	s, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	st.Dev = Device(s.Dev)
	st.Ino = Inode(s.Ino)
	st.Nlink = Linkcount(s.Nlink)
	st.Atim = Timestamp(statAtime(s))
	st.Ctim = Timestamp(statCtime(s))
}

// pwrite writes b to f at off without moving f's offset, also when f was
// opened to append (where os.File.WriteAt refuses).
func pwrite(f *os.File, b []byte, off int64) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		n, werr = syscall.Pwrite(int(fd), b, off)
		return werr != syscall.EAGAIN
	}); err != nil {
		return 0, err
	}
	if n < 0 {
		n = 0
	}
	return n, werr
}

// setAppend turns f's append mode on or off.
func setAppend(f *os.File, on bool) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		fl, err := fcntl(fd, syscall.F_GETFL, 0)
		if err != nil {
			serr = err
			return
		}
		if on {
			fl |= syscall.O_APPEND
		} else {
			fl &^= syscall.O_APPEND
		}
		_, serr = fcntl(fd, syscall.F_SETFL, fl)
	}); err != nil {
		return err
	}
	return serr
}

func fcntl(fd uintptr, cmd, arg int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, uintptr(cmd), uintptr(arg))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
