package wasihost

import (
	"context"

	"github.com/guestkit/guestkit/guestptr"
)

// pollChunk is how many subscriptions poll_oneoff reads at once: it
// copies no more than this, however many the guest passes.
const pollChunk = 16

// pollOneoff waits for the first of the subscriptions in to be ready,
// writes an event for each ready one to out and their count to nevents.
//
// A descriptor subscription is ready at once: files and standard streams
// never block poll (an fd_read of stdin may wait for data, but poll
// cannot tell), and a descriptor that is not open is ready with the event
// error EBADF. Nbytes is 0, "unknown". A clock subscription with a
// relative timeout is ready after it, one with SubscriptionClockAbstime
// when its clock reaches the timeout; a clock other than realtime and
// monotonic is ready at once with the event error EINVAL. When no
// subscription is ready at once the host sleeps until the earliest clock
// timeout, then reports every subscription due by then.
//
// Reading the subscriptions checks them: an unknown event type, clock or
// clock flag is EINVAL for the whole call, as is an empty list. The
// subscriptions are read twice, a chunk at a time, once to find how long
// to wait and once to write the events, so the call's memory does not
// grow with their count; the events may overwrite the subscriptions (out
// may equal in), since event i is written only after subscription i is
// read, and events are smaller.
func (s *state) pollOneoff(ctx context.Context, in guestptr.Slice[Subscription], out guestptr.Slice[Event], nevents guestptr.Ptr[Size]) Errno {
	n := in.Len()
	if n == 0 {
		return ErrnoInval
	}
	// Check every region before waiting, writing nothing. An Event is 32
	// bytes aligned to 8: four u64s.
	if errno := probe(guestptr.Cast[[4]uint64](out.Ptr()).AsArray(n)); errno != 0 {
		return errno
	}
	if errno := probe(nevents.AsArray(1)); errno != 0 {
		return errno
	}
	var subs [pollChunk]Subscription
	var events [pollChunk]Event
	clk := clocks{real: s.cfg.Now().UnixNano(), mono: s.cfg.Nanotime()}

	const never = ^uint64(0)
	wait := never
	for i := uint64(0); i < n; i += pollChunk {
		chunk, errno := readSubs(in, i, subs[:])
		if errno != 0 {
			return errno
		}
		for _, sub := range chunk {
			d, _ := clk.due(sub)
			wait = min(wait, d)
		}
	}
	if wait > 0 {
		s.cfg.Sleep(ctx, sleepFor(wait))
	}

	k := uint64(0)
	for i := uint64(0); i < n; i += pollChunk {
		chunk, errno := readSubs(in, i, subs[:])
		if errno != 0 {
			return errno
		}
		m := 0
		for _, sub := range chunk {
			d, errno := clk.due(sub)
			if d > wait {
				continue
			}
			ev := Event{Userdata: sub.Userdata, Type: sub.U.Tag, Error: errno}
			switch sub.U.Tag {
			case EventtypeFdRead:
				ev.Error = s.pollFd(sub.U.FdRead.FD)
			case EventtypeFdWrite:
				ev.Error = s.pollFd(sub.U.FdWrite.FD)
			}
			events[m] = ev
			m++
		}
		dst, _ := out.Range(k, k+uint64(m))
		if err := dst.CopyFromSlice(events[:m]); err != nil {
			return ErrnoOf(err)
		}
		k += uint64(m)
	}
	return ErrnoOf(nevents.Write(Size(k)))
}

// readSubs reads the subscriptions from i on into buf, as many as fit.
func readSubs(in guestptr.Slice[Subscription], i uint64, buf []Subscription) ([]Subscription, Errno) {
	part, ok := in.Range(i, min(i+uint64(len(buf)), in.Len()))
	if !ok {
		return nil, ErrnoFault
	}
	chunk := buf[:part.Len()]
	if err := part.CopyToSlice(chunk); err != nil {
		return nil, ErrnoOf(err)
	}
	return chunk, ErrnoSuccess
}

// pollFd is the event error of a descriptor subscription.
func (s *state) pollFd(fd Fd) Errno {
	e, errno := s.fds.get(fd)
	if errno != 0 {
		return errno
	}
	if e.typ == FiletypeDirectory {
		return ErrnoBadf
	}
	return ErrnoSuccess
}

// clocks are the readings of the clocks when poll_oneoff began.
type clocks struct{ real, mono int64 }

// due returns the nanoseconds until a subscription is ready: 0 for a
// descriptor, and for a clock the time until its timeout (0 with an event
// error for an unknown clock).
func (c clocks) due(sub Subscription) (uint64, Errno) {
	if sub.U.Tag != EventtypeClock {
		return 0, ErrnoSuccess
	}
	cl := sub.U.Clock
	var now int64
	switch cl.ID {
	case ClockRealtime:
		now = c.real
	case ClockMonotonic:
		now = c.mono
	default:
		return 0, ErrnoInval
	}
	if cl.Flags&SubscriptionClockAbstime == 0 {
		return uint64(cl.Timeout), ErrnoSuccess
	}
	now = max(now, 0)
	if uint64(cl.Timeout) <= uint64(now) {
		return 0, ErrnoSuccess
	}
	return uint64(cl.Timeout) - uint64(now), ErrnoSuccess
}
