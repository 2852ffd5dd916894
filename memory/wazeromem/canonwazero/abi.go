package canonwazero

import "github.com/guestkit/guestkit/layout"

func abiOf(ptrSize int) layout.ABI {
	if ptrSize == 8 {
		return layout.Wasm64
	}
	return layout.Wasm32
}
