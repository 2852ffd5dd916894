/*
 * hello.h - the types a guestkit host decodes from this guest's linear memory.
 *
 * Target: wasm32 (ILP32, 4-byte pointers). Every size and offset below is
 * pinned with _Static_assert so that a layout change breaks the C build
 * instead of silently disagreeing with the host-side Go types.
 */
#ifndef GUESTKIT_HELLO_H
#define GUESTKIT_HELLO_H

#include <stddef.h>
#include <stdint.h>

/* enum color is stored in uint8_t fields. */
enum color { COLOR_RED = 0, COLOR_GREEN = 1, COLOR_BLUE = 2 };

/* Permission flags, stored in uint16_t fields; valid mask 0x7. */
#define PERM_READ 1u
#define PERM_WRITE 2u
#define PERM_EXEC 4u
#define PERM_MASK (PERM_READ | PERM_WRITE | PERM_EXEC)

/* Shape kinds (struct shape.kind). */
#define SHAPE_CIRCLE 0u
#define SHAPE_RECT 1u
#define SHAPE_EMPTY 2u

/* Size of the greeting buffer the guest hands to the host. */
#define GREETING_CAP 64u

/* Size of the motto buffer: too small for the host's motto, so the host
 * cuts it, on a UTF-8 boundary. */
#define MOTTO_CAP 16u

/* The motto the host writes into the motto buffer: "héllo wörld ✓✓✓". */
#define MOTTO "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93"

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

struct request {
	uint32_t version;
	const struct item *owner; /* pointer to one record */
	const char *name;         /* UTF-8 string (pointer, length) */
	uint32_t name_len;
	uint8_t color;  /* enum color */
	uint16_t perms; /* PERM_* flags */
	struct shape shape;
	const struct item *items; /* list of records (pointer, length) */
	uint32_t items_len;
	_Bool urgent;
};

struct reply {
	uint32_t status;        /* 0 = ok */
	uint8_t color_echo;     /* the request's color */
	uint16_t perms_granted; /* request perms & (PERM_READ|PERM_WRITE) */
	uint64_t checksum;      /* FNV-1a 64 of the name bytes */
	double total_weight;    /* sum over items of count*weight */
	uint32_t items_seen;    /* items_len */
	char *greeting;         /* buffer provided by the guest */
	uint32_t greeting_cap;  /* its capacity (GREETING_CAP) */
	uint32_t greeting_len;  /* bytes of "hello, <name>" the host wrote */
};

/* One record of the replies: the host allocates it and its name in the
 * guest, through the guest's exported malloc. */
struct record {
	const char *name; /* UTF-8, allocated by the host */
	uint32_t name_len;
	uint32_t value;
};

/* The replies to a request whose sizes the host decides: message and
 * records (with every record's name) are allocated by the host through the
 * guest's malloc and belong to the guest afterwards; motto is the guest's
 * own buffer of motto_cap bytes, which the host fills with as much of its
 * motto as fits without splitting a UTF-8 sequence. */
struct replies {
	char *message; /* "hello, <name>: <n> items" */
	uint32_t message_len;
	struct record *records; /* one per request item */
	uint32_t records_len;
	char *motto;        /* the guest's buffer */
	uint32_t motto_cap; /* its capacity (MOTTO_CAP) */
	uint32_t motto_len; /* bytes of MOTTO the host wrote */
};

/* wasm32 pointers are 4 bytes. */
_Static_assert(sizeof(void *) == 4, "wasm32 pointers");
_Static_assert(sizeof(_Bool) == 1, "_Bool size");

/* struct point: 8/4 */
_Static_assert(sizeof(struct point) == 8, "point size");
_Static_assert(_Alignof(struct point) == 4, "point align");
_Static_assert(offsetof(struct point, x) == 0, "point.x");
_Static_assert(offsetof(struct point, y) == 4, "point.y");

/* struct item: 16/8 */
_Static_assert(sizeof(struct item) == 16, "item size");
_Static_assert(_Alignof(struct item) == 8, "item align");
_Static_assert(offsetof(struct item, id) == 0, "item.id");
_Static_assert(offsetof(struct item, color) == 4, "item.color");
_Static_assert(offsetof(struct item, count) == 6, "item.count");
_Static_assert(offsetof(struct item, weight) == 8, "item.weight");

