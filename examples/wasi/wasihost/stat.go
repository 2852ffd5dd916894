package wasihost

import (
	"io/fs"
	"os"
	"time"
)

// filetypeOf is the WASI file type of a file mode.
func filetypeOf(m fs.FileMode) Filetype {
	switch {
	case m.IsRegular():
		return FiletypeRegularFile
	case m.IsDir():
		return FiletypeDirectory
	case m&fs.ModeSymlink != 0:
		return FiletypeSymbolicLink
	case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice != 0:
		return FiletypeCharacterDevice
	case m&fs.ModeDevice != 0:
		return FiletypeBlockDevice
	case m&fs.ModeSocket != 0:
		return FiletypeSocketStream
	}
	return FiletypeUnknown
}

// filestatOf describes a file as fd_filestat_get does: the system's
// device, inode, link count and times where it has them (see sysStat),
// else the modification time for every time and 1 link.
func filestatOf(fi fs.FileInfo) Filestat {
	st := Filestat{
		Filetype: filetypeOf(fi.Mode()),
		Nlink:    1,
		Size:     Filesize(fi.Size()),
		Atim:     timestamp(fi.ModTime()),
		Mtim:     timestamp(fi.ModTime()),
		Ctim:     timestamp(fi.ModTime()),
	}
	sysStat(fi, &st)
	return st
}

// timestamp is t in nanoseconds since 1970, 0 before then.
func timestamp(t time.Time) Timestamp {
	ns := t.UnixNano()
	if ns < 0 {
		return 0
	}
	return Timestamp(ns)
}

// setTimes works out the times a set_times call asks for: a zero
// time.Time leaves a time unchanged, as os.Chtimes takes it. A flag and
// its _NOW twin together are EINVAL.
func setTimes(atim, mtim Timestamp, flags uint32, now func() time.Time) (a, m time.Time, errno Errno) {
	f := Fstflags(flags)
	if uint32(f) != flags || f&^0xf != 0 ||
		f&(FstflagAtim|FstflagAtimNow) == FstflagAtim|FstflagAtimNow ||
		f&(FstflagMtim|FstflagMtimNow) == FstflagMtim|FstflagMtimNow {
		return a, m, ErrnoInval
	}
	switch {
	case f&FstflagAtim != 0:
		a = time.Unix(0, int64(atim))
	case f&FstflagAtimNow != 0:
		a = now()
	}
	switch {
	case f&FstflagMtim != 0:
		m = time.Unix(0, int64(mtim))
	case f&FstflagMtimNow != 0:
		m = now()
	}
	return a, m, ErrnoSuccess
}

// statFile stats an open entry's file or directory.
func (e *entry) stat() (fs.FileInfo, Errno) {
	var fi fs.FileInfo
	var err error
	switch {
	case e.f != nil:
		fi, err = e.f.Stat()
	case e.ff != nil:
		fi, err = e.ff.Stat()
	default:
		return nil, ErrnoBadf
	}
	if err != nil {
		return nil, errnoOfIO(err)
	}
	return fi, ErrnoSuccess
}

var _ = os.ModeDir
