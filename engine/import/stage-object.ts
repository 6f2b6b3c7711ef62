/**
 * Staging one imported object: the attribute-level delta against the
 * synchronized hologram, and export confirmation.
 */
import { hash, randomUUID } from 'node:crypto';
import type { AttrValue, Attributes, Scalar } from '../../data/model.ts';
import { asArray, valuesEqual } from '../../data/model.ts';
import { isValueChanges, landed, type CsObject, type PendingImport, type StagedValue, type ValueChanges } from '../../data/objects.ts';
import type { ImportedObject } from '../../management-agents/index.ts';
import { valueChanges } from './value-changes.ts';
import { heldAmong } from '../../data/list-places.ts';

export function newCsObject(agent: string, fields: Partial<CsObject> & Pick<CsObject, 'dn' | 'objectType'>): CsObject {
  return {
    id: randomUUID(), agent, anchor: null, state: 'disconnector', mvId: null, hologram: {}, pendingImport: null, pendingExport: null,
    unconfirmed: null, exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
    ...fields,
  };
}

/**
 * An imported object as one short string: equal digests mean an equal DN,
 * type and attributes, in the same order. Change detection, not security.
 */
export const importDigest = (o: ImportedObject): string => hash('sha1', JSON.stringify([o.dn, o.objectType, o.attrs]), 'base64');

/** What changed from `before` to `after`: whole values, or for a multi-value that stays one the values added and removed. */
export function diff(before: Attributes, after: Attributes): Record<string, StagedValue> {
  const delta: Record<string, StagedValue> = {};
  for (const [k, v] of Object.entries(after)) {
    const old = before[k];
    if (valuesEqual(old, v)) continue;
    delta[k] = Array.isArray(old) && Array.isArray(v) ? valueChanges(old, v) : v;
  }
  for (const k of Object.keys(before)) if (!(k in after)) delta[k] = null;
  return delta;
}

export interface Staged {
  readonly object: CsObject;
  readonly counter: 'stage-add' | 'stage-update' | 'stage-rename' | 'stage-delete-add' | 'stage-no-change';
  /** Exported values the import showed differently ("exported-change-not-reimported"). */
  readonly notConfirmed: string[];
}

/** Whether an imported value holds every value added and none removed. */
function shows(seen: AttrValue | null, v: ValueChanges): boolean {
  const list = asArray(seen);
  // A few strings, in a list of strings: looked for natively, as their texts are themselves.
  const held = heldAmong(list, [...v.add, ...v.remove]);
  if (held) return v.add.every((x) => held.has(x as string)) && v.remove.every((x) => !held.has(x as string));
  // The few values changed are looked for in the list, not the list's 10,000 values put in a set.
  const wanted = new Set(v.add.map(String));
  const unwanted = new Set(v.remove.map(String));
  for (const x of list) {
    const s = String(x);
    if (unwanted.has(s)) return false;
    wanted.delete(s);
  }
  return wanted.size === 0;
}

/** Confirms or drops unconfirmed exports: the import either shows the value, or says otherwise. */
function confirm(existing: CsObject, imported: ImportedObject): { unconfirmed: CsObject['unconfirmed']; notConfirmed: string[] } {
  if (!existing.unconfirmed) return { unconfirmed: null, notConfirmed: [] };
  const notConfirmed: string[] = [];
  for (const [k, v] of Object.entries(existing.unconfirmed)) {
    const seen = k === '$dn' ? imported.dn : (imported.attrs[k] ?? null);
    const ok = k === '$dn' ? String(v).toLowerCase() === imported.dn.toLowerCase() : isValueChanges(v) ? shows(seen, v) : valuesEqual(seen, v);
    if (!ok) notConfirmed.push(k);
  }
  return { unconfirmed: null, notConfirmed };
}

/** Whether every value of `inner` is one of `outer`. */
const within = (outer: readonly Scalar[], inner: readonly Scalar[]) => { const set = new Set(outer.map(String)); return inner.every((x) => set.has(String(x))); };

