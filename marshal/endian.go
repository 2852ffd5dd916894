//go:build armbe || arm64be || m68k || mips || mips64 || mips64p32 || ppc || ppc64 || s390 || s390x || shbe || sparc || sparc64

package marshal

// guestkit copies guest bytes straight into Go integers, which needs a
// little-endian host. This line stops a build for a big-endian one.
var _ = guestkitNeedsALittleEndianHost
