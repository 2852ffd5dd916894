#!/bin/sh
# ci.sh builds and tests the nested module memory/wasmtimemem (the wasmtime
# adapter, its examples and its bench). Call it from anywhere; it needs cgo
# (a C compiler) and the module github.com/bytecodealliance/wasmtime-go/v44
# (its prebuilt libwasmtime.a, from the Go module proxy or the module
# cache). clang/wasm-ld rebuild the committed memory64 guest; without them
# those tests skip, unless GUESTKIT_REQUIRE_CLANG=1.
#
#   memory/wasmtimemem/ci.sh              # gofmt, vet, test, test -race
#   GUESTKIT_SKIP_RACE=1 memory/wasmtimemem/ci.sh
set -eu
cd "$(dirname "$0")"
export CGO_ENABLED=1

echo "wasmtimemem: gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt -l:" "$unformatted" >&2
	exit 1
fi

echo "wasmtimemem: go mod verify"
go mod verify

echo "wasmtimemem: go vet"
go vet ./...

echo "wasmtimemem: go test"
go test -count=1 ./...

if [ "${GUESTKIT_SKIP_RACE:-}" != 1 ]; then
	echo "wasmtimemem: go test -race"
	go test -count=1 -race ./...
fi

echo "wasmtimemem: the commands run"
go run ./examples/hello >/dev/null
go run ./examples/mem64 >/dev/null
go run ./bench/cmd/compare -rounds 3 -block 200us >/dev/null
