// An AssemblyScript guest that follows the Component Model canonical ABI
// with string-encoding=utf16 (AssemblyScript's own string form). Built by
// asc (see ../../asguest_test.go, TestASGuestMatchesSource):
//
//   shout: func(s: string) -> string          // upper case
//   count-chars: func(s: string) -> u32       // code points
//   join: func(xs: list<string>, sep: string) -> string

// cabi_realloc over the stub runtime's bump allocator.
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old != 0 && newSize <= oldSize) return old;
  const raw = heap.alloc(newSize + align);
  const p = (raw + align - 1) & ~(align - 1);
  if (old != 0) memory.copy(p, old, oldSize);
  return p;
}

const ret = memory.data(8);

function lower(s: string): usize {
  // A String's payload is UTF-16LE; the heap never frees in the stub
  // runtime, so the host may read it until the next call.
  store<u32>(ret, changetype<usize>(s));
  store<u32>(ret, <u32>s.length, 4);
  return ret;
}

function lift(ptr: usize, units: usize): string {
  return String.UTF16.decodeUnsafe(ptr, units << 1);
}

export function shout(ptr: usize, units: usize): usize {
  return lower(lift(ptr, units).toUpperCase());
}

export function count_chars(ptr: usize, units: usize): u32 {
  let n: u32 = 0;
  for (let i: usize = 0; i < units; i++) {
    const u = load<u16>(ptr + (i << 1));
    if (u < 0xdc00 || u > 0xdfff) n++;
  }
  return n;
}

export function join(xs: usize, n: usize, sep: usize, sepUnits: usize): usize {
  const parts = new Array<string>(<i32>n);
  for (let i: usize = 0; i < n; i++) {
    parts[<i32>i] = lift(load<u32>(xs + (i << 3)), load<u32>(xs + (i << 3), 4));
  }
  return lower(parts.join(lift(sep, sepUnits)));
}
