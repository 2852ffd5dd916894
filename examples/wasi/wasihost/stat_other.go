//go:build !(linux || darwin)

package wasihost

import (
	"io/fs"
	"os"
	"time"
)

// sysStat fills in nothing where the system's stat is not known.
func sysStat(fs.FileInfo, *Filestat) {}

// pwrite writes b to f at off.
func pwrite(f *os.File, b []byte, off int64) (int, error) { return f.WriteAt(b, off) }

// fileChtimes sets the times of f by its name.
func fileChtimes(f *os.File, a, m time.Time) error { return os.Chtimes(f.Name(), a, m) }

// setAppend is not supported here.
func setAppend(*os.File, bool) error { return ErrnoNotsup }

// lchtimes is not supported here.
func lchtimes(*os.Root, string, time.Time, time.Time) error { return ErrnoNotsup }
