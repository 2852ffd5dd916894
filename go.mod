module github.com/guestkit/guestkit

go 1.25.0

require (
	github.com/fatih/structtag v1.2.0
	github.com/google/go-cmp v0.7.0
	github.com/tetratelabs/wazero v1.12.0
)

require golang.org/x/sys v0.44.0 // indirect
