// Package hellohost is the host side of examples/hello: the guest's types,
// declared once with guest tags, and the host functions guestkit.hello and
// guestkit.replies, written with guestptr and guestptr/deep alone. The
// runtime bindings call it: examples/hello on wazero and
// memory/wasmtimemem/examples/hello on wasmtime, so both runtimes run the
// same host code.
package hellohost
