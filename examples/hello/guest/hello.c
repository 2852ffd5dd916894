/*
 * hello.c - a WASI command that sends a struct request to the host function
 * guestkit.hello and checks every field of the struct reply the host writes
 * back against values computed here.
 *
 * Output: one line per check on stdout ("ok NAME" or "FAIL NAME got X want
 * Y"), then a summary line. Exit status 0 only if every check passed.
 *
 * Rebuild the committed hello.wasm with `go generate ./examples/...`; the
 * exact compiler command is in examples/internal/guestbuild.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello.h"

#define SENTINEL 0xAA

static const struct item owner = {.id = 7, .color = COLOR_GREEN, .count = 1, .weight = 2.5};

static const struct item items[3] = {
	{.id = 1, .color = COLOR_RED, .count = 2, .weight = 0.5},
	{.id = 2, .color = COLOR_GREEN, .count = 3, .weight = 1.25},
	{.id = 3, .color = COLOR_BLUE, .count = 4, .weight = 2.0},
};

static const char name[] = "wasm guest";

static struct request req;
static struct request req_copy;
static struct reply reply;
static char greeting[GREETING_CAP];

static struct replies replies;
static char motto[MOTTO_CAP];

static int checks;
static int failures;

/* The allocator the host calls to allocate replies in this guest. */
static int mallocs;

__attribute__((export_name("malloc"))) void *guest_malloc(size_t n)
{
	mallocs++;
	return malloc(n);
}

__attribute__((export_name("free"))) void guest_free(void *p)
{
	free(p);
}

/* utf8_fit is the length of the longest prefix of s (n bytes) that fits in
 * cap bytes and does not end inside a UTF-8 sequence. */
