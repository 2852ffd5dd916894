/*
 * mem64.c - a freestanding memory64 (wasm64) guest: no libc, its own
 * allocator, memset, memcpy and memcmp.
 *
 * The export run() sends the host four requests through the import
 * guestkit.serve: a valid one full of pointers (a record with a string and
 * a pointer inside, a string, a list of records, a tagged union), during
 * which the host has the guest grow its memory (export grow) while it holds
 * a view of the reply's squares buffer; then three bad ones (an invalid
 * enum in the list, a name past the end of memory at an address above
 * 4 GiB, a misaligned pointer inside the owner), which must fail with an
 * errno and change nothing. Each check is reported through guestkit.log as
 * "ok NAME" or "FAIL NAME got X want Y", then a summary line. run returns
 * the number of failed checks.
 *
 * Built with the command in examples/mem64/build.go; a test rebuilds it and
 * compares the result with the committed mem64.wasm.
 */
#include "mem64.h"

#define PAGE 65536u
#define SENTINEL 0xAA
#define GREETING_CAP 64u
#define SQUARES 16u
#define GROW_PAGES 3u

#define EINVAL 28
#define EFAULT 21

/* --- the minimal C runtime: memset, memcpy, memcmp, a bump allocator --- */

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

extern unsigned char __heap_base;
static size_t heap_top;

/* alloc returns n bytes aligned to 16 from the top of the heap, growing the
 * memory when they do not fit; 0 if the memory cannot grow. */
static void *alloc(size_t n)
{
	if (heap_top == 0)
		heap_top = (size_t)&__heap_base;
	size_t at = (heap_top + 15) & ~(size_t)15;
	size_t end = at + n;
	size_t have = __builtin_wasm_memory_size(0) * PAGE;
	if (end > have && __builtin_wasm_memory_grow(0, (end - have + PAGE - 1) / PAGE) == (size_t)-1)
		return 0;
	heap_top = end;
	return (void *)at;
}

/* grow is called by the host during host_serve: it grows the memory by
 * pages and returns the previous size in pages, or SIZE_MAX. */
__attribute__((export_name("grow"))) size_t grow(size_t pages)
{
	return __builtin_wasm_memory_grow(0, pages);
}

/* --- reporting --- */

static int checks, failures;
static char line[256];
static size_t line_len;

static void put(const char *s)
{
	while (*s && line_len < sizeof line)
		line[line_len++] = *s++;
}

static void put_u64(uint64_t v)
{
	char buf[20];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && line_len < sizeof line)
		line[line_len++] = buf[--n];
}

static void flush(void)
{
	host_log(line, line_len);
	line_len = 0;
}

static void check_u64(const char *what, uint64_t got, uint64_t want)
{
	checks++;
	if (got == want) {
		put("ok ");
		put(what);
	} else {
		failures++;
		put("FAIL ");
		put(what);
		put(" got ");
		put_u64(got);
		put(" want ");
		put_u64(want);
	}
	flush();
}

static void check(const char *what, int good)
{
	check_u64(what, good ? 1 : 0, 1);
}

/* --- the requests --- */

