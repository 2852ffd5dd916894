package wasihost

import (
	"fmt"
	"strings"

	"github.com/guestkit/guestkit/guestptr"
)

// strs is a list of strings as args_get and environ_get write them: the
// bytes of each, NUL-terminated, one after the other, and where each
// starts.
type strs struct {
	buf     []byte
	offsets []uint64
}

func newStrs(what string, list []string) (strs, error) {
	var s strs
	for i, v := range list {
		if strings.IndexByte(v, 0) >= 0 {
			return strs{}, fmt.Errorf("wasihost: %s[%d] contains a NUL byte", what, i)
		}
		s.offsets = append(s.offsets, uint64(len(s.buf)))
		s.buf = append(append(s.buf, v...), 0)
	}
	if uint64(len(s.buf)) > 1<<32-1 || len(s.offsets) > 1<<30 {
		return strs{}, fmt.Errorf("wasihost: %s take %d bytes, more than a wasm32 guest can hold", what, len(s.buf))
	}
	return s, nil
}

// argsSizesGet writes the number of arguments and the bytes they take,
// NULs included.
func (s *state) argsSizesGet(argc, bufSize guestptr.Ptr[Size]) Errno {
	return s.args.sizes(argc, bufSize)
}

// argsGet writes the arguments into buf and a pointer to each into argv.
func (s *state) argsGet(argv guestptr.Ptr[guestptr.Ptr[byte]], buf guestptr.Ptr[byte]) Errno {
	return s.args.get(argv, buf)
}

// environSizesGet is argsSizesGet for the environment.
func (s *state) environSizesGet(count, bufSize guestptr.Ptr[Size]) Errno {
	return s.env.sizes(count, bufSize)
}

// environGet is argsGet for the environment.
func (s *state) environGet(environ guestptr.Ptr[guestptr.Ptr[byte]], buf guestptr.Ptr[byte]) Errno {
	return s.env.get(environ, buf)
}

func (l *strs) sizes(count, bufSize guestptr.Ptr[Size]) Errno {
	if errno := probe(count.AsArray(1)); errno != 0 {
		return errno
	}
	if errno := probe(bufSize.AsArray(1)); errno != 0 {
		return errno
	}
	_ = count.Write(Size(len(l.offsets)))
	return ErrnoOf(bufSize.Write(Size(len(l.buf))))
}

// ptrChunk is how many pointers args_get writes at once.
const ptrChunk = 32

// get writes the strings and the pointers to them. Both regions are
// checked before the first byte is written, so a call that fails writes
// nothing.
func (l *strs) get(ptrs guestptr.Ptr[guestptr.Ptr[byte]], buf guestptr.Ptr[byte]) Errno {
	argv := ptrs.AsArray(uint64(len(l.offsets)))
	bytes := buf.AsArray(uint64(len(l.buf)))
	if errno := probe(argv); errno != 0 {
		return errno
	}
	if errno := probe(bytes); errno != 0 {
		return errno
	}
	if err := bytes.CopyFromSlice(l.buf); err != nil {
		return ErrnoOf(err)
	}
	var chunk [ptrChunk]guestptr.Ptr[byte]
	for i := 0; i < len(l.offsets); i += ptrChunk {
		part := chunk[:min(ptrChunk, len(l.offsets)-i)]
		for j := range part {
			p, err := buf.Add(l.offsets[i+j])
			if err != nil {
				return ErrnoOf(err)
			}
			part[j] = p
		}
		dst, _ := argv.Range(uint64(i), uint64(i+len(part)))
		if err := dst.CopyFromSlice(part); err != nil {
			return ErrnoOf(err)
		}
	}
	return ErrnoSuccess
}

// probe checks, without writing, that the region of s lies in memory and
// is aligned: it reads the first and the last element. Use it only for
// element types every bit pattern of which is a valid value.
func probe[T any](s guestptr.Slice[T]) Errno {
	n := s.Len()
	if n == 0 {
		return ErrnoSuccess
	}
	first, ok := s.Get(0)
	last, ok2 := s.Get(n - 1)
	if !ok || !ok2 {
		return ErrnoFault
	}
	if _, err := first.Read(); err != nil {
		return ErrnoOf(err)
	}
	if _, err := last.Read(); err != nil {
		return ErrnoOf(err)
	}
	return ErrnoSuccess
}