/* struct shape: 20/4 */
_Static_assert(sizeof(struct shape) == 20, "shape size");
_Static_assert(_Alignof(struct shape) == 4, "shape align");
_Static_assert(offsetof(struct shape, kind) == 0, "shape.kind");
_Static_assert(offsetof(struct shape, u) == 4, "shape.u");
_Static_assert(sizeof(((struct shape *)0)->u) == 16, "shape.u size");
_Static_assert(offsetof(struct shape, u.circle.radius) == 4, "shape.u.circle.radius");
_Static_assert(offsetof(struct shape, u.rect.min) == 4, "shape.u.rect.min");
_Static_assert(offsetof(struct shape, u.rect.max) == 12, "shape.u.rect.max");

/* struct request: 52/4 */
_Static_assert(sizeof(struct request) == 52, "request size");
_Static_assert(_Alignof(struct request) == 4, "request align");
_Static_assert(offsetof(struct request, version) == 0, "request.version");
_Static_assert(offsetof(struct request, owner) == 4, "request.owner");
_Static_assert(offsetof(struct request, name) == 8, "request.name");
_Static_assert(offsetof(struct request, name_len) == 12, "request.name_len");
_Static_assert(offsetof(struct request, color) == 16, "request.color");
_Static_assert(offsetof(struct request, perms) == 18, "request.perms");
_Static_assert(offsetof(struct request, shape) == 20, "request.shape");
_Static_assert(offsetof(struct request, items) == 40, "request.items");
_Static_assert(offsetof(struct request, items_len) == 44, "request.items_len");
_Static_assert(offsetof(struct request, urgent) == 48, "request.urgent");

/* struct reply: 40/8 */
_Static_assert(sizeof(struct reply) == 40, "reply size");
_Static_assert(_Alignof(struct reply) == 8, "reply align");
_Static_assert(offsetof(struct reply, status) == 0, "reply.status");
_Static_assert(offsetof(struct reply, color_echo) == 4, "reply.color_echo");
_Static_assert(offsetof(struct reply, perms_granted) == 6, "reply.perms_granted");
_Static_assert(offsetof(struct reply, checksum) == 8, "reply.checksum");
_Static_assert(offsetof(struct reply, total_weight) == 16, "reply.total_weight");
_Static_assert(offsetof(struct reply, items_seen) == 24, "reply.items_seen");
_Static_assert(offsetof(struct reply, greeting) == 28, "reply.greeting");
_Static_assert(offsetof(struct reply, greeting_cap) == 32, "reply.greeting_cap");
_Static_assert(offsetof(struct reply, greeting_len) == 36, "reply.greeting_len");

/* struct record: 12/4 */
_Static_assert(sizeof(struct record) == 12, "record size");
_Static_assert(_Alignof(struct record) == 4, "record align");
_Static_assert(offsetof(struct record, name) == 0, "record.name");
_Static_assert(offsetof(struct record, name_len) == 4, "record.name_len");
_Static_assert(offsetof(struct record, value) == 8, "record.value");

/* struct replies: 28/4 */
_Static_assert(sizeof(struct replies) == 28, "replies size");
_Static_assert(_Alignof(struct replies) == 4, "replies align");
_Static_assert(offsetof(struct replies, message) == 0, "replies.message");
_Static_assert(offsetof(struct replies, message_len) == 4, "replies.message_len");
_Static_assert(offsetof(struct replies, records) == 8, "replies.records");
_Static_assert(offsetof(struct replies, records_len) == 12, "replies.records_len");
_Static_assert(offsetof(struct replies, motto) == 16, "replies.motto");
_Static_assert(offsetof(struct replies, motto_cap) == 20, "replies.motto_cap");
_Static_assert(offsetof(struct replies, motto_len) == 24, "replies.motto_len");

/*
 * host_hello is implemented by the host in module "guestkit". It reads *req
 * and fills *out (all fields except greeting and greeting_cap, which are the
 * guest's inputs). It returns 0 on success.
 */
__attribute__((import_module("guestkit"), import_name("hello"))) int32_t
host_hello(const struct request *req, struct reply *out);

/*
 * host_replies is implemented by the host in module "guestkit". It reads
 * *req and fills *out: message and records it allocates in this guest by
 * calling the guest's exported malloc (so the guest frees them), and the
 * motto into the guest's buffer. It returns 0 on success.
 */
__attribute__((import_module("guestkit"), import_name("replies"))) int32_t
host_replies(const struct request *req, struct replies *out);

#endif /* GUESTKIT_HELLO_H */
