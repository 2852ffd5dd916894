package wasihost

import (
	"os"
	"syscall"
	"time"
)

func statAtime(s *syscall.Stat_t) int64 { return s.Atimespec.Nano() }
func statCtime(s *syscall.Stat_t) int64 { return s.Ctimespec.Nano() }

// fileChtimes sets the times of f by the name it was opened with.
func fileChtimes(f *os.File, a, m time.Time) error { return os.Chtimes(f.Name(), a, m) }

// lchtimes is not supported here.
func lchtimes(*os.Root, string, time.Time, time.Time) error { return ErrnoNotsup }
