//go:build cgo

// Package wasmtimeref is a reference host for the canonical ABI
// differential test: wasmtime's C component API, from the static library
// that wasmtime-go ships, driven through cgo. It lives in its own module so
// that the guestkit module stays pure Go.
//
// The C declarations below are the few functions and the value layout of
// wasmtime's component API (include/wasmtime/component/*.h of wasmtime
// 39) that the test uses; the library itself comes from wasmtime-go's
// link flags.
package wasmtimeref

/*
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_component_t wasmtime_component_t;
typedef struct wasmtime_component_linker_t wasmtime_component_linker_t;
typedef struct wasmtime_component_export_index_t wasmtime_component_export_index_t;
typedef struct { uint64_t store_id; uint32_t priv; } gk_instance_t;
typedef struct { struct { uint64_t store_id; uint32_t priv1; }; uint32_t priv2; } gk_func_t; // as wasmtime_component_func_t: 24 bytes
typedef struct { size_t size; char *data; } gk_vec_t;
typedef struct gk_val {
  uint8_t kind;
  union {
    uint8_t u8;
    uint64_t u64;
    struct { size_t size; struct gk_val *data; } vec;
    struct { gk_vec_t name; struct gk_val *val; } variant;
  } of;
} gk_val_t;

wasm_engine_t *wasm_engine_new(void);
void wasm_engine_delete(wasm_engine_t *);
wasmtime_store_t *wasmtime_store_new(wasm_engine_t *, void *, void (*)(void *));
void wasmtime_store_delete(wasmtime_store_t *);
wasmtime_context_t *wasmtime_store_context(wasmtime_store_t *);
void wasmtime_error_message(const wasmtime_error_t *, gk_vec_t *);
void wasmtime_error_delete(wasmtime_error_t *);
void wasm_byte_vec_delete(gk_vec_t *);
wasmtime_error_t *wasmtime_component_new(const wasm_engine_t *, const uint8_t *, size_t, wasmtime_component_t **);
void wasmtime_component_delete(wasmtime_component_t *);
wasmtime_component_linker_t *wasmtime_component_linker_new(const wasm_engine_t *);
void wasmtime_component_linker_delete(wasmtime_component_linker_t *);
wasmtime_error_t *wasmtime_component_linker_instantiate(const wasmtime_component_linker_t *, wasmtime_context_t *, const wasmtime_component_t *, gk_instance_t *);
wasmtime_component_export_index_t *wasmtime_component_instance_get_export_index(const gk_instance_t *, wasmtime_context_t *, const wasmtime_component_export_index_t *, const char *, size_t);
void wasmtime_component_export_index_delete(wasmtime_component_export_index_t *);
bool wasmtime_component_instance_get_func(const gk_instance_t *, wasmtime_context_t *, const wasmtime_component_export_index_t *, gk_func_t *);
wasmtime_error_t *wasmtime_component_func_call(const gk_func_t *, wasmtime_context_t *, const gk_val_t *, size_t, gk_val_t *, size_t);
wasmtime_error_t *wasmtime_component_func_post_return(const gk_func_t *, wasmtime_context_t *);
void wasmtime_component_val_delete(gk_val_t *);

static char *gk_msg(wasmtime_error_t *e, const char *what) {
  gk_vec_t m;
  wasmtime_error_message(e, &m);
  size_t n = strlen(what) + m.size + 3;
  char *s = malloc(n);
  snprintf(s, n, "%s: %.*s", what, (int)m.size, m.data);
  wasm_byte_vec_delete(&m);
  wasmtime_error_delete(e);
  return s;
}

typedef struct {
  wasm_engine_t *engine;
  wasmtime_store_t *store;
  wasmtime_context_t *cx;
  wasmtime_component_t *component;
  wasmtime_component_linker_t *linker;
  gk_instance_t inst;
  wasmtime_component_export_index_t *api;
} gk_host_t;

// gk_instantiate makes a fresh store and instance: after a trap the old
// instance cannot be entered again.
static char *gk_instantiate(gk_host_t *h) {
  if (h->api) wasmtime_component_export_index_delete(h->api);
  h->api = NULL;
  if (h->store) wasmtime_store_delete(h->store);
  h->store = wasmtime_store_new(h->engine, NULL, NULL);
  h->cx = wasmtime_store_context(h->store);
  wasmtime_error_t *e = wasmtime_component_linker_instantiate(h->linker, h->cx, h->component, &h->inst);
  if (e) return gk_msg(e, "instantiate");
  h->api = wasmtime_component_instance_get_export_index(&h->inst, h->cx, NULL, "test:diff/api", 13);
  if (!h->api) return strdup("no export test:diff/api");
  return NULL;
}

static char *gk_open(gk_host_t *h, const uint8_t *buf, size_t len) {
  h->engine = wasm_engine_new();
  wasmtime_error_t *e = wasmtime_component_new(h->engine, buf, len, &h->component);
  if (e) return gk_msg(e, "component");
  h->linker = wasmtime_component_linker_new(h->engine);
  return gk_instantiate(h);
}

static void gk_close(gk_host_t *h) {
  if (h->api) wasmtime_component_export_index_delete(h->api);
  if (h->linker) wasmtime_component_linker_delete(h->linker);
  if (h->component) wasmtime_component_delete(h->component);
  if (h->store) wasmtime_store_delete(h->store);
  if (h->engine) wasm_engine_delete(h->engine);
}

static char *gk_func(gk_host_t *h, const char *name, gk_func_t *f) {
  wasmtime_component_export_index_t *i = wasmtime_component_instance_get_export_index(&h->inst, h->cx, h->api, name, strlen(name));
  if (!i) return strdup("no such export");
  bool ok = wasmtime_component_instance_get_func(&h->inst, h->cx, i, f);
  wasmtime_component_export_index_delete(i);
  return ok ? NULL : strdup("not a function");
}

// gk_call calls name with args and one result, then its post-return.
static char *gk_call(gk_host_t *h, const char *name, const gk_val_t *args, size_t nargs, gk_val_t *res) {
  gk_func_t f;
  char *err = gk_func(h, name, &f);
  if (err) return err;
  memset(res, 0, sizeof *res); // results must hold a valid value: wasmtime drops what was there
  wasmtime_error_t *e = wasmtime_component_func_call(&f, h->cx, args, nargs, res, 1);
  if (e) return gk_msg(e, name);
  if ((e = wasmtime_component_func_post_return(&f, h->cx))) return gk_msg(e, "post-return");
  return NULL;
}

// gk_dump copies guest memory [start, end) (end 0: the heap's end).
static char *gk_dump(gk_host_t *h, uint32_t start, uint32_t end, uint8_t **out, size_t *n) {
  gk_val_t args[2], r;
  memset(args, 0, sizeof args);
  args[0].kind = 6; // u32
  args[0].of.u64 = start;
  args[1].kind = 6;
  args[1].of.u64 = end;
  char *err = gk_call(h, "dump", args, 2, &r);
  if (err) return err;
  *n = r.of.vec.size;
  *out = malloc(*n + 1);
  for (size_t i = 0; i < *n; i++) (*out)[i] = r.of.vec.data[i].of.u8;
  wasmtime_component_val_delete(&r);
  return NULL;
}

// gk_case lifts get<i>() with wasmtime and lowers the tuple it returned
// into echo<i>(x, pad); it then copies out the memory that echo<i>
// allocated (from *base) and the slot holding echo's pointer.
static char *gk_case(gk_host_t *h, int i, uint32_t slot, uint32_t *base, uint8_t **region, size_t *n, uint8_t **slotBytes, size_t *slotN) {
  char name[32];
  gk_val_t hp, r1, r2;
  char *err = gk_call(h, "heap", NULL, 0, &hp);
  if (err) return err;
  *base = (uint32_t)hp.of.u64;
  snprintf(name, sizeof name, "get%d", i);
  if ((err = gk_call(h, name, NULL, 0, &r1))) return err;
  if (r1.of.vec.size != 2) return strdup("get did not return a pair");
  snprintf(name, sizeof name, "echo%d", i);
  err = gk_call(h, name, r1.of.vec.data, 2, &r2);
  wasmtime_component_val_delete(&r1);
  if (err) return err;
  wasmtime_component_val_delete(&r2);
  if ((err = gk_dump(h, *base, 0, region, n))) return err;
  return gk_dump(h, slot, slot + 4, slotBytes, slotN);
}
*/
import "C"

