/* guest.c: the types of the committed guest.wasm (wasm32) and guest64.wasm
 * (wasm64), objects with DWARF for the tests and examples of package
 * dwarflayout. Rebuild from this directory with:
 *
 *   clang --target=wasm32 -g -c -O0 -fdebug-prefix-map=$PWD=. -o guest.wasm guest.c
 *   clang --target=wasm64 -g -c -O0 -fdebug-prefix-map=$PWD=. -o guest64.wasm guest.c
 */
#include <stdint.h>

struct point {
	int32_t x, y;
};

enum color { RED, GREEN, BLUE };

struct item {
	uint32_t id;
	uint8_t color;
	uint16_t count;
	double weight;
};

typedef struct {
	uint8_t kind;
	union {
		struct { float radius; } circle;
		struct { struct point min, max; } rect;
	} u;
} shape_t;

struct __attribute__((packed)) packed {
	uint8_t a;
	uint32_t b;
};

struct request {
	uint32_t version;
	const struct item *owner;
	const char *name;
	__SIZE_TYPE__ name_len;
	int16_t grid[2][3];
	shape_t shape;
	struct packed p;
	int64_t big __attribute__((aligned(16)));
	_Bool urgent;
};

struct request req;
shape_t shape;
enum color color;
