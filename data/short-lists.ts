/**
 * Long lists of short strings in a connector object's hologram, written to
 * the store's files as one string: `{",": "100020,100021,…"}`.
 *
 * Why: `JSON.parse` makes every string value of ten characters or fewer an
 * internalized string, one lookup in V8's string table each. A department's
 * members are employee ids of six or seven characters: at 100,000 people
 * each delta read nine such connectors of 10,000 members, and 80,000 ids of
 * six characters took 7.1 ms to parse against 1.7 ms at eleven (twenty-ninth
 * session). One string split after parsing makes no such lookups.
 *
 * A hologram's values are scalars or lists of them, never records, so a
 * record there is this form. Only the lines as written change: objects in
 * memory, and the patches between versions (patch-lines.ts), hold lists.
 */

/** Lists shorter than this are written as they are. */
const MIN = 64;
/** Values longer than this are not internalized by `JSON.parse`: a list of them is written as it is. */
const SHORT = 10;
const SEP = ',';

/** `hologram` with each long list of short strings that hold no SEP as one string; the same object where there is none. */
export function packLists(hologram: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  let out: Record<string, unknown> | undefined;
  for (const k in hologram) {
    const v = hologram[k];
    if (!Array.isArray(v) || v.length < MIN || !v.every((x) => typeof x === 'string' && x.length <= SHORT && !x.includes(SEP))) continue;
    // A copy, the object being the one in memory too; without a prototype, as an attribute may be named __proto__.
    out ??= copyOf(hologram);
    out[k] = { [SEP]: v.join(SEP) };
  }
  return out ?? hologram;
}

/** An encoded connector op (op-codec.ts) with its hologram's lists packed: the record is the encoder's own, changed in place. */
export function packHologram(encoded: unknown): void {
  const record = Array.isArray(encoded) ? (encoded[3] as { hologram?: Record<string, unknown> } | null | undefined) : undefined;
  if (record?.hologram) record.hologram = packLists(record.hologram);
}

/** `hologram` as read from a line, each list `packLists` joined split again (in place: the record was just parsed). */
export function unpackLists(hologram: unknown): void {
  if (typeof hologram !== 'object' || hologram === null) return;
  const h = hologram as Record<string, unknown>;
  for (const k in h) {
    const v = h[k];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const joined = (v as Record<string, unknown>)[SEP];
    if (typeof joined === 'string') Object.defineProperty(h, k, { value: joined.split(SEP), enumerable: true, writable: true, configurable: true });
  }
}

function copyOf(hologram: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const k in hologram) out[k] = hologram[k];
  return out;
}