import (
	"errors"
	"unsafe"

	_ "github.com/bytecodealliance/wasmtime-go/v39" // links libwasmtime.a
)

func cerr(s *C.char) error {
	if s == nil {
		return nil
	}
	defer C.free(unsafe.Pointer(s))
	return errors.New(C.GoString(s))
}

// Run instantiates component with wasmtime and, for each of n cases,
// lifts get<i>() and lowers the result into echo<i>. check receives, per
// case, the bytes echo<i> allocated (at base), the 4-byte slot where the
// guest recorded echo's pointer, or wasmtime's failure; after a failure
// the next case runs in a fresh instance.
func Run(component []byte, n int, slot func(i int) uint32, check func(i int, base uint32, region, slotBytes []byte, caseErr error)) error {
	var h C.gk_host_t
	defer C.gk_close(&h)
	buf := C.CBytes(component)
	defer C.free(buf)
	if err := cerr(C.gk_open(&h, (*C.uint8_t)(buf), C.size_t(len(component)))); err != nil {
		return err
	}
	for i := range n {
		var (
			base       C.uint32_t
			region, sb *C.uint8_t
			rn, sn     C.size_t
		)
		err := cerr(C.gk_case(&h, C.int(i), C.uint32_t(slot(i)), &base, &region, &rn, &sb, &sn))
		var r, s []byte
		if region != nil {
			r = C.GoBytes(unsafe.Pointer(region), C.int(rn))
			C.free(unsafe.Pointer(region))
		}
		if sb != nil {
			s = C.GoBytes(unsafe.Pointer(sb), C.int(sn))
			C.free(unsafe.Pointer(sb))
		}
		check(i, uint32(base), r, s, err)
		if err != nil {
			if err := cerr(C.gk_instantiate(&h)); err != nil {
				return err
			}
		}
	}
	return nil
}
