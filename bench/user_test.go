package bench_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/bench"
	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

var le = binary.LittleEndian

// fdstatAt is the 24-byte view at addr of mem, checked as guestkit
// checks it, or nil.
func fdstatAt(mem []byte, addr uint32) []byte {
	if addr%8 != 0 || uint64(addr)+24 > uint64(len(mem)) {
		return nil
	}
	return mem[addr : addr+24]
}

// wazeroFdstatAt is fdstatAt over a wazero memory.
func wazeroFdstatAt(mem api.Memory, addr uint32) []byte {
	if addr%8 != 0 {
		return nil
	}
	b, _ := mem.Read(addr, 24)
	return b
}

var errBad = errors.New("bad fdstat")

// decodeFdstat is a hand-written fdstat decoder; flagsAt is where it reads
// the flags (2 is right) and filetypeMax the largest filetype it accepts
// (7 is right).
func decodeFdstat(b []byte, flagsAt int, filetypeMax uint8) (bench.Fdstat, error) {
	if b == nil {
		return bench.Fdstat{}, errBad
	}
	v := bench.Fdstat{
		FsFiletype: bench.Filetype(b[0]), FsFlags: bench.Fdflags(le.Uint16(b[flagsAt:])),
		FsRightsBase: bench.Rights(le.Uint64(b[8:])), FsRightsInheriting: bench.Rights(le.Uint64(b[16:])),
	}
	if uint8(v.FsFiletype) > filetypeMax || v.FsFlags&^bench.FdflagsMask != 0 ||
		v.FsRightsBase&^bench.RightsMask != 0 || v.FsRightsInheriting&^bench.RightsMask != 0 {
		return bench.Fdstat{}, errBad
	}
	return v, nil
}

// handFdstat returns hand-written decoders over both memories.
func handFdstat(flagsAt int, filetypeMax uint8) bench.Hand[bench.Fdstat] {
	return bench.Hand[bench.Fdstat]{
		Decode: func(mem []byte, addr uint32) (bench.Fdstat, error) {
			return decodeFdstat(fdstatAt(mem, addr), flagsAt, filetypeMax)
		},
		DecodeWazero: func(mem api.Memory, addr uint32) (bench.Fdstat, error) {
			return decodeFdstat(wazeroFdstatAt(mem, addr), flagsAt, filetypeMax)
		},
	}
}

