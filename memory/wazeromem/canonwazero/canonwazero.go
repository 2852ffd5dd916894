// Package canonwazero calls Component Model canonical-ABI exports of a
// core WebAssembly module running on wazero with plain Go arguments and
// results, and defines canonical-ABI host imports from Go functions — no
// code generator, no component runtime.
//
// The Go types spell the WIT types as package
// github.com/guestkit/guestkit/marshal/canonical describes: a function's
// parameters are the fields of a struct P (struct{} for none), its result
// is R (struct{} for none). Both are compiled once per (P, R).
//
// An export call lowers the arguments (spilling them through the guest's
// cabi_realloc past 16 flat values), calls the core function, lifts the
// result (through the returned pointer past one flat value), ends the
// call's borrow scope and runs cabi_post_<name> when the guest exports
// it. A host import lifts the guest's arguments, calls the Go function
// and lowers its result (through the guest's result pointer when the
// result is more than one flat value). A trap inside an import panics
// with the *canonical.Error, which wazero returns, wrapped, from the
// guest call that made it.
package canonwazero

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/marshal/canonical"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Instance is one core module instance seen as a component instance: its
// memory, its cabi_realloc, its string encoding and its handle table.
type Instance struct {
	// Module is the core module instance.
	Module api.Module
	// Memory is its memory ("memory"), nil if it has none.
	Memory *memory.Memory
	// Encoding is the string encoding of its exports.
	Encoding canonical.StringEncoding
	// Handles is its table of resource handles.
	Handles *canonical.HandleTable
	realloc api.Function
}

var instances sync.Map // api.Module -> *Instance

// Of returns the Instance of mod, making it on first use with string
// encoding enc; imports called by mod and exports bound on it share it.
// It is kept until [Forget].
func Of(mod api.Module, enc canonical.StringEncoding) *Instance {
	if in, ok := instances.Load(mod); ok {
		return in.(*Instance)
	}
	in := &Instance{Module: mod, Encoding: enc, Handles: canonical.NewHandleTable()}
	if m := mod.Memory(); m != nil {
		in.Memory = wazeromem.Of(m)
	}
	in.realloc = mod.ExportedFunction("cabi_realloc")
	got, _ := instances.LoadOrStore(mod, in)
	return got.(*Instance)
}

// Forget drops the Instance of mod, for a module that is closed.
func Forget(mod api.Module) { instances.Delete(mod) }

// caller is the state of one bound export or import: its canonical
// context and the wazero stack of its realloc calls, reused from call to
// call so that a call allocates nothing of its own.
type caller struct {
	in      *Instance
	ctx     context.Context
	cx      canonical.Context
	reStack [4]uint64
	wasm32  bool
}

func (in *Instance) newCaller() *caller {
	c := &caller{in: in}
	c.cx = canonical.Context{Memory: in.Memory, Encoding: in.Encoding, Handles: in.Handles}
	if in.Memory != nil {
		c.wasm32 = in.Memory.ABI().PointerSize() == 4
	}
	if in.realloc != nil {
		c.cx.Realloc = c.realloc
	}
	return c
}

// realloc calls the guest's cabi_realloc. canonical checks its result.
func (c *caller) realloc(old, oldSize, align, size uint64) (uint64, error) {
	s := c.reStack[:]
	s[0], s[1], s[2], s[3] = old, oldSize, align, size
	if err := c.in.realloc.CallWithStack(c.ctx, s); err != nil {
		return 0, fmt.Errorf("cabi_realloc: %w", err)
	}
	if c.wasm32 {
		return uint64(uint32(s[0])), nil
	}
	return s[0], nil
}

func valueTypes(ts []canonical.CoreType) []api.ValueType {
	out := make([]api.ValueType, len(ts))
	for i, t := range ts {
		switch t {
		case canonical.I32:
			out[i] = api.ValueTypeI32
		case canonical.I64:
			out[i] = api.ValueTypeI64
		case canonical.F32:
			out[i] = api.ValueTypeF32
		case canonical.F64:
			out[i] = api.ValueTypeF64
		}
	}
	return out
}

// Export binds the guest export name as a Go function taking the
// parameters P and returning R. Like the wazero api.Function it calls,
// and like the module instance it runs in, the function must not be
// called by two goroutines at once.
func Export[P, R any](in *Instance, name string) (func(ctx context.Context, args P) (R, error), error) {
	if in.Memory == nil {
		return nil, fmt.Errorf("canonwazero: module %q has no memory", in.Module.Name())
	}
	f, err := canonical.FuncOf[P, R](in.Memory.ABI())
	if err != nil {
		return nil, err
	}
	fn := in.Module.ExportedFunction(name)
	if fn == nil {
		return nil, fmt.Errorf("canonwazero: module %q exports no function %q", in.Module.Name(), name)
	}
	wantP, wantR := valueTypes(f.ExportParams()), valueTypes(f.ExportResults())
	def := fn.Definition()
	if !reflect.DeepEqual(normalize(def.ParamTypes()), normalize(wantP)) || !reflect.DeepEqual(normalize(def.ResultTypes()), normalize(wantR)) {
		return nil, fmt.Errorf("canonwazero: export %q has core type %v -> %v; the canonical ABI of (%v) -> %v needs %v -> %v",
			name, def.ParamTypes(), def.ResultTypes(), reflect.TypeFor[P](), reflect.TypeFor[R](), wantP, wantR)
	}
	post := in.Module.ExportedFunction("cabi_post_" + name)
	nres := len(wantR)
	stackLen := max(len(wantP), nres)
	handles := f.UsesHandles()
	c := in.newCaller()
	stack := make([]uint64, 0, stackLen)
	return func(ctx context.Context, args P) (R, error) {
		return call(c, ctx, f, &args, fn, post, stack, stackLen, nres, handles, name)
	}, nil
}

