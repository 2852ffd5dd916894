package guestbuild

import (
	"context"
	"slices"

	"github.com/tetratelabs/wazero"
)

// WASIModule is the import module name of WASI preview 1.
const WASIModule = "wasi_snapshot_preview1"

// WASIFunctions lists the wasi_snapshot_preview1 functions the guestkit host
// implements; it answers every other preview1 function with ENOSYS. The C
// guests import nothing from WASI outside this list.
var WASIFunctions = []string{
	"args_get",
	"args_sizes_get",
	"environ_get",
	"environ_sizes_get",
	"clock_time_get",
	"clock_res_get",
	"random_get",
	"fd_write",
	"fd_read",
	"fd_close",
	"fd_seek",
	"fd_fdstat_get",
	"fd_prestat_get",
	"fd_prestat_dir_name",
	"poll_oneoff",
	"proc_exit",
}

// Import is one function a module imports.
type Import struct {
	// Module and Name are the import's module and field names.
	Module, Name string
}

// String returns "module.name".
func (i Import) String() string { return i.Module + "." + i.Name }

// Imports returns the distinct functions a WebAssembly module imports,
// sorted, as wazero reads them. (Go's wasip1 binaries import some functions
// more than once.)
func Imports(wasm []byte) ([]Import, error) {
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	cm, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return nil, err
	}
	var out []Import
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		out = append(out, Import{Module: mod, Name: name})
	}
	slices.SortFunc(out, func(a, b Import) int {
		if a.Module != b.Module {
			if a.Module < b.Module {
				return -1
			}
			return 1
		}
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return slices.Compact(out), nil
}

// OutsideWASIFunctions returns the imports from WASIModule that are not in
// WASIFunctions. Imports from other modules are not considered.
func OutsideWASIFunctions(imports []Import) []Import {
	var out []Import
	for _, i := range imports {
		if i.Module == WASIModule && !slices.Contains(WASIFunctions, i.Name) {
			out = append(out, i)
		}
	}
	return out
}