func newChecker[T any](tb testing.TB, h bench.Hand[T]) *bench.Checker[T] {
	tb.Helper()
	c, err := bench.NewChecker(h, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// blamed returns the distinct fields the disagreements name, sorted, and
// the memories they happened over.
func blamed(ds []*bench.Disagreement) (fields, mems []string) {
	for _, d := range ds {
		if f := d.Field.String(); len(d.Field) > 0 && !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
		if !slices.Contains(mems, d.Memory) {
			mems = append(mems, d.Memory)
		}
	}
	slices.Sort(fields)
	slices.Sort(mems)
	return fields, mems
}

func TestCheckerAgreesWithCorrectDecoder(t *testing.T) {
	c := newChecker(t, handFdstat(2, 7))
	if ds := c.Check(1, 2000); len(ds) > 0 {
		t.Fatalf("%d disagreements with a correct decoder; the first:\n%v", len(ds), ds[0])
	}
}

// A decoder that reads the flags one byte off is caught, and every
// disagreement that names a field names FsFlags.
func TestCheckerCatchesOffsetOffByOne(t *testing.T) {
	c := newChecker(t, handFdstat(3, 7))
	ds := c.Check(1, 2000)
	fields, mems := blamed(ds)
	if d := cmp.Diff([]string{"FsFlags"}, fields); d != "" {
		t.Errorf("fields blamed (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"[]byte", "wazero"}, mems); d != "" {
		t.Errorf("memories (-want +got):\n%s", d)
	}
	i := slices.IndexFunc(ds, func(d *bench.Disagreement) bool { return d.Diff != "" })
	if i < 0 {
		t.Fatal("no disagreement on a value")
	}
	msg := ds[i].Error()
	for _, want := range []string{"field:       FsFlags", "guestkit:    ok: {", "handwritten: ok: {", "diff (-guestkit +handwritten):", "bytes at 0x"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// A decoder whose enum bound is one too high accepts filetype 8: caught
// as guestkit's ErrInvalidEnum on FsFiletype, and on nothing else.
func TestCheckerCatchesEnumBoundOffByOne(t *testing.T) {
	c := newChecker(t, handFdstat(2, 8))
	ds := c.Check(1, 2000)
	if len(ds) == 0 {
		t.Fatal("no disagreement")
	}
	fields, _ := blamed(ds)
	if d := cmp.Diff([]string{"FsFiletype"}, fields); d != "" {
		t.Errorf("fields blamed (-want +got):\n%s", d)
	}
	for _, d := range ds {
		if d.Kind != bench.InputInvalidField || !strings.HasPrefix(d.Guestkit, "error: ") ||
			!strings.Contains(d.Guestkit, "field FsFiletype: invalid enum 8") || !strings.HasPrefix(d.Handwritten, "ok: {FsFiletype:8 ") {
			t.Errorf("unexpected disagreement:\n%v", d)
		}
	}
}

// An encoder that writes the flags into the padding after them is caught
// on FsFlags.
func TestCheckerCatchesEncoderOffset(t *testing.T) {
	enc := func(flagsAt int) func([]byte, uint32, bench.Fdstat) error {
		return func(mem []byte, addr uint32, v bench.Fdstat) error {
			b := fdstatAt(mem, addr)
			if b == nil || v.FsFiletype >= bench.FiletypeCases || v.FsFlags&^bench.FdflagsMask != 0 ||
				v.FsRightsBase&^bench.RightsMask != 0 || v.FsRightsInheriting&^bench.RightsMask != 0 {
				return errBad
			}
			b[0] = byte(v.FsFiletype)
			le.PutUint16(b[flagsAt:], uint16(v.FsFlags))
			le.PutUint64(b[8:], uint64(v.FsRightsBase))
			le.PutUint64(b[16:], uint64(v.FsRightsInheriting))
			return nil
		}
	}
	if ds := newChecker(t, bench.Hand[bench.Fdstat]{Encode: enc(2)}).Check(1, 1000); len(ds) > 0 {
		t.Fatalf("the right encoder disagrees:\n%v", ds[0])
	}
	ds := newChecker(t, bench.Hand[bench.Fdstat]{Encode: enc(4)}).Check(1, 1000)
	fields, _ := blamed(ds)
	if d := cmp.Diff([]string{"FsFlags"}, fields); d != "" {
		t.Errorf("fields blamed (-want +got):\n%s", d)
	}
	for _, d := range ds {
		if d.Op != "encode" || d.Diff == "" && !strings.Contains(d.Handwritten, "guestkit cannot decode its bytes: field FsFlags: invalid flags") {
			t.Errorf("unexpected disagreement:\n%v", d)
		}
	}
}

// A decoder that panics is a disagreement, not a crash.
func TestCheckerRecoversPanics(t *testing.T) {
	c := newChecker(t, bench.Hand[bench.Fdstat]{Decode: func(mem []byte, addr uint32) (bench.Fdstat, error) {
		return decodeFdstat(mem[addr:addr+24], 2, 7) // no bounds or alignment check
	}})
	var panics, other int
	for _, d := range c.Check(1, 500) {
		switch {
		case strings.HasPrefix(d.Handwritten, "panic: "):
			panics++
		case d.Kind == bench.InputMisaligned:
		default:
			other++
			t.Errorf("unexpected disagreement:\n%v", d)
		}
	}
	if panics == 0 {
		t.Error("no panic reported")
	}
}

// Shape exercises every kind of field the generator makes.
type (
	Color uint8  // enum of 3
	Perm  uint16 // flags 0x0f
	Shape struct {
		On    bool
		Color Color
		Small uint32 `guest:"u8"`  // narrowed: out-of-range values on write
		Temp  int32  `guest:"i16"` // narrowed and signed
		Perms [2]Perm
		Scale float32
		Ratio float64
		P     guestptr.Ptr[uint32]
		Name  guestptr.String
		U     ShapeU
	}
	ShapeU struct {
		Tag    uint8    `guest:",tag"`
		Circle Circle   `guest:",case=1"`
		Rect   Rect     `guest:",case=4"`
		None   struct{} `guest:",case=7"`
	}
	Circle struct{ R float64 }
	Rect   struct {
		W, H   uint16
		Filled bool
		C      Color
	}
)

func (Color) GuestEnumCases() uint64 { return 3 }
func (Perm) GuestFlagsMask() uint64  { return 0x0f }

// viaGuestkit is a "hand-written" side that is guestkit's own codec: it
// must agree with guestkit on every input, so any disagreement is the
// checker's fault.
func viaGuestkit[T any](t *testing.T) bench.Hand[T] {
	codec, err := marshal.For[T](layout.Wasm32)
	if err != nil {
		t.Fatal(err)
	}
	region := func(mem []byte, addr uint32) ([]byte, error) {
		if uint64(addr)%codec.Align() != 0 || uint64(addr)+codec.Size() > uint64(len(mem)) {
			return nil, errBad
		}
		return mem[addr:], nil
	}
	return bench.Hand[T]{
		Decode: func(mem []byte, addr uint32) (T, error) {
			var v T
			b, err := region(mem, addr)
			if err == nil {
				err = codec.Decode(b, &v, nil)
			}
			return v, err
		},
		Encode: func(mem []byte, addr uint32, v T) error {
			b, err := region(mem, addr)
			if err == nil {
				err = codec.Encode(b, &v)
			}
			return err
		},
		DecodeWazero: func(mem api.Memory, addr uint32) (T, error) {
			var v T
			b, _ := mem.Read(0, mem.Size())
			b, err := region(b, addr)
			if err == nil {
				err = codec.Decode(b, &v, nil)
			}
			return v, err
		},
	}
}

func TestCheckerAgreesWithGuestkitOnEveryKind(t *testing.T) {
	c := newChecker(t, viaGuestkit[Shape](t))
	if ds := c.Check(3, 3000); len(ds) > 0 {
		t.Fatalf("%d disagreements; the first:\n%v", len(ds), ds[0])
	}
}

// Inputs are deterministic per seed, cover every kind, and are what they
// say: guestkit accepts the valid ones and refuses the others, naming the
// field an invalid one broke.
func TestInputs(t *testing.T) {
	c := newChecker(t, viaGuestkit[Shape](t))
	a, b := c.Inputs(5, 1000), c.Inputs(5, 1000)
	if d := cmp.Diff(a, b, cmp.Comparer(ptrEq[uint32]), cmp.Comparer(strEq), cmpopts.EquateNaNs()); d != "" {
		t.Fatalf("Inputs(5) differs between calls:\n%s", d)
	}
	if cmp.Equal(a[:20], c.Inputs(6, 20), cmp.Comparer(func(x, y Shape) bool { return true })) {
		t.Error("Inputs(6) = Inputs(5)")
	}
	mem := memory.New(uint64(c.MemSize()))
	kinds := map[bench.InputKind]int{}
	fields := map[string]bool{}
	for _, in := range a {
		kinds[in.Kind]++
		clear(mem.Bytes())
		if in.Addr < c.MemSize() {
			copy(mem.Bytes()[in.Addr:], in.Bytes)
		}
		_, err := guestptr.New[Shape](mem, uint64(in.Addr)).Read()
		var ge *guestptr.Error
		errors.As(err, &ge)
		switch in.Kind {
		case bench.InputValid, bench.InputOutOfRange:
			if err != nil {
				t.Errorf("%s input %q: %v", in.Kind, in.What, err)
			}
			if in.Kind == bench.InputOutOfRange {
				if in.Value == nil || guestptr.New[Shape](mem, uint64(in.Addr)).Write(*in.Value) == nil {
					t.Errorf("out-of-range input %q: the value is written", in.What)
				}
			}
		case bench.InputInvalidField:
			fields[in.Field.String()] = true
			if ge == nil || ge.Field.String() != in.Field.String() {
				t.Errorf("invalid-field input %q: error %v, want one naming %s", in.What, err, in.Field)
			}
		case bench.InputMisaligned:
			if !errors.Is(err, guestptr.ErrMisaligned) {
				t.Errorf("misaligned input %q: error %v", in.What, err)
			}
		case bench.InputOutOfBounds, bench.InputWraps:
			if !errors.Is(err, guestptr.ErrOutOfBounds) && !errors.Is(err, guestptr.ErrOverflow) {
				t.Errorf("%s input %q: error %v", in.Kind, in.What, err)
			}
		}
	}
	for k := bench.InputValid; k <= bench.InputWraps; k++ {
		if kinds[k] == 0 {
			t.Errorf("no %s input", k)
		}
	}
	want := []string{"Color", "On", "Perms[0]", "Perms[1]", "U.Rect.C", "U.Rect.Filled", "U.Tag"}
	var got []string
	for f := range fields {
		got = append(got, f)
	}
	slices.Sort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("fields made invalid (-want +got):\n%s", d)
	}
}

func ptrEq[T any](a, b guestptr.Ptr[T]) bool { return a.Addr() == b.Addr() }
func strEq(a, b guestptr.String) bool        { return a.Addr() == b.Addr() && a.Len() == b.Len() }

func TestDisagreementError(t *testing.T) {
	d := &bench.Disagreement{
		Type: "bench.Fdstat", Hand: "handwritten", Op: "decode", Memory: "wazero", Kind: bench.InputInvalidField,
		What: "FsFiletype = 8 (enum of 8 cases)", Addr: 0x1a38, N: 1, Bytes: []byte{8, 0, 1, 0},
		Field:    layout.Path{layout.FieldStep("FsFiletype")},
		Guestkit: "error: invalid enum", Handwritten: "ok: {FsFiletype:8}",
	}
	want := `bench.Fdstat: decode over wazero at 0x1a38 (invalid field: FsFiletype = 8 (enum of 8 cases)): handwritten and guestkit disagree
  field:       FsFiletype
  guestkit:    error: invalid enum
  handwritten: ok: {FsFiletype:8}
  bytes at 0x1a38: 08 00 01 00`
	if diff := cmp.Diff(want, d.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTime(t *testing.T) {
	c := newChecker(t, handFdstat(2, 7))
	tm, err := c.Time(2, 100*time.Microsecond)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Op, Memory string
		HandAllocs float64
	}
	var got []row
	for _, r := range tm.Rows {
		got = append(got, row{r.Op, r.Memory, r.HandAllocs})
		if r.Ratio <= 0 || r.HandNs <= 0 || r.GuestkitNs <= 0 {
			t.Errorf("%s %s: no time: %+v", r.Op, r.Memory, r)
		}
	}
	if d := cmp.Diff([]row{{"decode", "[]byte", 0}, {"decode", "wazero", 0}}, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if !strings.Contains(tm.String(), "guestkit ns/op") {
		t.Errorf("table lacks its header:\n%s", tm)
	}

	// A decoder that fails on the timed value is not timed.
	c = newChecker(t, handFdstat(3, 7))
	if _, err := c.Time(2, 100*time.Microsecond); err == nil {
		t.Error("Time of a wrong decoder: no error")
	}
}

func TestNewCheckerErrors(t *testing.T) {
	if _, err := bench.NewChecker(bench.Hand[bench.Fdstat]{}, nil); err == nil {
		t.Error("no function: no error")
	}
	type bad struct{ S string }
	if _, err := bench.NewChecker(bench.Hand[bad]{Decode: func([]byte, uint32) (bad, error) { return bad{}, nil }}, nil); err == nil {
		t.Error("no layout: no error")
	}
	if _, err := bench.NewListChecker(bench.HandList[bench.Fdstat]{}, nil); err == nil {
		t.Error("list with no function: no error")
	}
}
