//go:build !cgo

package wasmtimeref

import "errors"

// ErrNoCgo is what Run returns in a build without cgo.
var ErrNoCgo = errors.New("wasmtimeref needs cgo (CGO_ENABLED=1 and a C compiler)")

// Run needs cgo; without it it fails with ErrNoCgo.
func Run(component []byte, n int, slot func(i int) uint32, check func(i int, base uint32, region, slotBytes []byte, caseErr error)) error {
	return ErrNoCgo
}
