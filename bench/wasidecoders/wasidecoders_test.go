package wasidecoders

import (
	"flag"
	"testing"
	"time"

	"github.com/guestkit/guestkit/bench"
)

var (
	inputs = flag.Int("inputs", 3000, "inputs per checker")
	rounds = flag.Int("rounds", 3, "paired rounds for the timing tests")
	block  = flag.Duration("block", time.Millisecond, "the first impl's block of calls per round, for the timing tests")
)

// checker returns a Checker closed when tb ends.
func checker[T any](tb testing.TB, h bench.Hand[T]) *bench.Checker[T] {
	tb.Helper()
	c, err := bench.NewChecker(h, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

func listChecker[T any](tb testing.TB, h bench.HandList[T]) *bench.Checker[T] {
	tb.Helper()
	c, err := bench.NewListChecker(h, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

func fdstatChecker(tb testing.TB) *bench.Checker[Fdstat] {
	return checker(tb, bench.Hand[Fdstat]{
		Decode: ReadFdstatBytes, Encode: WriteFdstatBytes,
		DecodeWazero: ReadFdstat, EncodeWazero: WriteFdstat,
	})
}

func filestatChecker(tb testing.TB) *bench.Checker[Filestat] {
	return checker(tb, bench.Hand[Filestat]{
		Decode: ReadFilestatBytes, Encode: WriteFilestatBytes,
		DecodeWazero: ReadFilestat, EncodeWazero: WriteFilestat,
	})
}

func subscriptionChecker(tb testing.TB) *bench.Checker[Subscription] {
	return checker(tb, bench.Hand[Subscription]{Decode: ReadSubscriptionBytes, DecodeWazero: ReadSubscription})
}

func iovecsChecker(tb testing.TB) *bench.Checker[Iovec] {
	return listChecker(tb, bench.HandList[Iovec]{Decode: ReadIovecsBytes, DecodeWazero: ReadIovecs})
}

// The checked decoders and encoders agree with guestkit on every input.
func TestAgree(t *testing.T) {
	t.Run("Fdstat", func(t *testing.T) { fdstatChecker(t).Test(t, 1, *inputs) })
	t.Run("Filestat", func(t *testing.T) { filestatChecker(t).Test(t, 1, *inputs) })
	t.Run("Subscription", func(t *testing.T) { subscriptionChecker(t).Test(t, 1, *inputs) })
	t.Run("Iovecs", func(t *testing.T) { iovecsChecker(t).Test(t, 1, *inputs) })
}

// TestTiming times the checked code against guestkit. It asserts nothing
// about the times; -rounds and -block make it a measurement:
//
//	go test ./bench/wasidecoders -run TestTiming -v -args -rounds 25 -block 2ms
func TestTiming(t *testing.T) {
	t.Run("Fdstat", func(t *testing.T) { fdstatChecker(t).Report(t, *rounds, *block) })
	t.Run("Filestat", func(t *testing.T) { filestatChecker(t).Report(t, *rounds, *block) })
	t.Run("Subscription", func(t *testing.T) { subscriptionChecker(t).Report(t, *rounds, *block) })
	t.Run("Iovecs", func(t *testing.T) { iovecsChecker(t).Report(t, *rounds, *block) })
}

// The fuzz targets: seeded with the checker's own inputs, then mutated by
// the fuzzer; any disagreement fails.
//
//	go test ./bench/wasidecoders -run '^$' -fuzz FuzzFdstat -fuzztime 30s
func FuzzFdstat(f *testing.F) {
	c := fdstatChecker(f)
	c.AddSeeds(f, 1, 100)
	f.Fuzz(c.Fuzz)
}

func FuzzSubscription(f *testing.F) {
	c := subscriptionChecker(f)
	c.AddSeeds(f, 1, 100)
	f.Fuzz(c.Fuzz)
}

func FuzzIovecs(f *testing.F) {
	c := iovecsChecker(f)
	c.AddSeeds(f, 1, 100)
	f.Fuzz(c.Fuzz)
}