/**
 * Whether `delta` (and the rename, if any) is exactly what the confirmed
 * exports expected: values the import added and removed were all being
 * added and removed, and whole values were confirmed as they are. Then the
 * object as the engine saw it (hologram and unconfirmed) is unchanged.
 */
function onlyConfirms(unconfirmed: NonNullable<CsObject['unconfirmed']>, delta: Record<string, StagedValue>, renamed: boolean): boolean {
  if (renamed && unconfirmed['$dn'] === undefined) return false;
  for (const [k, v] of Object.entries(delta)) {
    const u = unconfirmed[k];
    if (u === undefined) return false;
    if (!isValueChanges(u)) continue;
    if (!isValueChanges(v) || !within(u.add, v.add) || !within(u.remove, v.remove)) return false;
  }
  return true;
}

export function stageObject(agent: string, existing: CsObject | undefined, imported: ImportedObject): Staged {
  if (!existing || existing.state === 'placeholder') {
    const pendingImport: PendingImport = { op: 'add', delta: { ...imported.attrs }, dn: imported.dn, objectType: imported.objectType };
    const base = existing ?? newCsObject(agent, { dn: imported.dn, objectType: imported.objectType });
    return {
      object: { ...base, anchor: imported.anchor, dn: imported.dn, objectType: imported.objectType, state: 'disconnector', pendingImport, importError: null },
      counter: 'stage-add',
      notConfirmed: [],
    };
  }
  const { unconfirmed, notConfirmed } = confirm(existing, imported);
  const common = { ...existing, anchor: imported.anchor, unconfirmed, importError: null };
  if (existing.objectType !== imported.objectType) {
    return {
      object: { ...common, pendingImport: { op: 'delete-add', delta: { ...imported.attrs }, dn: imported.dn, objectType: imported.objectType } },
      counter: 'stage-delete-add',
      notConfirmed,
    };
  }
  // Never synchronized yet: stays an add, with every attribute.
  if (existing.pendingImport?.op === 'add') {
    return { object: { ...common, pendingImport: { op: 'add', delta: { ...imported.attrs }, dn: imported.dn, objectType: imported.objectType } }, counter: 'stage-add', notConfirmed };
  }
  const delta = diff(existing.hologram, imported.attrs);
  const renamed = imported.dn !== existing.dn;
  if (!renamed && Object.keys(delta).length === 0) {
    return { object: { ...common, pendingImport: null }, counter: 'stage-no-change', notConfirmed };
  }
  const confirms = notConfirmed.length === 0 && existing.unconfirmed !== null && onlyConfirms(existing.unconfirmed, delta, renamed);
  return {
    object: { ...common, pendingImport: { op: 'update', delta, ...(renamed ? { dn: imported.dn } : {}), ...(confirms ? { confirms: true as const } : {}) } },
    counter: renamed ? 'stage-rename' : 'stage-update',
    notConfirmed,
  };
}

/** The hologram once the pending import is applied. */
export function applyPendingImport(cs: CsObject): { hologram: Attributes; dn: string; objectType: string } {
  const pi = cs.pendingImport;
  if (!pi) return { hologram: cs.hologram, dn: cs.dn, objectType: cs.objectType };
  if (pi.op === 'add' || pi.op === 'delete-add') {
    return { hologram: { ...(pi.delta as Attributes) }, dn: pi.dn ?? cs.dn, objectType: pi.objectType ?? cs.objectType };
  }
  const hologram: Attributes = { ...cs.hologram };
  for (const [k, v] of Object.entries(pi.delta)) {
    const next = landed(hologram[k], v);
    if (next === null) delete hologram[k];
    else hologram[k] = next;
  }
  return { hologram, dn: pi.dn ?? cs.dn, objectType: pi.objectType ?? cs.objectType };
}
