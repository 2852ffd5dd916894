package canonwazero_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"

	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/memory/wazeromem"
	"github.com/guestkit/guestkit/memory/wazeromem/canonwazero"
)

// Example calls canonical-ABI exports of a C guest (testdata/guest.c) with
// WIT-typed Go values, and gives it a host import written as a Go function.
func Example() {
	ctx := wazeromem.WithAllocator(context.Background())
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)

	// import host-upper: func(s: string) -> string
	host := r.NewHostModuleBuilder("host")
	canonwazero.Import(host, "host-upper", canonical.UTF8,
		func(_ context.Context, a struct{ S string }) (string, error) { return strings.ToUpper(a.S), nil })
	canonwazero.Import(host, "counter-add", canonical.UTF8, func(_ context.Context, a struct {
		C canonical.Borrow[Counter]
		N uint32
	}) (uint32, error) {
		return a.N, nil
	})
	canonwazero.Resource[Counter](host, "counter", nil)
	canonwazero.Resource[Blob](host, "blob", nil)
	if _, err := host.Instantiate(ctx); err != nil {
		panic(err)
	}
	mod, err := r.Instantiate(ctx, guestWasm)
	if err != nil {
		panic(err)
	}
	in := canonwazero.Of(mod, canonical.UTF8)

	// export make-person: func(name: string, age: u8) -> person
	type args struct {
		Name string
		Age  uint8
	}
	makePerson, err := canonwazero.Export[args, Person](in, "make-person")
	if err != nil {
		panic(err)
	}
	p, err := makePerson(ctx, args{"Ada", 36})
	fmt.Printf("%+v %v\n", p, err)

	// export parse-u32: func(s: string) -> result<u32, string>
	parse, _ := canonwazero.Export[struct{ S string }, canonical.Result[uint32, string]](in, "parse-u32")
	res, err := parse(ctx, struct{ S string }{"12x"})
	fmt.Printf("%+v %v\n", res, err)

	// export call-host: func(s: string) -> string, which calls host-upper
	callHost, _ := canonwazero.Export[struct{ S string }, string](in, "call-host")
	s, err := callHost(ctx, struct{ S string }{"go"})
	fmt.Println(s, err)
	// Output:
	// {Name:Ada Age:36 Tags:[person adult]} <nil>
	// {Ok:0 Err:not a u32: 12x IsErr:true} <nil>
	// <GO> <nil>
}
