/**
 * Connector-space and metaverse objects as the store keeps them. Plain JSON.
 */
import type { AttrValue, Attributes, ConnectionState, Scalar } from './model.ts';
import { asArray } from './model.ts';
import { FEW, placesOf, withoutPlaces } from './list-places.ts';

/** A change to one attribute, as staged for import or export. */
export type AttrChange =
  | { readonly op: 'replace'; readonly value: AttrValue | null }
  /** Value-level changes of a multi-valued attribute (member adds and removes). */
  | { readonly op: 'values'; readonly add: readonly Scalar[]; readonly remove: readonly Scalar[] };

/**
 * A multi-value after removing and adding values: order kept, no value added
 * twice. A few are found natively (list-places.ts), more with Sets, as
 * groups run to 100k members.
 */
export function applyValues(current: AttrValue | null | undefined, add: readonly Scalar[], remove: readonly Scalar[]): Scalar[] {
  const all = asArray(current);
  const places = remove.length ? placesOf(all, remove) : [];
  const gone = places ? null : new Set(remove);
  const out = gone ? all.filter((v) => !gone.has(v)) : withoutPlaces(all, places!);
  if (!add.length) return out;
  if (add.length <= FEW) {
    for (const v of add) if (!out.includes(v)) out.push(v);
    return out;
  }
  // Which of the values added the list holds already: one pass over the list against them, not a set of
  // the whole list (two of 10,000 members each time a group's values were applied).
  const adding = new Set(add);
  for (let i = 0; i < out.length && adding.size; i++) adding.delete(out[i]!);
  for (const v of add) if (adding.delete(v)) out.push(v);
  return out;
}

/**
 * Values added to and removed from a multi-valued attribute, as a pending
 * import stages them and an unconfirmed export awaits them: not the whole
 * list, so that a 10,000-member group's object does not hold its member
 * list twice.
 */
export type ValueChanges = Extract<AttrChange, { op: 'values' }>;
/** One attribute as staged: a whole value (null: none), or values added and removed. */
export type StagedValue = AttrValue | null | ValueChanges;

export const isValueChanges = (u: StagedValue | undefined): u is ValueChanges => typeof u === 'object' && u !== null && !Array.isArray(u);

/** What the attribute holds once an unconfirmed export lands on `current`; null for no value. */
export function landed(current: AttrValue | null | undefined, u: StagedValue): AttrValue | null {
  if (!isValueChanges(u)) return u;
  const set = applyValues(current, u.add, u.remove);
  return set.length ? set : null;
}

/** `before` (values still awaited, if any) followed by `next`: a value's last change decides. */
export function mergeValueChanges(before: ValueChanges | undefined, next: ValueChanges): ValueChanges {
  const add = new Set(before?.add);
  const remove = new Set(before?.remove);
  for (const v of next.remove) { add.delete(v); remove.add(v); }
  for (const v of next.add) { remove.delete(v); add.add(v); }
  return { op: 'values', add: [...add], remove: [...remove] };
}

/** A copy of `attrs` with `changes` applied: what an object holds once they land. */
export function applyChanges(attrs: Attributes, changes: Readonly<Record<string, AttrChange>>): Attributes {
  const out: Attributes = { ...attrs };
  for (const [k, c] of Object.entries(changes)) {
    const next = c.op === 'replace' ? c.value : applyValues(out[k], c.add, c.remove);
    if (next === null || (c.op === 'values' && Array.isArray(next) && next.length === 0)) delete out[k];
    else out[k] = next;
  }
  return out;
}

export interface PendingImport {
  /** delete-add: the object type changed under the same anchor. */
  readonly op: 'add' | 'update' | 'delete' | 'delete-add';
  /** Attribute-level delta against the synchronized hologram: new value, or null when removed. */
  /** An update's changed attributes (multi-values as the values added and removed); an add's whole attributes. */
  readonly delta: Readonly<Record<string, StagedValue>>;
  readonly dn?: string;
  readonly objectType?: string;
  /** An update that only confirms exports: the object holds what the engine expected of it, so outbound flows have nothing to correct. */
  readonly confirms?: true;
}

