/*
 * mem64.h - the types a guestkit host decodes from this memory64 guest's
 * linear memory.
 *
 * Target: wasm64 (LP64: 8-byte pointers and size_t). Every size and offset
 * below is pinned with _Static_assert so that a layout change breaks the C
 * build instead of silently disagreeing with the host's Go types (types.go).
 */
#ifndef GUESTKIT_MEM64_H
#define GUESTKIT_MEM64_H

#include <stddef.h>
#include <stdint.h>

/* enum color is stored in uint8_t fields. */
enum color { COLOR_RED = 0, COLOR_GREEN = 1, COLOR_BLUE = 2 };

/* Shape kinds (struct shape.kind). */
#define SHAPE_CIRCLE 0u
#define SHAPE_RECT 1u
#define SHAPE_EMPTY 2u

struct point {
	int32_t x, y;
};

struct item {
	uint32_t id;
	uint8_t color; /* enum color */
	uint16_t count;
	double weight;
};

struct shape {
	uint8_t kind; /* SHAPE_CIRCLE, SHAPE_RECT or SHAPE_EMPTY */
	union {
		struct {
			float radius;
		} circle;
		struct {
			struct point min, max;
		} rect;
	} u;
};

/* The request's owner: a record reached through a pointer, which itself
 * holds a string and a pointer to a record. */
struct owner {
	const char *name; /* UTF-8 string (pointer, length) */
	size_t name_len;
	const struct item *favorite; /* pointer to one record */
	uint32_t level;
};

struct request {
	uint32_t version;
	const struct owner *owner; /* pointer to a record with pointers */
	const char *name;          /* UTF-8 string (pointer, length) */
	size_t name_len;
	struct shape shape;       /* tagged union */
	const struct item *items; /* list of records (pointer, length) */
	size_t items_len;
	_Bool urgent;
	uint32_t grow_pages; /* pages the host asks the guest to grow by */
};

struct reply {
	uint32_t status;     /* 0 = ok */
	uint8_t shape_kind;  /* the request's shape kind */
	uint64_t checksum;   /* FNV-1a 64 of the name bytes */
	double total_weight; /* sum over items of count*weight */
	size_t items_seen;   /* items_len */
	int64_t area;        /* of the rect; 0 for other shapes */
	uint32_t owner_level;
	uint32_t *squares; /* buffer provided by the guest: the host writes */
	size_t squares_len; /* squares[i] = i*i + owner's favorite id into it */
	size_t grown_from; /* memory pages before the guest grew (grow's result) */
	size_t grown_to;   /* memory pages after */
	char *greeting;    /* buffer provided by the guest */
	size_t greeting_cap;
	size_t greeting_len; /* bytes of "hello, <name>" the host wrote */
};

_Static_assert(sizeof(void *) == 8, "wasm64 pointers");
_Static_assert(sizeof(size_t) == 8, "wasm64 size_t");
_Static_assert(sizeof(_Bool) == 1, "_Bool size");

_Static_assert(sizeof(struct item) == 16 && _Alignof(struct item) == 8, "item");
_Static_assert(offsetof(struct item, color) == 4 && offsetof(struct item, count) == 6 && offsetof(struct item, weight) == 8, "item fields");

_Static_assert(sizeof(struct shape) == 20 && _Alignof(struct shape) == 4, "shape");
_Static_assert(offsetof(struct shape, u) == 4, "shape.u");

_Static_assert(sizeof(struct owner) == 32 && _Alignof(struct owner) == 8, "owner");
_Static_assert(offsetof(struct owner, name) == 0, "owner.name");
_Static_assert(offsetof(struct owner, name_len) == 8, "owner.name_len");
_Static_assert(offsetof(struct owner, favorite) == 16, "owner.favorite");
_Static_assert(offsetof(struct owner, level) == 24, "owner.level");

_Static_assert(sizeof(struct request) == 80 && _Alignof(struct request) == 8, "request");
_Static_assert(offsetof(struct request, owner) == 8, "request.owner");
_Static_assert(offsetof(struct request, name) == 16, "request.name");
_Static_assert(offsetof(struct request, name_len) == 24, "request.name_len");
_Static_assert(offsetof(struct request, shape) == 32, "request.shape");
_Static_assert(offsetof(struct request, items) == 56, "request.items");
_Static_assert(offsetof(struct request, items_len) == 64, "request.items_len");
_Static_assert(offsetof(struct request, urgent) == 72, "request.urgent");
_Static_assert(offsetof(struct request, grow_pages) == 76, "request.grow_pages");

_Static_assert(sizeof(struct reply) == 104 && _Alignof(struct reply) == 8, "reply");
_Static_assert(offsetof(struct reply, shape_kind) == 4, "reply.shape_kind");
_Static_assert(offsetof(struct reply, checksum) == 8, "reply.checksum");
_Static_assert(offsetof(struct reply, total_weight) == 16, "reply.total_weight");
_Static_assert(offsetof(struct reply, items_seen) == 24, "reply.items_seen");
_Static_assert(offsetof(struct reply, area) == 32, "reply.area");
_Static_assert(offsetof(struct reply, owner_level) == 40, "reply.owner_level");
_Static_assert(offsetof(struct reply, squares) == 48, "reply.squares");
_Static_assert(offsetof(struct reply, squares_len) == 56, "reply.squares_len");
_Static_assert(offsetof(struct reply, grown_from) == 64, "reply.grown_from");
_Static_assert(offsetof(struct reply, grown_to) == 72, "reply.grown_to");
_Static_assert(offsetof(struct reply, greeting) == 80, "reply.greeting");
_Static_assert(offsetof(struct reply, greeting_cap) == 88, "reply.greeting_cap");
_Static_assert(offsetof(struct reply, greeting_len) == 96, "reply.greeting_len");

/*
 * host_serve is implemented by the host in module "guestkit". It reads *req
 * (following every pointer), asks the guest to grow its memory by
 * req->grow_pages through the export "grow" while it holds a mutable view of
 * out->squares, fills the view after the growth, and fills *out (all fields
 * except squares, squares_len, greeting and greeting_cap, the guest's
 * inputs). It returns 0, or an errno and leaves memory unchanged.
 */
__attribute__((import_module("guestkit"), import_name("serve"))) int32_t
host_serve(const struct request *req, struct reply *out);

/* host_log prints the n bytes of UTF-8 at s as one line. */
__attribute__((import_module("guestkit"), import_name("log"))) void
host_log(const char *s, size_t n);

#endif /* GUESTKIT_MEM64_H */
