module github.com/guestkit/guestkit/memory/wasmtimemem

go 1.25.0

replace github.com/guestkit/guestkit => ../..

require (
	github.com/bytecodealliance/wasmtime-go/v44 v44.0.0
	github.com/google/go-cmp v0.7.0
	github.com/guestkit/guestkit v0.0.0-00010101000000-000000000000
)

require (
	github.com/fatih/structtag v1.2.0 // indirect
	github.com/tetratelabs/wazero v1.12.0 // indirect
	golang.org/x/sys v0.44.0 // indirect
)