static uint64_t fnv1a64(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char *copy_str(const char *s)
{
	size_t n = slen(s);
	char *d = alloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static const char hello[] = "hello, ";

__attribute__((export_name("run"))) int32_t run(void)
{
	const char *name = copy_str("memory64 guest");
	const char *owner_name = copy_str("wasmtime");
	struct item *favorite = alloc(sizeof *favorite);
	struct item *items = alloc(3 * sizeof *items);
	struct owner *owner = alloc(sizeof *owner);
	struct request *req = alloc(sizeof *req);
	struct request *req_copy = alloc(sizeof *req_copy);
	struct reply *reply = alloc(sizeof *reply);
	struct reply *reply_copy = alloc(sizeof *reply_copy);
	uint32_t *squares = alloc(SQUARES * sizeof *squares);
	char *greeting = alloc(GREETING_CAP);
	if (!name || !owner_name || !favorite || !items || !owner || !req || !req_copy || !reply || !reply_copy || !squares || !greeting) {
		check("alloc", 0);
		return failures;
	}

	*favorite = (struct item){.id = 42, .color = COLOR_BLUE, .count = 1, .weight = 0.25};
	items[0] = (struct item){.id = 1, .color = COLOR_RED, .count = 2, .weight = 0.5};
	items[1] = (struct item){.id = 2, .color = COLOR_GREEN, .count = 3, .weight = 1.25};
	items[2] = (struct item){.id = 3, .color = COLOR_BLUE, .count = 4, .weight = 2.0};
	*owner = (struct owner){.name = owner_name, .name_len = slen("wasmtime"), .favorite = favorite, .level = 7};
	memset(req, 0, sizeof *req);
	req->version = 1;
	req->owner = owner;
	req->name = name;
	req->name_len = slen("memory64 guest");
	req->shape.kind = SHAPE_RECT;
	req->shape.u.rect.min = (struct point){-1, -2};
	req->shape.u.rect.max = (struct point){3, 4};
	req->items = items;
	req->items_len = 3;
	req->urgent = 1;
	req->grow_pages = GROW_PAGES;
	memcpy(req_copy, req, sizeof *req);

	/* Sentinels wherever the host may write, then the guest's inputs. */
	memset(reply, SENTINEL, sizeof *reply);
	memset(squares, SENTINEL, SQUARES * sizeof *squares);
	memset(greeting, SENTINEL, GREETING_CAP);
	reply->squares = squares;
	reply->squares_len = SQUARES;
	reply->greeting = greeting;
	reply->greeting_cap = GREETING_CAP;

	/* What the host must answer, computed here. */
	double want_total = 0;
	for (size_t i = 0; i < req->items_len; i++)
		want_total += (double)items[i].count * items[i].weight;
	size_t pages_before = __builtin_wasm_memory_size(0);

	int32_t rc = host_serve(req, reply);
	check_u64("serve", (uint64_t)(uint32_t)rc, 0);
	if (rc != 0)
		return failures;
	size_t pages_after = __builtin_wasm_memory_size(0);

	check_u64("status", reply->status, 0);
	check_u64("shape_kind", reply->shape_kind, SHAPE_RECT);
	check_u64("checksum", reply->checksum, fnv1a64(name, req->name_len));
	check("total_weight", reply->total_weight == want_total);
	check_u64("items_seen", reply->items_seen, 3);
	check_u64("area", (uint64_t)reply->area, 4 * 6);
	check_u64("owner_level", reply->owner_level, 7);
	check_u64("squares_ptr", (uint64_t)(uintptr_t)reply->squares, (uint64_t)(uintptr_t)squares);
	check_u64("squares_len", reply->squares_len, SQUARES);
	size_t bad = SQUARES;
	for (size_t i = 0; i < SQUARES; i++)
		if (squares[i] != i * i + favorite->id) {
			bad = i;
			break;
		}
	check_u64("squares written through the view held across growth", bad, SQUARES);
	check_u64("grown_from", reply->grown_from, pages_before);
	check_u64("grown_to", reply->grown_to, pages_after);
	check_u64("memory grew", pages_after, pages_before + GROW_PAGES);

	/* The new pages are memory like any other. */
	unsigned char *last = (unsigned char *)(pages_after * PAGE - 1);
	*last = 0x5a;
	check_u64("last byte of the new memory", *(volatile unsigned char *)last, 0x5a);

	size_t want_len = sizeof hello - 1 + req->name_len;
	check_u64("greeting_len", reply->greeting_len, want_len);
	check("greeting", reply->greeting_len == want_len && memcmp(greeting, hello, sizeof hello - 1) == 0 &&
				  memcmp(greeting + sizeof hello - 1, name, req->name_len) == 0);
	size_t touched = GREETING_CAP;
	for (size_t i = want_len; i < GREETING_CAP; i++)
		if ((unsigned char)greeting[i] != SENTINEL) {
			touched = i;
			break;
		}
	check_u64("greeting_tail", touched, GREETING_CAP);
	check("request_untouched", memcmp(req, req_copy, sizeof *req) == 0);

	/* Three bad requests: each must fail with its errno and change nothing. */
	static const struct {
		const char *what;
		int32_t errno_;
	} bads[] = {
		{"bad enum in the list", EINVAL},
		{"name above 4 GiB", EFAULT},
		{"misaligned favorite", EFAULT},
	};
	for (int b = 0; b < 3; b++) {
		memcpy(req, req_copy, sizeof *req);
		struct item bad_items[3];
		memcpy(bad_items, items, sizeof bad_items);
		struct owner bad_owner = *owner;
		switch (b) {
		case 0:
			bad_items[1].color = 7;
			req->items = bad_items;
			break;
		case 1:
			req->name = (const char *)((uintptr_t)1 << 40);
			break;
		case 2:
			bad_owner.favorite = (const struct item *)((uintptr_t)favorite + 4);
			req->owner = &bad_owner;
			break;
		}
		memset(reply, SENTINEL, sizeof *reply);
		reply->squares = squares;
		reply->squares_len = SQUARES;
		reply->greeting = greeting;
		reply->greeting_cap = GREETING_CAP;
		memcpy(reply_copy, reply, sizeof *reply);
		memset(squares, SENTINEL, SQUARES * sizeof *squares);
		size_t pages = __builtin_wasm_memory_size(0);
		rc = host_serve(req, reply);
		check_u64(bads[b].what, (uint64_t)(uint32_t)rc, (uint64_t)bads[b].errno_);
		int unchanged = memcmp(reply, reply_copy, sizeof *reply) == 0 && __builtin_wasm_memory_size(0) == pages;
		for (size_t i = 0; i < SQUARES; i++)
			unchanged = unchanged && squares[i] == 0xAAAAAAAAu;
		check("  and changed nothing", unchanged);
	}

	if (failures) {
		put("FAIL: ");
		put_u64((uint64_t)failures);
		put(" of ");
		put_u64((uint64_t)checks);
		put(" checks failed");
	} else {
		put("PASS: all ");
		put_u64((uint64_t)checks);
		put(" checks passed");
	}
	flush();
	return failures;
}
