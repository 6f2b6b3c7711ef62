/** Mangled input never crashes the compiler, and fmt is idempotent and meaning-preserving. */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { compileSources, formatDocument, parseDocument } from '../../rules/index.ts';

const valid = readFileSync(new URL('../fixtures/rules/full.sync', import.meta.url), 'utf8');

const mangled = fc.oneof(
  fc.tuple(fc.nat(valid.length), fc.nat(40)).map(([at, n]) => valid.slice(0, at) + valid.slice(at + n)),
  fc.tuple(fc.nat(valid.length), fc.string({ maxLength: 12 })).map(([at, s]) => valid.slice(0, at) + s + valid.slice(at)),
  fc.nat(valid.length).map((at) => valid.slice(0, at)),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

test('random bytes and truncated files give diagnostics, never a crash', (t) => {
  fc.assert(
    fc.property(mangled, (text) => {
      const r = compileSources(new Map([['fuzz.sync', text]]));
      for (const d of r.diagnostics) {
        if (!(d.line >= 1 && d.column >= 1 && /^IDS\d{4}$/.test(d.code))) return false;
        if (d.code === 'IDS0009') return false;
      }
      return true;
    }),
    { numRuns: 400 },
  );
  t.pass();
});

/** A comparable view of a compiled model: everything but the closures. */
function shape(text: string): string {
  const r = compileSources(new Map([['f.sync', text]]));
  return JSON.stringify(r.model, (k, v) => (typeof v === 'function' || k === 'source' ? undefined : v instanceof Map ? [...v] : v));
}

test('fmt is idempotent and parse(fmt(x)) compiles like x', (t) => {
  const variants = fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.nat(valid.length)).map(([at]) => valid.slice(0, valid.indexOf('\n', at) + 1) + '\n   // a comment\n' + valid.slice(valid.indexOf('\n', at) + 1)),
    fc.constant(valid.replace(/\n  /g, '\n\t\t ').replace(/ <- /g, '<-')),
  );
  fc.assert(
    fc.property(variants, (text) => {
      const doc = parseDocument('f.sync', text);
      if (doc.diagnostics.length) return true;
      const once = formatDocument(doc.value);
      const twice = formatDocument(parseDocument('f.sync', once).value);
      return once === twice && shape(once) === shape(text);
    }),
    { numRuns: 60 },
  );
  t.pass();
});
