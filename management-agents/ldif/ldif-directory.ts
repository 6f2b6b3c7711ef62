/**
 * The LDIF file as a directory held in memory between batches: parsed once,
 * indexed by DN and anchor, re-read only when the file changed behind our
 * back, and written with only the changed entries serialised again.
 */
import { rename, stat, writeFile, readFile } from 'node:fs/promises';
import { asArray } from '../../data/model.ts';
import { contentRecord, parseLdif, type LdifEntry, type LdifSyntaxError } from './ldif-format.ts';

interface Slot { entry: LdifEntry; text: string | null }

export class LdifDirectory {
  private slots: (Slot | null)[] = [];
  private byDn = new Map<string, number>();
  private byAnchor = new Map<string, number>();
  private stamp = '';
  /** attribute (lower case) → value (lower case) → how many entries hold it; built on first use. */
  private values = new Map<string, Map<string, number>>();
  errors: LdifSyntaxError[] = [];

  constructor(private readonly path: string, private readonly anchorOf: (e: LdifEntry) => string) {}

  private async currentStamp(): Promise<string> {
    const s = await stat(this.path).catch(() => null);
    return s ? `${s.size}:${s.mtimeMs}` : 'none';
  }

  private checkedAt = 0;

  /**
   * Loads or re-validates the file. `lookup` calls (findObject, isValueInUse,
   * one per provisioned object) re-check the file at most once a second.
   */
  async load(lookup = false): Promise<void> {
    if (lookup && this.stamp && Date.now() - this.checkedAt < 1000) return;
    this.checkedAt = Date.now();
    const stamp = await this.currentStamp();
    if (stamp === this.stamp) return;
    const text = stamp === 'none' ? '' : await readFile(this.path, 'utf8');
    const { entries, errors } = parseLdif(text);
    this.errors = errors;
    this.slots = [];
    this.byDn.clear();
    this.byAnchor.clear();
    this.values.clear();
    for (const e of entries) this.put(e, null);
    this.stamp = stamp;
  }

  entries(): LdifEntry[] {
    return this.slots.flatMap((s) => (s ? [s.entry] : []));
  }

  find(q: { dn?: string | undefined; anchor?: string | null | undefined }): LdifEntry | undefined {
    const i = q.anchor ? this.byAnchor.get(q.anchor) : q.dn ? this.byDn.get(q.dn.toLowerCase()) : undefined;
    return i === undefined ? undefined : this.slots[i]?.entry;
  }

  /** Whether any entry holds `value` in `attribute` (case-insensitive). */
  hasValue(attribute: string, value: string): boolean {
    const a = attribute.toLowerCase();
    let index = this.values.get(a);
    if (!index) {
      index = new Map();
      this.values.set(a, index);
      for (const s of this.slots) if (s) this.count(index, s.entry, a, 1);
    }
    return (index.get(value.toLowerCase()) ?? 0) > 0;
  }

  private count(index: Map<string, number>, e: LdifEntry, attribute: string, by: number): void {
    for (const [k, v] of Object.entries(e.attrs)) {
      if (k.toLowerCase() !== attribute) continue;
      for (const x of asArray(v)) { const key = String(x).toLowerCase(); index.set(key, (index.get(key) ?? 0) + by); }
    }
  }

  private reindex(e: LdifEntry | undefined, by: number): void {
    if (e) for (const [a, index] of this.values) this.count(index, e, a, by);
  }

  put(e: LdifEntry, previousDn: string | null): void {
    const at = previousDn !== null ? this.byDn.get(previousDn.toLowerCase()) : undefined;
    if (at !== undefined) this.reindex(this.slots[at]?.entry, -1);
    this.reindex(e, 1);
    if (at !== undefined && previousDn !== null) this.byDn.delete(previousDn.toLowerCase());
    const i = at ?? this.slots.length;
    this.slots[i] = { entry: e, text: null };
    this.byDn.set(e.dn.toLowerCase(), i);
    const anchor = this.anchorOf(e);
    if (anchor) this.byAnchor.set(anchor, i);
  }

  remove(dn: string): void {
    const i = this.byDn.get(dn.toLowerCase());
    if (i === undefined) return;
    const e = this.slots[i]!.entry;
    this.reindex(e, -1);
    this.byAnchor.delete(this.anchorOf(e));
    this.byDn.delete(dn.toLowerCase());
    this.slots[i] = null;
  }

  /** Writes the file atomically (temp file and rename); unchanged entries reuse their text. */
  async save(): Promise<void> {
    const parts: string[] = ['version: 1\n'];
    for (const s of this.slots) {
      if (!s) continue;
      s.text ??= contentRecord(s.entry.dn, s.entry.attrs);
      parts.push(s.text);
    }
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, parts.join('\n'));
    await rename(tmp, this.path);
    this.stamp = await this.currentStamp();
  }
}

export const firstValue = (v: unknown) => (v === undefined ? '' : String(asArray(v as never)[0]));
