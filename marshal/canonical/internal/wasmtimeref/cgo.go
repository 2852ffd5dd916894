//go:build cgo

package wasmtimeref

import "errors"

// ErrNoCgo is what Run returns in a build without cgo.
var ErrNoCgo = errors.New("wasmtimeref needs cgo (CGO_ENABLED=1 and a C compiler)")
