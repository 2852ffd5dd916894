// Reference host for the canonical ABI differential test (see
// ../../differential_test.go). Input: a JSON file naming a core module in
// WAT, a WIT world, a string encoding and the number of cases. For each
// case i the core module exports get<i> (returns a pointer to a value that
// guestkit lowered into its memory) and echo<i> (returns its argument
// pointer, after recording it in slot i). This script wraps the module as
// a component with jco (componentEmbed, componentNew), transpiles it, and
// for each case lifts get<i>() with jco's lifting, prints it as JSON, and
// passes it to echo<i>, so that jco lowers it into guest memory. It then
// writes the guest memory to a file for guestkit to lift.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, componentEmbed, componentNew, transpile } from '@bytecodealliance/jco';

const [, , specPath, outDir] = process.argv;
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const core = await parse(spec.wat);
const embedded = await componentEmbed({ binary: core, witSource: spec.wit, stringEncoding: spec.encoding, world: 'diff' });
const component = await componentNew(embedded, []);
if (process.argv[4] === 'component-only') {
  // Only wrap the module (for the wasmtime reference host).
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'component.wasm'), component);
  process.exit(0);
}
const { files } = await transpile(component, { name: 'diff', instantiation: { tag: 'async' }, noTypescript: true, validLiftingOptimization: false });
mkdirSync(outDir, { recursive: true });
for (const [name, data] of Object.entries(files)) {
  mkdirSync(join(outDir, name, '..'), { recursive: true });
  writeFileSync(join(outDir, name), data);
}
const mod = await import(pathToFileURL(join(outDir, 'diff.js')).href);
let memory;
const instance = await mod.instantiate(
  (name) => WebAssembly.compile(readFileSync(join(outDir, name))),
  {},
  async (m, imports) => {
    const inst = await WebAssembly.instantiate(m, imports);
    if (inst.exports.memory) memory = inst.exports.memory;
    return inst;
  },
);
const api = instance.api;

function encode(v) {
  if (typeof v === 'bigint') return { big: v.toString() };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { num: 'NaN' };
    if (!Number.isFinite(v)) return { num: v > 0 ? 'Inf' : '-Inf' };
    if (Object.is(v, -0)) return { num: '-0' };
    return v;
  }
  if (v === undefined) return { undef: true };
  if (ArrayBuffer.isView(v)) return Array.from(v, encode);
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = encode(v[k]);
    return o;
  }
  return v;
}

const lifted = [];
const errors = [];
for (let i = 0; i < spec.cases; i++) {
  try {
    const v = api[`get${i}`]();
    lifted.push(encode(v));
    api[`echo${i}`](v[0], v[1]);
    errors.push('');
  } catch (e) {
    lifted.push(null);
    errors.push(String(e && e.stack || e));
  }
}
writeFileSync(join(outDir, 'memory.bin'), new Uint8Array(memory.buffer));
writeFileSync(join(outDir, 'lifted.json'), JSON.stringify({ lifted, errors }));
