package bench_test

import (
	"fmt"

	"github.com/guestkit/guestkit/bench"
)

// Each impl reads the same fixture and makes the same checks; here the
// guestkit and handwritten impls read its fdstat and its string, and both
// refuse a misaligned fdstat.
func Example() {
	fx := bench.NewFixture()
	mem := fx.Linear()
	gk, hw := bench.Guestkit{Mem: mem}, bench.Handwritten{Mem: mem}

	a, err := gk.ReadFdstat(bench.FdstatAddr)
	fmt.Printf("guestkit:    %+v %v\n", a, err)
	b, err := hw.ReadFdstat(bench.FdstatAddr)
	fmt.Printf("handwritten: %+v %v\n", b, err)

	s, err := gk.ReadString(bench.StringAddr, 12)
	fmt.Printf("%q %v\n", s, err)

	_, err1 := gk.ReadFdstat(bench.FdstatAddr + 4)
	_, err2 := hw.ReadFdstat(bench.FdstatAddr + 4)
	fmt.Println(err1 != nil, err2 != nil)
	// Output:
	// guestkit:    {FsFiletype:4 FsFlags:5 FsRightsBase:1073741819 FsRightsInheriting:16777215} <nil>
	// handwritten: {FsFiletype:4 FsFlags:5 FsRightsBase:1073741819 FsRightsInheriting:16777215} <nil>
	// "héllo, wör" <nil>
	// true true
}
