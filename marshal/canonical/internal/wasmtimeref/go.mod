module github.com/guestkit/guestkit/marshal/canonical/internal/wasmtimeref

go 1.25.0

require (
	github.com/bytecodealliance/wasmtime-go/v39 v39.0.1
	github.com/guestkit/guestkit v0.0.0
)

require (
	github.com/fatih/structtag v1.2.0 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
)

replace github.com/guestkit/guestkit => ../../../..
