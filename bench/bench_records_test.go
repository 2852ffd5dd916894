package bench

import (
	"testing"
)

// Addresses are read from variables, as a host reads them from the guest's
// call parameters, so that no impl gets its checks constant-folded away.
var (
	fdstatAddr = uint32(FdstatAddr)
	writeAddr  = uint32(WriteAddr)
	subAddr    = uint32(SubscriptionAddr)
	iovsAddr   = uint32(IovsAddr)
	iovCount   = uint32(IovCount)
	strAddr    = uint32(StringAddr)
	strLen     = uint32(StringLen)
	u32Addr    = uint32(U32Addr)
	u32Count   = uint32(U32Count)
)

// Sinks keep every result alive.
var (
	sinkFdstat Fdstat
	sinkSub    Subscription
	sinkIovecs IovecSum
	sinkString string
	sinkU32    []uint32
	sinkU64    uint64
	sinkErr    error
)

// done fails b if an error was left in the sink by the timed loop.
func done(b *testing.B) {
	b.Helper()
	if sinkErr != nil {
		b.Fatal(sinkErr)
	}
}

func BenchmarkReadRecord(b *testing.B) {
	e := newEnv(b)
	want := e.fx.Fdstat
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verify(b, want)(m.ReadFdstat(fdstatAddr))
		for b.Loop() {
			sinkFdstat, sinkErr = m.ReadFdstat(fdstatAddr)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verify(b, want)(m.ReadFdstat(fdstatAddr))
		for b.Loop() {
			sinkFdstat, sinkErr = m.ReadFdstat(fdstatAddr)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verify(b, want)(m.ReadFdstat(fdstatAddr))
		for b.Loop() {
			sinkFdstat, sinkErr = m.ReadFdstat(fdstatAddr)
		}
		done(b)
	})
	b.Run("stdbinary", func(b *testing.B) {
		m := e.sb
		verify(b, want)(m.ReadFdstat(fdstatAddr))
		for b.Loop() {
			sinkFdstat, sinkErr = m.ReadFdstat(fdstatAddr)
		}
		done(b)
	})
}

// verifyWrite fails b unless a write left the fixture's bytes in both
// memories, then zeroes the target again.
func verifyWrite(b *testing.B, e *env, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	lin, wz := e.bytesAt(b, writeAddr, fdstatSize)
	got := lin
	if e.wzi.Mem != nil && string(wz) == string(e.fx.WriteBytes) {
		got = wz
	}
	verify(b, e.fx.WriteBytes)(got, nil)
	e.reset(b)
}

func BenchmarkWriteRecord(b *testing.B) {
	e := newEnv(b)
	v := e.fx.WriteFdstat
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verifyWrite(b, e, m.WriteFdstat(writeAddr, v))
		for b.Loop() {
			sinkErr = m.WriteFdstat(writeAddr, v)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verifyWrite(b, e, m.WriteFdstat(writeAddr, v))
		for b.Loop() {
			sinkErr = m.WriteFdstat(writeAddr, v)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verifyWrite(b, e, m.WriteFdstat(writeAddr, v))
		for b.Loop() {
			sinkErr = m.WriteFdstat(writeAddr, v)
		}
		done(b)
	})
	b.Run("stdbinary", func(b *testing.B) {
		m := e.sb
		verifyWrite(b, e, m.WriteFdstat(writeAddr, v))
		for b.Loop() {
			sinkErr = m.WriteFdstat(writeAddr, v)
		}
		done(b)
	})
}

func BenchmarkReadNested(b *testing.B) {
	e := newEnv(b)
	want := e.fx.Subscription
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verify(b, want)(m.ReadSubscription(subAddr))
		for b.Loop() {
			sinkSub, sinkErr = m.ReadSubscription(subAddr)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verify(b, want)(m.ReadSubscription(subAddr))
		for b.Loop() {
			sinkSub, sinkErr = m.ReadSubscription(subAddr)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verify(b, want)(m.ReadSubscription(subAddr))
		for b.Loop() {
			sinkSub, sinkErr = m.ReadSubscription(subAddr)
		}
		done(b)
	})
	b.Run("stdbinary", func(b *testing.B) {
		m := e.sb
		verify(b, want)(m.ReadSubscription(subAddr))
		for b.Loop() {
			sinkSub, sinkErr = m.ReadSubscription(subAddr)
		}
		done(b)
	})
}

func BenchmarkReadIovecs(b *testing.B) {
	e := newEnv(b)
	want := e.fx.Iovecs
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verify(b, want)(m.SumIovecs(iovsAddr, iovCount))
		for b.Loop() {
			sinkIovecs, sinkErr = m.SumIovecs(iovsAddr, iovCount)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verify(b, want)(m.SumIovecs(iovsAddr, iovCount))
		for b.Loop() {
			sinkIovecs, sinkErr = m.SumIovecs(iovsAddr, iovCount)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verify(b, want)(m.SumIovecs(iovsAddr, iovCount))
		for b.Loop() {
			sinkIovecs, sinkErr = m.SumIovecs(iovsAddr, iovCount)
		}
		done(b)
	})
	b.Run("stdbinary", func(b *testing.B) {
		m := e.sb
		verify(b, want)(m.SumIovecs(iovsAddr, iovCount))
		for b.Loop() {
			sinkIovecs, sinkErr = m.SumIovecs(iovsAddr, iovCount)
		}
		done(b)
	})
}

func BenchmarkReadString(b *testing.B) {
	e := newEnv(b)
	want := e.fx.String
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verify(b, want)(m.ReadString(strAddr, strLen))
		for b.Loop() {
			sinkString, sinkErr = m.ReadString(strAddr, strLen)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verify(b, want)(m.ReadString(strAddr, strLen))
		for b.Loop() {
			sinkString, sinkErr = m.ReadString(strAddr, strLen)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verify(b, want)(m.ReadString(strAddr, strLen))
		for b.Loop() {
			sinkString, sinkErr = m.ReadString(strAddr, strLen)
		}
		done(b)
	})
}
