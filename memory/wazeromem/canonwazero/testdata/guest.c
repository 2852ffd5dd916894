// A core module that follows the Component Model canonical ABI (wasm32,
// utf8 strings), written by hand as a bindings generator would emit it.
// Built freestanding: see ../guest_test.go (TestGuestMatchesSource).
//
// WIT:
//   record person { name: string, age: u8, tags: list<string> }
//   variant shape { circle(f32), rect(tuple<s64, s64>), empty, label(string) }
//   flags perms { read, write, exec }
//   record rec { s: string, xs: list<u32> }
//   resource counter;   // implemented by the host
//   resource blob;      // implemented by this guest
//   import host-upper: func(s: string) -> string;
//   import counter-add: func(c: borrow<counter>, n: u32) -> u32;
//   export greet: func(name: string) -> string;
//   export sum: func(xs: list<u32>) -> u64;
//   export make-person: func(name: string, age: u8) -> person;
//   export classify: func(s: shape) -> string;
//   export find: func(xs: list<u32>, x: u32) -> option<u32>;
//   export parse-u32: func(s: string) -> result<u32, string>;
//   export toggle: func(p: perms) -> perms;
//   export sum17: func(a..q: u32 x 17) -> u32;
//   export echo-record: func(r: rec) -> rec;
//   export call-host: func(s: string) -> string;
//   export use-counter: func(c: borrow<counter>, n: u32) -> u32;
//   export take-counter: func(c: own<counter>);
//   export new-blob: func(size: u32) -> own<blob>;
//   export blob-size: func(b: borrow<blob>) -> u32;
//   export first-char: func(s: string) -> char;
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("host"), import_name(name)))

extern unsigned char __heap_base;
static uintptr_t heap = (uintptr_t)&__heap_base;

void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *dd = d;
  const unsigned char *ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}

void *memset(void *d, int c, size_t n) {
  unsigned char *dd = d;
  while (n--) *dd++ = (unsigned char)c;
  return d;
}

static void *alloc(size_t align, size_t size) {
  uintptr_t p = (heap + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = p + size;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have) {
    if (__builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) __builtin_trap();
  }
  heap = end;
  return (void *)p;
}

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (old && new_size <= old_size) return old;
  void *p = alloc(align, new_size);
  if (old) memcpy(p, old, old_size);
  return p;
}

typedef struct { char *ptr; size_t len; } str_t;
typedef struct { uint32_t *ptr; size_t len; } list_u32_t;
typedef struct { str_t *ptr; size_t len; } list_str_t;

static uint32_t post_calls;
EXPORT("post-calls") uint32_t post_calls_get(void) { return post_calls; }

static str_t *ret_str(const char *a, size_t alen, const char *b, size_t blen, const char *c, size_t clen) {
  str_t *r = alloc(4, sizeof *r);
  r->len = alen + blen + clen;
  r->ptr = alloc(1, r->len);
  memcpy(r->ptr, a, alen);
  memcpy(r->ptr + alen, b, blen);
  memcpy(r->ptr + alen + blen, c, clen);
  return r;
}

EXPORT("greet") str_t *greet(char *name, size_t len) { return ret_str("Hello, ", 7, name, len, "!", 1); }
EXPORT("cabi_post_greet") void post_greet(str_t *r) { (void)r; post_calls++; }

EXPORT("sum") uint64_t sum(uint32_t *xs, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++) s += xs[i];
  return s;
}

typedef struct { str_t name; uint8_t age; list_str_t tags; } person_t;

EXPORT("make-person") person_t *make_person(char *name, size_t len, uint32_t age) {
  person_t *p = alloc(4, sizeof *p);
  p->name.ptr = name;
  p->name.len = len;
  p->age = (uint8_t)age;
  p->tags.len = age >= 18 ? 2 : 1;
  p->tags.ptr = alloc(4, p->tags.len * sizeof(str_t));
  p->tags.ptr[0] = (str_t){"person", 6};
  if (age >= 18) p->tags.ptr[1] = (str_t){"adult", 5};
  return p;
}

