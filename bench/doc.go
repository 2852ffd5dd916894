// Package bench measures guestkit against the ways a WebAssembly host reads
// guest memory without it. Each case is done by several impls that read
// the same bytes, make the same checks and produce the same result:
//
//   - guestkit: the public guestptr API as a host writes it, one call per
//     operation (guestptr.New[Fdstat](mem, addr).Read(), NewSlice,
//     NewString, AsSlice, ToSlice).
//   - handwritten: encoding/binary.LittleEndian over *memory.Memory.Bytes(),
//     fetched for every operation as guestptr does, with guestptr's bounds,
//     alignment and validity checks written out by hand.
//   - wazero: a real wazero api.Memory and its ReadByte, ReadUint16Le,
//     ReadUint32Le, ReadUint64Le and Read accessors, as wazero's own WASI
//     functions use them, with the same checks.
//   - stdbinary: encoding/binary.Decode and Encode (reflection) into structs
//     with explicit padding fields, then the same checks.
//   - copy (CopySlice only): the bounds and alignment checks and one copy()
//     of the bytes into a new []uint32: the floor for copying out.
//
// guestkit, handwritten, stdbinary and copy read a memory.Memory; wazero
// reads a wazero memory holding the same image (see [Fixture]). The tests
// hold every impl to guestkit's result on the fixture and to guestkit's
// failures on bad input (misaligned, out of bounds, wrapping, bad enum,
// flags, tag or UTF-8), and check that a failed write changes no byte.
//
// # Cases
//
// Benchmarks are named Benchmark<Case>/<impl>:
//
//   - ReadRecord, WriteRecord: a WASI fdstat (24 bytes: an 8-case filetype
//     enum, 5-bit fdflags, two 30-bit rights flags).
//   - ReadNested: a WASI subscription (48 bytes: userdata and a u8-tagged
//     union whose clock case holds a 4-case clock id, two u64s and 1-bit
//     flags).
//   - ReadIovecs: 16 ciovecs and the 64 bytes each points to, summed: the
//     fd_write pattern.
//   - ReadString: 1 KiB of multi-byte UTF-8, validated and copied out.
//   - CopySlice: 64 KiB of uint32 copied out of guest memory.
//   - ViewSlice: a zero-copy view of the same, summed, then released.
//   - Layout: the codec lookup of a cached type (marshal.For, which every
//     guestptr call makes; layout.For beside it).
//   - FdWrite: a hand-assembled guest calling fd_write(1, 4 iovecs) 100
//     times per op, under guestkit's examples/wasi/wasihost and under
//     wazero's wasi_snapshot_preview1, stdout a counting writer.
//
// Every result is compared with cmp.Diff to the expected value before
// timing, and stored in a package-level sink while timing. Addresses come
// from variables, as from a guest's call, so that no impl's checks are
// folded away.
//
// # Running
//
// From the module root:
//
//	go test ./bench/...                                 # correctness only
//	go test -run '^$' -bench . -benchmem ./bench        # the raw numbers, one impl at a time
//	go run ./bench/cmd/report                           # paired ratios, as a table
//	go run ./bench/cmd/report -rounds 50 -case ReadRecord
//
// The report runs every case of [NewSuite] through [Compare]: paired,
// interleaved rounds, each impl's figure the median over rounds of its
// time over the baseline's in the same round. It prints, per case and
// impl, the median ns/op, allocs/op and the ratios to handwritten and to
// wazero, then ✓ or ✗ for each target of [Case.Targets]: within 1.3x of
// handwritten for ReadRecord and ReadNested, 1.5x for WriteRecord, 2x for
// the iovec walk, 1.2x for ReadString, 1.1x for ToSlice, CopyToSlice and
// views, and guestkit over its own wazero memory faster than hand-written
// code over wazero's api.Memory for the records.
//
// For where the time goes, profile one pair:
//
//	go test -run '^$' -bench 'ReadRecord/guestkit' -cpuprofile cpu.out ./bench
//	go tool pprof -top bench.test cpu.out
package bench
