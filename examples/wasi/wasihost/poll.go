package wasihost

import (
	"context"

	"github.com/guestkit/guestkit/guestptr"
)

// pollOneoff waits for the first of the subscriptions in to be ready,
// writes an event for each ready one to out and their count to nevents.
//
// A descriptor subscription is ready at once: a standard descriptor never
// blocks (an fd_read of stdin may wait for data, but poll cannot tell),
// and one that is not open is ready with the event error EBADF. Nbytes is
// 0, "unknown". A clock subscription with a relative timeout is ready
// after it, one with SubscriptionClockAbstime when its clock reaches the
// timeout; a clock other than realtime and monotonic is ready at once with
// the event error EINVAL. When no subscription is ready at once the host
// sleeps until the earliest clock timeout, then reports every clock
// subscription due by then.
//
// Reading the subscriptions checks them: an unknown event type, clock or
// clock flag is EINVAL for the whole call, as is an empty list.
func (s *state) pollOneoff(ctx context.Context, in guestptr.Slice[Subscription], out guestptr.Slice[Event], nevents guestptr.Ptr[Size]) Errno {
	if in.Len() == 0 {
		return ErrnoInval
	}
	subs, err := in.ToSlice()
	if err != nil {
		return ErrnoOf(err)
	}
	// Check both results can be written before waiting: clear the events,
	// as wazero does, and the count.
	events := make([]Event, len(subs))
	if err := out.CopyFromSlice(events); err != nil {
		return ErrnoOf(err)
	}
	if err := nevents.Write(0); err != nil {
		return ErrnoOf(err)
	}

	const never = ^uint64(0)
	due := make([]uint64, len(subs)) // ns until ready; 0 is now
	wait := never
	for i, sub := range subs {
		events[i] = Event{Userdata: sub.Userdata, Type: sub.U.Tag}
		switch sub.U.Tag {
		case EventtypeClock:
			d, errno := s.until(sub.U.Clock)
			events[i].Error = errno
			due[i] = d
		case EventtypeFdRead:
			if !s.open(sub.U.FdRead.FD) {
				events[i].Error = ErrnoBadf
			}
		case EventtypeFdWrite:
			if !s.open(sub.U.FdWrite.FD) {
				events[i].Error = ErrnoBadf
			}
		}
		wait = min(wait, due[i])
	}
	if wait > 0 {
		s.cfg.Sleep(ctx, sleepFor(wait))
	}

	n := 0
	for i := range subs {
		if due[i] <= wait {
			events[n] = events[i]
			n++
		}
	}
	ready, _ := out.Range(0, uint64(n))
	if err := ready.CopyFromSlice(events[:n]); err != nil {
		return ErrnoOf(err)
	}
	return ErrnoOf(nevents.Write(Size(n)))
}

// until returns the nanoseconds until a clock subscription is due.
func (s *state) until(c SubscriptionClock) (uint64, Errno) {
	if c.Flags&SubscriptionClockAbstime == 0 {
		if c.ID != ClockRealtime && c.ID != ClockMonotonic {
			return 0, ErrnoInval
		}
		return uint64(c.Timeout), ErrnoSuccess
	}
	now, errno := s.now(c.ID)
	if errno != 0 {
		return 0, errno
	}
	if now < 0 {
		now = 0
	}
	if uint64(c.Timeout) <= uint64(now) {
		return 0, ErrnoSuccess
	}
	return uint64(c.Timeout) - uint64(now), ErrnoSuccess
}
