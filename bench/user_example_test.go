package bench_test

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/guestkit/guestkit/bench"
)

// A hand-written fdstat decoder with an enum bound one too high is checked
// against guestkit on inputs made from bench.Fdstat's layout. (In a test,
// c.Test(t, 1, 2000) reports the same disagreements through t.)
func ExampleChecker() {
	decode := func(mem []byte, addr uint32) (bench.Fdstat, error) {
		if addr%8 != 0 || uint64(addr)+24 > uint64(len(mem)) {
			return bench.Fdstat{}, errors.New("EFAULT")
		}
		b := mem[addr:]
		le := binary.LittleEndian
		v := bench.Fdstat{
			FsFiletype: bench.Filetype(b[0]), FsFlags: bench.Fdflags(le.Uint16(b[2:])),
			FsRightsBase: bench.Rights(le.Uint64(b[8:])), FsRightsInheriting: bench.Rights(le.Uint64(b[16:])),
		}
		if v.FsFiletype > bench.FiletypeCases || // the bug: > where >= is meant
			v.FsFlags&^bench.FdflagsMask != 0 || v.FsRightsBase&^bench.RightsMask != 0 || v.FsRightsInheriting&^bench.RightsMask != 0 {
			return bench.Fdstat{}, errors.New("EINVAL")
		}
		return v, nil
	}
	c, err := bench.NewChecker(bench.Hand[bench.Fdstat]{Decode: decode}, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ds := c.Check(1, 2000)
	fmt.Println(len(ds), "disagreements; the first:")
	fmt.Println(ds[0])
	// Output:
	// 56 disagreements; the first:
	// bench.Fdstat: decode over []byte at 0xd9e0 (invalid field: FsFiletype = 8 (enum of 8 cases)): handwritten and guestkit disagree
	//   field:       FsFiletype
	//   guestkit:    error: read guestptr.Ptr[bench.Fdstat] at 0xd9e0: field FsFiletype: invalid enum 8 (bench.Filetype has 8 cases)
	//   handwritten: ok: {FsFiletype:8 FsFlags:31 FsRightsBase:604564378 FsRightsInheriting:102520406}
	//   bytes at 0xd9e0: 08 9d 1f 00 4b e9 0a 8c 9a eb 08 24 00 00 00 00 56 56 1c 06 00 00 00 00
}
