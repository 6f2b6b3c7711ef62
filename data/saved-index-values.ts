/**
 * The values the value indexes hold for an object, saved with its last
 * version in `journal.last` (journal-last.ts), so that opening gives them
 * back to the indexes without reading the object.
 *
 * Why: opening after a delta restores each object the journal changed. A
 * metaverse object was read from the journal and parsed for its join
 * indexes only, then dropped, and so was a connector object of a type a
 * value index covers (a directory's users, for unique account names): after
 * a 1% delta at 100,000 people, 1,000 of each at every open of the next
 * delta. The object is now read when a step asks for it.
 *
 * Saved per index as `[type, attribute, values or null]` (a metaverse
 * object's as `[its type, those triples]`, a connector's after its slot's
 * head and a tab, see journal-last.ts): null where the index's snapshot
 * table answers for the id (nothing indexed since), which opening then
 * leaves alone. Nothing is saved (the object is read, as before) where an
 * index holds a long list left to be made (a department group's members),
 * for an object gone, or for a version that is a patch. An index of the
 * object's type that the saved values do not name (one built after they
 * were saved) has the object read too: they are a cache, never the truth.
 */

/** What saving and restoring ask of a value index (value-index.ts). */
export interface SavedIndex {
  readonly type: string;
  readonly attribute: string;
  held(id: string): readonly string[] | null | undefined;
  restore(id: string, values: readonly string[]): void;
}

type Triple = readonly [type: string, attribute: string, values: readonly string[] | null];

/** What `indexes` hold for `id` (those of `type` only, if given); null where one holds its values unmade. */
export function savedTriples(id: string, indexes: Iterable<SavedIndex>, type?: string): Triple[] | null {
  const triples: Triple[] = [];
  for (const index of indexes) {
    if (type !== undefined && index.type !== type) continue;
    const held = index.held(id);
    if (held === undefined) return null;
    triples.push([index.type, index.attribute, held]);
  }
  return triples;
}

const isTriple = (p: unknown): p is Triple =>
  Array.isArray(p) && p.length === 3 && typeof p[0] === 'string' && typeof p[1] === 'string' && (p[2] === null || (Array.isArray(p[2]) && p[2].every((v: unknown) => typeof v === 'string')));

/** A saved text parsed; undefined where it is not JSON (an older file's '' included). */
export function parsedText(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives the indexes of `type` the values saved for `id` (`triples`, as
 * parsed), as indexing its last version would: false (nothing changed)
 * where they do not cover every one of them. An index of another type is
 * left alone: the object never held a value there.
 */
export function restoreSaved(id: string, type: string, triples: unknown, indexes: Iterable<SavedIndex>): boolean {
  if (!Array.isArray(triples) || !triples.every(isTriple)) return false;
  const given: [SavedIndex, readonly string[] | null][] = [];
  for (const index of indexes) {
    if (index.type !== type) continue;
    const t = triples.find((x) => x[0] === type && x[1] === index.attribute);
    if (!t) return false;
    given.push([index, t[2]]);
  }
  for (const [index, values] of given) if (values) index.restore(id, values);
  return true;
}

/** A metaverse object's saved text: `[its type, what indexes of that type hold for it]`; '' where there is none to save. */
export function savedMvText(slot: { readonly id: string; readonly type: string } | undefined, indexes: Iterable<SavedIndex>): string {
  const triples = slot && savedTriples(slot.id, indexes, slot.type);
  return triples ? JSON.stringify([slot.type, triples]) : '';
}

/** Gives `indexes` a metaverse object's saved values (`savedMvText`): its type, or null where they do not do. */
export function restoreSavedMv(id: string, text: string, indexes: Iterable<SavedIndex>): string | null {
  const saved = parsedText(text);
  return Array.isArray(saved) && typeof saved[0] === 'string' && restoreSaved(id, saved[0], saved[1], indexes) ? saved[0] : null;
}

/**
 * The saved texts that say the indexes hold nothing for an object since their
 * base (each triple's values null): what most objects a delta changed save,
 * their indexed values unchanged since the last snapshot. Such a text is known
 * by comparing it whole, not parsed: opening after a 1% delta at 100,000
 * people restored its 1,000 metaverse objects in 5.5 ms rather than 11-17.
 * `byType`: a metaverse object's text, one per type (`savedMvText`), else a
 * connector's, which names every index (`savedTriples` without a type). Made
 * again whenever the indexes are not those they were made for.
 */
export class UnchangedTexts {
  #made: readonly SavedIndex[] = [];
  #types = new Map<string, string>();
  constructor(private readonly indexes: () => Iterable<SavedIndex>, private readonly byType: boolean) {}

  /** The type such a text names (a connector's: ''), for the indexes as they are now; undefined for any other text. */
  typeOf(text: string): string | undefined {
    if (!this.#current()) this.#make();
    return this.#types.get(text);
  }

  #current(): boolean {
    let i = 0;
    for (const index of this.indexes()) if (this.#made[i++] !== index) return false;
    return i === this.#made.length;
  }

  #make(): void {
    this.#made = [...this.indexes()];
    this.#types = new Map();
    const triples = (type?: string) => this.#made.filter((x) => type === undefined || x.type === type).map((x): Triple => [x.type, x.attribute, null]);
    if (!this.byType) this.#types.set(JSON.stringify(triples()), '');
    else for (const type of new Set(this.#made.map((x) => x.type))) this.#types.set(JSON.stringify([type, triples(type)]), type);
  }
}
