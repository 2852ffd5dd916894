package main

import "os"

// Example_show prints a C type of a guest built with clang -g, as the
// guest's DWARF lays it out: guestlayout show -wasm GUEST.wasm TYPE.
func Example_show() {
	run([]string{"show", "-wasm", "../../dwarflayout/testdata/guest.wasm", "struct item"}, os.Stdout, os.Stderr)
	// Output:
	// struct item  guest DWARF  size 16  align 8
	// offset  size  member                     C type
	//      0     4  id                         uint32_t
	//      4     1  color                      uint8_t
	//      5     1                             /* 1-byte hole */
	//      6     2  count                      uint16_t
	//      8     8  weight                     double
}