static uint32_t utf8_fit(const char *s, uint32_t n, uint32_t cap)
{
	if (n <= cap)
		return n;
	uint32_t k = cap;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

static void check_u64(const char *what, uint64_t got, uint64_t want);
static void check_bool(const char *what, int good, const char *detail);

/* check_replies calls host_replies and checks every byte of what came back. */
static void check_replies(void)
{
	memset(&replies, SENTINEL, sizeof replies);
	memset(motto, SENTINEL, sizeof motto);
	replies.motto = motto;
	replies.motto_cap = MOTTO_CAP;
	mallocs = 0;

	char want_message[GREETING_CAP];
	int n = snprintf(want_message, sizeof want_message, "hello, %.*s: %u items", (int)req.name_len, name, (unsigned)req.items_len);
	static const char full_motto[] = MOTTO;
	uint32_t want_motto_len = utf8_fit(full_motto, sizeof full_motto - 1, MOTTO_CAP);

	int32_t rc = host_replies(&req, &replies);
	check_u64("replies", (uint64_t)(uint32_t)rc, 0);
	if (rc != 0)
		return;

	check_u64("message_len", replies.message_len, (uint64_t)n);
	check_bool("message", replies.message != NULL && replies.message_len == (uint32_t)n &&
	                          memcmp(replies.message, want_message, (size_t)n) == 0,
	           "message bytes differ");
	check_u64("records_len", replies.records_len, req.items_len);
	for (uint32_t i = 0; i < req.items_len && replies.records_len == req.items_len; i++) {
		char want_name[32], what[16];
		int k = snprintf(want_name, sizeof want_name, "item %u \xc3\x97 %u", (unsigned)items[i].id, (unsigned)items[i].count);
		const struct record *r = &replies.records[i];
		snprintf(what, sizeof what, "record_%u", (unsigned)i);
		check_bool(what, r->name != NULL && r->name_len == (uint32_t)k && memcmp(r->name, want_name, (size_t)k) == 0 &&
		                     r->value == (uint32_t)items[i].count * 100u + items[i].color,
		           "record differs");
	}
	/* message, the records array and one name per record: all allocated here. */
	check_u64("mallocs", (uint64_t)mallocs, 2 + (uint64_t)req.items_len);
	check_u64("motto_ptr", (uint64_t)(uintptr_t)replies.motto, (uint64_t)(uintptr_t)motto);
	check_u64("motto_cap", replies.motto_cap, MOTTO_CAP);
	check_u64("motto_len", replies.motto_len, want_motto_len);
	check_bool("motto", replies.motto_len == want_motto_len && memcmp(motto, full_motto, want_motto_len) == 0, "motto bytes differ");
	uint32_t touched = MOTTO_CAP;
	for (uint32_t i = want_motto_len; i < MOTTO_CAP; i++) {
		if ((unsigned char)motto[i] != SENTINEL) {
			touched = i;
			break;
		}
	}
	check_bool("motto_tail", touched == MOTTO_CAP, "the host wrote past motto_len");

	for (uint32_t i = 0; i < replies.records_len && replies.records_len == req.items_len; i++)
		free((void *)replies.records[i].name);
	free(replies.records);
	free(replies.message);
}

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

static void check_u64(const char *what, uint64_t got, uint64_t want)
{
	checks++;
	if (got == want) {
		printf("ok %s\n", what);
		return;
	}
	failures++;
	printf("FAIL %s got %" PRIu64 " want %" PRIu64 "\n", what, got, want);
}

static void check_f64(const char *what, double got, double want)
{
	checks++;
	if (got == want) {
		printf("ok %s\n", what);
		return;
	}
	failures++;
	printf("FAIL %s got %.17g want %.17g\n", what, got, want);
}

static void check_bool(const char *what, int good, const char *detail)
{
	checks++;
	if (good) {
		printf("ok %s\n", what);
		return;
	}
	failures++;
	printf("FAIL %s %s\n", what, detail);
}

int main(void)
{
	req.version = 1;
	req.owner = &owner;
	req.name = name;
	req.name_len = (uint32_t)strlen(name);
	req.color = COLOR_BLUE;
	req.perms = PERM_READ | PERM_EXEC;
	req.shape.kind = SHAPE_RECT;
	req.shape.u.rect.min = (struct point){-1, -2};
	req.shape.u.rect.max = (struct point){3, 4};
	req.items = items;
	req.items_len = sizeof items / sizeof items[0];
	req.urgent = 1;
	memcpy(&req_copy, &req, sizeof req);

	/* Sentinel bytes everywhere the host may write, then the guest's inputs. */
	memset(&reply, SENTINEL, sizeof reply);
	memset(greeting, SENTINEL, sizeof greeting);
	reply.greeting = greeting;
	reply.greeting_cap = GREETING_CAP;

	/* Values the host must produce, computed independently here. */
	uint64_t want_checksum = fnv1a64(name, req.name_len);
	double want_total = 0;
	for (uint32_t i = 0; i < req.items_len; i++)
		want_total += (double)items[i].count * items[i].weight;
	char want_greeting[GREETING_CAP];
	int n = snprintf(want_greeting, sizeof want_greeting, "hello, %.*s", (int)req.name_len, name);
	uint32_t want_greeting_len = (uint32_t)n;
	uint32_t want_perms = (PERM_READ | PERM_EXEC) & (PERM_READ | PERM_WRITE);
	uint32_t want_items_seen = sizeof items / sizeof items[0];

	int32_t rc = host_hello(&req, &reply);
	check_u64("host_hello", (uint64_t)(uint32_t)rc, 0);
	if (rc != 0) {
		printf("FAIL: host_hello returned %" PRId32 ", reply not checked\n", rc);
		return 1;
	}

	check_u64("status", reply.status, 0);
	check_u64("color_echo", reply.color_echo, COLOR_BLUE);
	check_u64("perms_granted", reply.perms_granted, want_perms);
	check_u64("checksum", reply.checksum, want_checksum);
	check_f64("total_weight", reply.total_weight, want_total);
	check_u64("items_seen", reply.items_seen, want_items_seen);
	check_u64("greeting_ptr", (uint64_t)(uintptr_t)reply.greeting, (uint64_t)(uintptr_t)greeting);
	check_u64("greeting_cap", reply.greeting_cap, GREETING_CAP);
	check_u64("greeting_len", reply.greeting_len, want_greeting_len);

	/* The greeting text itself (only when its length is plausible). */
	uint32_t glen = reply.greeting_len;
	if (glen <= GREETING_CAP && glen == want_greeting_len && memcmp(greeting, want_greeting, glen) == 0) {
		check_bool("greeting", 1, "");
	} else {
		char detail[2 * GREETING_CAP + 64];
		uint32_t shown = glen <= GREETING_CAP ? glen : GREETING_CAP;
		snprintf(detail, sizeof detail, "got \"%.*s\" want \"%s\"", (int)shown, greeting, want_greeting);
		check_bool("greeting", 0, detail);
	}

	/* The host must not write past greeting_len in the guest's buffer. */
	uint32_t from = glen <= GREETING_CAP ? glen : GREETING_CAP;
	uint32_t touched = GREETING_CAP;
	for (uint32_t i = from; i < GREETING_CAP; i++) {
		if ((unsigned char)greeting[i] != SENTINEL) {
			touched = i;
			break;
		}
	}
	{
		char detail[64];
		snprintf(detail, sizeof detail, "byte %" PRIu32 " was overwritten", touched);
		check_bool("greeting_tail", touched == GREETING_CAP, detail);
	}

	/* The host must treat the request as read-only. */
	check_bool("request_untouched", memcmp(&req, &req_copy, sizeof req) == 0, "request bytes changed");

	/* Replies the host allocates here. */
	check_replies();

	if (failures != 0) {
		printf("FAIL: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("PASS: all %d checks passed\n", checks);
	return 0;
}
