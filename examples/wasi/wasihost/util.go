package wasihost

import (
	"errors"

	"github.com/guestkit/guestkit/guestptr"
)

// copyString copies str, of dst's length, into guest memory without
// allocating: through a mutable view, or in small pieces on a shared
// memory, where views are refused.
func copyString(dst guestptr.Slice[byte], str string) Errno {
	err := guestptr.WithSliceMut(dst, func(b []byte) error {
		copy(b, str)
		return nil
	})
	if !errors.Is(err, guestptr.ErrShared) {
		return ErrnoOf(err)
	}
	var tmp [256]byte
	for off := 0; off < len(str); off += len(tmp) {
		n := copy(tmp[:], str[off:])
		part, _ := dst.Range(uint64(off), uint64(off+n))
		if err := part.CopyFromSlice(tmp[:n]); err != nil {
			return ErrnoOf(err)
		}
	}
	return ErrnoSuccess
}
