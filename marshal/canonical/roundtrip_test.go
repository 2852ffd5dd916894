package canonical

import (
	"math"
	"testing"
)

type color uint8

func (color) GuestEnumCases() uint64 { return 3 }

type perms uint16

func (perms) GuestFlagsMask() uint64 { return 1<<10 - 1 }

type shape struct {
	Tag    uint8    `guest:",tag"`
	Circle float32  `guest:",case=0"`
	Rect   [2]int64 `guest:",case=1"`
	Empty  struct{} `guest:",case=2"`
	Label  string   `guest:",case=3"`
}

type file struct{}

type everything struct {
	B     bool
	I8    int8
	U8    uint8
	I16   int16
	U16   uint16
	I32   int32
	U32   uint32
	I64   int64
	U64   uint64
	F32   float32
	F64   float64
	C     Char
	S     string
	L     []uint32
	LS    []string
	Fixed [3]uint16
	Color color
	Perms perms
	Shape []shape
	Opt   Option[string]
	Res   Result[uint64, string]
	Res0  Result[struct{}, struct{}]
	Nest  Option[Option[int8]]
	Own   Own[file]
	Bytes []byte
}

func TestRoundTripEverything(t *testing.T) {
	v := everything{
		B: true, I8: -5, U8: 250, I16: -300, U16: 60000, I32: -70000, U32: 4e9, I64: -1 << 40, U64: 1 << 63,
		F32: 1.5, F64: -2.25, C: '😀', S: "héllo wörld ✓ 😀", L: []uint32{1, 2, 3}, LS: []string{"", "a", "ÿ", "✓"},
		Fixed: [3]uint16{7, 8, 9}, Color: 2, Perms: 0x203,
		Shape: []shape{{Tag: 0, Circle: 2.5}, {Tag: 1, Rect: [2]int64{-1, 1}}, {Tag: 2}, {Tag: 3, Label: "lbl"}},
		Opt:   Some("x"), Res: Fail[uint64]("bad"), Res0: Result[struct{}, struct{}]{IsErr: true},
		Nest: Some(Some[int8](-1)), Own: Own[file]{Rep: 42}, Bytes: []byte{0, 1, 255},
	}
	roundTrip(t, v)
	roundTrip(t, everything{F32: float32(math.NaN()), F64: math.Inf(-1)})
	roundTrip(t, "latin1 only: café")
	roundTrip(t, "")
	roundTrip(t, []Char{0, 0xD7FF, 0xE000, 0x10FFFF})
}
