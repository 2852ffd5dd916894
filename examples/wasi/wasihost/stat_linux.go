package wasihost

import (
	"os"
	"path"
	"syscall"
	"time"
	"unsafe"
)

func statAtime(s *syscall.Stat_t) int64 { return s.Atim.Nano() }
func statCtime(s *syscall.Stat_t) int64 { return s.Ctim.Nano() }

// utimeOmit leaves a time unchanged in utimensat(2).
const utimeOmit = 1<<30 - 2

// atSymlinkNofollow makes utimensat(2) act on a symbolic link itself.
const atSymlinkNofollow = 0x100

// timespecs are utimensat's times: a zero time is left unchanged.
func timespecs(a, m time.Time) [2]syscall.Timespec {
	ts := [2]syscall.Timespec{{Nsec: utimeOmit}, {Nsec: utimeOmit}}
	if !a.IsZero() {
		ts[0] = syscall.NsecToTimespec(a.UnixNano())
	}
	if !m.IsZero() {
		ts[1] = syscall.NsecToTimespec(m.UnixNano())
	}
	return ts
}

// utimensat calls utimensat(2) on dirfd and name (nil for dirfd itself).
func utimensat(dirfd uintptr, name *byte, a, m time.Time, flags uintptr) error {
	ts := timespecs(a, m)
	_, _, e := syscall.Syscall6(syscall.SYS_UTIMENSAT, dirfd, uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&ts[0])), flags, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// fileChtimes sets the times of the open file f (futimens); a zero time
// is left as it is.
func fileChtimes(f *os.File, a, m time.Time) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = utimensat(fd, nil, a, m, 0) }); err != nil {
		return err
	}
	return serr
}

// lchtimes sets the times of the symbolic link name under root, not of
// its target: it opens the link's directory inside root and calls
// utimensat there with the link's last component, so nothing resolves
// outside root.
func lchtimes(root *os.Root, name string, a, m time.Time) error {
	dir, base := path.Split(name)
	if dir == "" {
		dir = "."
	}
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	p, err := syscall.BytePtrFromString(base)
	if err != nil {
		return err
	}
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = utimensat(fd, p, a, m, atSymlinkNofollow) }); err != nil {
		return err
	}
	return serr
}
