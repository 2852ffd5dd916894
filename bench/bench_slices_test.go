package bench

import "testing"

func BenchmarkCopySlice(b *testing.B) {
	e := newEnv(b)
	want := e.fx.U32
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verify(b, want)(m.CopyU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU32, sinkErr = m.CopyU32(u32Addr, u32Count)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verify(b, want)(m.CopyU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU32, sinkErr = m.CopyU32(u32Addr, u32Count)
		}
		done(b)
	})
	b.Run("copy", func(b *testing.B) {
		m := e.cp
		verify(b, want)(m.CopyU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU32, sinkErr = m.CopyU32(u32Addr, u32Count)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verify(b, want)(m.CopyU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU32, sinkErr = m.CopyU32(u32Addr, u32Count)
		}
		done(b)
	})
	b.Run("stdbinary", func(b *testing.B) {
		m := e.sb
		verify(b, want)(m.CopyU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU32, sinkErr = m.CopyU32(u32Addr, u32Count)
		}
		done(b)
	})
}

func BenchmarkViewSlice(b *testing.B) {
	e := newEnv(b)
	want := e.fx.U32Sum
	b.Run("guestkit", func(b *testing.B) {
		m := e.gk
		verify(b, want)(m.ViewSumU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU64, sinkErr = m.ViewSumU32(u32Addr, u32Count)
		}
		done(b)
	})
	b.Run("handwritten", func(b *testing.B) {
		m := e.hw
		verify(b, want)(m.ViewSumU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU64, sinkErr = m.ViewSumU32(u32Addr, u32Count)
		}
		done(b)
	})
	b.Run("wazero", func(b *testing.B) {
		m := e.wzi
		verify(b, want)(m.ViewSumU32(u32Addr, u32Count))
		b.SetBytes(int64(u32Count) * u32Size)
		for b.Loop() {
			sinkU64, sinkErr = m.ViewSumU32(u32Addr, u32Count)
		}
		done(b)
	})
}

// BenchmarkLayout is the plan lookup of a cached type: guestkit is
// marshal.For, which every guestptr operation makes; layout is layout.For.
func BenchmarkLayout(b *testing.B) {
	b.Run("guestkit", func(b *testing.B) {
		m := Guestkit{}
		verify(b, uint64(fdstatSize))(m.Plan())
		for b.Loop() {
			sinkU64, sinkErr = m.Plan()
		}
		done(b)
	})
	b.Run("layout", func(b *testing.B) {
		verify(b, uint64(fdstatSize))(LayoutOf())
		for b.Loop() {
			sinkU64, sinkErr = LayoutOf()
		}
		done(b)
	})
}