// call runs one export call.
func call[P, R any](c *caller, ctx context.Context, f *canonical.Func[P, R], args *P, fn, post api.Function, stack []uint64, stackLen, nres int, handles bool, name string) (R, error) {
	var zero R
	in := c.in
	c.ctx = ctx
	c.cx.Encoding = in.Encoding
	var scope *canonical.Scope
	if handles {
		scope = canonical.NewScope(in.Handles)
	}
	c.cx.Scope = scope
	cx := &c.cx
	s, err := f.LowerArgs(cx, args, stack[:0])
	if err != nil {
		return zero, err
	}
	s = s[:stackLen]
	if err := fn.CallWithStack(ctx, s); err != nil {
		return zero, err
	}
	r, err := f.LiftResult(cx, s[:nres])
	if err != nil {
		return zero, err
	}
	if err := scope.End(); err != nil {
		return zero, err
	}
	if post != nil {
		if err := post.CallWithStack(ctx, s[:max(nres, 1)]); err != nil {
			return zero, fmt.Errorf("cabi_post_%s: %w", name, err)
		}
	}
	return r, nil
}

func normalize(ts []api.ValueType) []api.ValueType {
	if len(ts) == 0 {
		return nil
	}
	return ts
}

// Import defines the host function name on b: the guest calls it with the
// canonical ABI of (P) -> R, string encoding enc and a wasm32 memory, and
// fn runs with the lifted arguments. Lowering a string or list result
// calls the caller's cabi_realloc. An error from fn traps the guest.
func Import[P, R any](b wazero.HostModuleBuilder, name string, enc canonical.StringEncoding, fn func(ctx context.Context, args P) (R, error)) error {
	return ImportABI(b, name, enc, memoryWasm32, fn)
}

// memoryWasm32 and memoryWasm64 select the guest data model of an import.
const (
	memoryWasm32 = 4
	memoryWasm64 = 8
)

// ImportWasm64 is Import for a guest with a 64-bit memory.
func ImportWasm64[P, R any](b wazero.HostModuleBuilder, name string, enc canonical.StringEncoding, fn func(ctx context.Context, args P) (R, error)) error {
	return ImportABI(b, name, enc, memoryWasm64, fn)
}

// ImportABI is Import with the pointer size given: 4 or 8.
func ImportABI[P, R any](b wazero.HostModuleBuilder, name string, enc canonical.StringEncoding, ptrSize int, fn func(ctx context.Context, args P) (R, error)) error {
	abi := abiOf(ptrSize)
	f, err := canonical.FuncOf[P, R](abi)
	if err != nil {
		return err
	}
	params, results := valueTypes(f.ImportParams()), valueTypes(f.ImportResults())
	nparams := len(params)
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		in := Of(mod, enc)
		scope := canonical.NewScope(in.Handles)
		c := in.newCaller()
		c.ctx = ctx
		c.cx.Encoding = enc
		c.cx.Scope = scope
		cx := &c.cx
		args, err := f.LiftArgs(cx, stack[:nparams])
		if err != nil {
			panic(err)
		}
		r, err := fn(ctx, args)
		if err != nil {
			panic(fmt.Errorf("canonwazero: import %s: %w", name, err))
		}
		if _, err := f.LowerResult(cx, &r, stack[:nparams], stack[:0]); err != nil {
			panic(err)
		}
		if err := scope.End(); err != nil {
			panic(err)
		}
	}), params, results).Export(name)
	return nil
}

// Resource defines canon resource.new, resource.rep and resource.drop
// for the resource type R on b, as "[resource-new]name",
// "[resource-rep]name" and "[resource-drop]name". dtor, when not nil, runs
// when the guest drops an own handle.
func Resource[R any](b wazero.HostModuleBuilder, name string, dtor func(ctx context.Context, rep uint32)) {
	rt := reflect.TypeFor[R]()
	i32 := []api.ValueType{api.ValueTypeI32}
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		in := Of(mod, canonical.UTF8)
		in.Handles.Implements(rt)
		i, err := in.Handles.New(rt, uint32(stack[0]))
		if err != nil {
			panic(err)
		}
		stack[0] = uint64(i)
	}), i32, i32).Export("[resource-new]" + name)
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		rep, err := Of(mod, canonical.UTF8).Handles.Rep(rt, uint32(stack[0]))
		if err != nil {
			panic(err)
		}
		stack[0] = uint64(rep)
	}), i32, i32).Export("[resource-rep]" + name)
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		rep, own, err := Of(mod, canonical.UTF8).Handles.Drop(rt, uint32(stack[0]))
		if err != nil {
			panic(err)
		}
		if own && dtor != nil {
			dtor(ctx, rep)
		}
	}), i32, nil).Export("[resource-drop]" + name)
}