// classify: shape flattens to (i32 disc, i64, i64): f32 rides in the low
// bits of the first i64, a string's (ptr, len) in the two i64s.
EXPORT("classify") str_t *classify(uint32_t disc, uint64_t a, uint64_t b) {
  switch (disc) {
  case 0: {
    uint32_t bits = (uint32_t)a;
    float f;
    memcpy(&f, &bits, 4);
    return f > 1.0f ? ret_str("big circle", 10, "", 0, "", 0) : ret_str("small circle", 12, "", 0, "", 0);
  }
  case 1: return (int64_t)a * (int64_t)b < 0 ? ret_str("negative rect", 13, "", 0, "", 0) : ret_str("rect", 4, "", 0, "", 0);
  case 2: return ret_str("empty", 5, "", 0, "", 0);
  default: return ret_str("label:", 6, (char *)(uintptr_t)(uint32_t)a, (uint32_t)b, "", 0);
  }
}

typedef struct { uint8_t tag; uint32_t val; } option_u32_t;

EXPORT("find") option_u32_t *find(uint32_t *xs, size_t n, uint32_t x) {
  option_u32_t *r = alloc(4, sizeof *r);
  r->tag = 0;
  for (size_t i = 0; i < n; i++)
    if (xs[i] == x) { r->tag = 1; r->val = i; break; }
  return r;
}

typedef struct { uint8_t tag; union { uint32_t ok; str_t err; } u; } result_u32_str_t;

EXPORT("parse-u32") result_u32_str_t *parse_u32(char *s, size_t n) {
  result_u32_str_t *r = alloc(4, sizeof *r);
  uint64_t v = 0;
  if (n == 0) goto bad;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') goto bad;
    v = v * 10 + (s[i] - '0');
    if (v > 0xffffffffu) goto bad;
  }
  r->tag = 0;
  r->u.ok = (uint32_t)v;
  return r;
bad:
  r->tag = 1;
  r->u.err = *ret_str("not a u32: ", 11, s, n, "", 0);
  return r;
}

EXPORT("toggle") uint32_t toggle(uint32_t p) { return (p ^ 0x7) & 0x7; }

EXPORT("sum17") uint32_t sum17(uint32_t *args) {
  uint32_t s = 0;
  for (int i = 0; i < 17; i++) s += args[i] * (i + 1);
  return s;
}

typedef struct { str_t s; list_u32_t xs; } rec_t;

EXPORT("echo-record") rec_t *echo_record(char *s, size_t slen, uint32_t *xs, size_t n) {
  static rec_t r;
  r.s = (str_t){s, slen};
  r.xs = (list_u32_t){xs, n};
  return &r;
}
EXPORT("cabi_post_echo-record") void post_echo(rec_t *r) { (void)r; heap = (uintptr_t)&__heap_base; }

IMPORT("host-upper") void host_upper(char *s, size_t n, str_t *ret);

EXPORT("call-host") str_t *call_host(char *s, size_t n) {
  str_t *r = alloc(4, sizeof *r);
  host_upper(s, n, r);
  return ret_str("<", 1, r->ptr, r->len, ">", 1);
}

IMPORT("counter-add") uint32_t counter_add(uint32_t handle, uint32_t n);
IMPORT("[resource-drop]counter") void counter_drop(uint32_t handle);

EXPORT("use-counter") uint32_t use_counter(uint32_t c, uint32_t n) {
  uint32_t v = counter_add(c, n);
  counter_drop(c); // a borrow must be dropped before the call returns
  return v;
}

EXPORT("take-counter") void take_counter(uint32_t c) { counter_drop(c); }

EXPORT("keep-borrow") uint32_t keep_borrow(uint32_t c) { return c; } // forgets to drop: traps

IMPORT("[resource-new]blob") uint32_t blob_new(uint32_t rep);

EXPORT("new-blob") uint32_t new_blob(uint32_t size) {
  uint32_t *rep = alloc(4, 4);
  *rep = size;
  return blob_new((uint32_t)(uintptr_t)rep);
}

EXPORT("blob-size") uint32_t blob_size(uint32_t rep) { return *(uint32_t *)(uintptr_t)rep; }

EXPORT("first-char") uint32_t first_char(char *s, size_t n) {
  if (n == 0) return 0xD800; // an invalid char: the host's lift traps
  unsigned char c = (unsigned char)s[0];
  if (c < 0x80) return c;
  uint32_t v;
  int k;
  if (c >= 0xF0) { v = c & 7; k = 3; } else if (c >= 0xE0) { v = c & 15; k = 2; } else { v = c & 31; k = 1; }
  for (int i = 1; i <= k && (size_t)i < n; i++) v = v << 6 | (s[i] & 63);
  return v;
}
