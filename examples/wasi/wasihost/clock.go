package wasihost

import (
	"context"
	"time"

	"github.com/guestkit/guestkit/guestptr"
)

// now reads clock id in nanoseconds. The CPU-time clocks are EINVAL, as in
// wazero.
func (s *state) now(id Clockid) (int64, Errno) {
	switch id {
	case ClockRealtime:
		return s.cfg.Now().UnixNano(), ErrnoSuccess
	case ClockMonotonic:
		return s.cfg.Nanotime(), ErrnoSuccess
	}
	return 0, ErrnoInval
}

// clockTimeGet writes the time of clock id. The precision is ignored.
func (s *state) clockTimeGet(id Clockid, _ Timestamp, out guestptr.Ptr[Timestamp]) Errno {
	t, errno := s.now(id)
	if errno != 0 {
		return errno
	}
	return ErrnoOf(out.Write(Timestamp(t)))
}

// clockResGet writes the resolution of clock id.
func (s *state) clockResGet(id Clockid, out guestptr.Ptr[Timestamp]) Errno {
	switch id {
	case ClockRealtime:
		return ErrnoOf(out.Write(RealtimeResolution))
	case ClockMonotonic:
		return ErrnoOf(out.Write(MonotonicResolution))
	}
	return ErrnoInval
}

// randomGet fills buf from the random source.
func (s *state) randomGet(buf guestptr.Slice[byte]) Errno {
	if errno := probe(buf); errno != 0 {
		return errno
	}
	_, errno := fill(buf, s.cfg.Rand, true)
	return errno
}

// sleep blocks for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	if ctx.Done() == nil {
		time.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// sleepFor is a duration of at most the largest time.Duration.
func sleepFor(ns uint64) time.Duration {
	if ns > 1<<63-1 {
		return 1<<63 - 1
	}
	return time.Duration(ns)
}