export interface PendingExport {
  readonly op: 'add' | 'update' | 'delete';
  readonly changes: Readonly<Record<string, AttrChange>>;
  /** Attributes holding references, sent in a second pass when the agent asks for it. */
  readonly referenceAttrs?: readonly string[];
  /** Set when this export disables the object (counted against the deletion threshold). */
  readonly disable?: boolean;
  /**
   * References to objects this export run creates: attribute → metaverse ids,
   * resolved to the target's identifiers in the second pass, once they exist.
   */
  readonly deferred?: Readonly<Record<string, readonly string[]>>;
  /** A rename or move. */
  readonly newDn?: string;
}

export interface ExportErrorInfo {
  readonly message: string;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
}

export interface CsObject {
  readonly id: string;
  readonly agent: string;
  /** Null for an export object the connected system has not assigned an anchor yet. */
  readonly anchor: string | null;
  readonly dn: string;
  readonly objectType: string;
  readonly state: ConnectionState;
  readonly mvId: string | null;
  /** The synchronized hologram: imported values the last sync applied. */
  readonly hologram: Attributes;
  readonly pendingImport: PendingImport | null;
  readonly pendingExport: PendingExport | null;
  /** Exported values not yet seen by an import ("$dn" for a rename); re-sent until confirmed. */
  readonly unconfirmed: Readonly<Record<string, StagedValue>> | null;
  readonly exportError: ExportErrorInfo | null;
  readonly importError: { readonly message: string; readonly file?: string; readonly line?: number } | null;
  /** The last synchronization error on this object (an ambiguous join, a failing flow). */
  readonly syncError: string | null;
  /** The outbound rule that provisioned this object, if one did. */
  readonly provisionedBy: string | null;
  /** Deprovisioning in progress: disabled at `at`, to be deleted at `deleteAt`. */
  readonly deprovision: { readonly action: string; readonly at: string; readonly deleteAt: string | null } | null;
  /** Attributes already set once (apply-once flows). */
  readonly applied: readonly string[];
  /**
   * A digest of the object as the last full import delivered it (DN, type,
   * attributes); null after a partial import or when export discovery set
   * the hologram. While nothing is pending on the object, an import that
   * delivers the same digest is a no-change without reading the object.
   */
  readonly importDigest: string | null;
}

/**
 * Why a metaverse attribute has its value: the connector object and the rule
 * that gave it, and when it last changed. The rule's file:line and expression
 * are read from the compiled rules when an admin asks (`mv show --lineage`),
 * so the store does not repeat them for every attribute of every object.
 */
export interface Lineage {
  readonly agent: string;
  readonly csId: string;
  readonly rule: string;
  /** When the value last changed. */
  readonly at: string;
}

export interface MvObject {
  readonly id: string;
  readonly objectType: string;
  readonly attrs: Attributes;
  readonly lineage: Readonly<Record<string, Lineage>>;
  readonly connectors: readonly { readonly agent: string; readonly csId: string }[];
  readonly createdAt: string;
  /** Set while a deletion grace period runs. */
  readonly deleteAt: string | null;
}

export type ObjectCounters = Record<string, number>;

export interface StepError {
  readonly object: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

export type StepStatus =
  | 'success'
  | 'completed-errors'
  | 'stopped-deletion-threshold-exceeded'
  | 'stopped-error-limit'
  | 'stopped-empty-source'
  | 'stopped-server-down'
  | 'failed';

export interface RunRecord {
  readonly id: string;
  readonly agent: string;
  readonly step: string;
  readonly profile: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly status: StepStatus;
  readonly counters: ObjectCounters;
  readonly errors: readonly StepError[];
  readonly notes: readonly string[];
}
