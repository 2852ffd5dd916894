package wasihost

import (
	"os"
	"strconv"
	"syscall"
	"time"
)

func statAtime(s *syscall.Stat_t) int64 { return s.Atim.Nano() }
func statCtime(s *syscall.Stat_t) int64 { return s.Ctim.Nano() }

// fileChtimes sets the times of the open file f; a zero time is left as
// it is. It goes through /proc/self/fd, which names f itself, not a path
// that may since have changed.
func fileChtimes(f *os.File, a, m time.Time) error {
	return os.Chtimes("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), a, m)
}
