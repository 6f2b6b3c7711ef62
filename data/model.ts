/**
 * Plain types shared by every layer: attribute values, connector-space and
 * metaverse objects. JSON-safe, so the store can persist them as they are.
 */

export type Scalar = string | number | boolean;
/** A single value, or several for a multi-valued attribute. */
export type AttrValue = Scalar | Scalar[];
export type Attributes = Record<string, AttrValue>;

/** Where a rule came from, for lineage and diagnostics. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type ConnectionState =
  | 'connector'
  | 'explicit-connector'
  | 'disconnector'
  | 'explicit-disconnector'
  | 'filtered-disconnector'
  | 'placeholder';

export type StepType = 'full-import' | 'delta-import' | 'full-sync' | 'delta-sync' | 'export';
export const combinedStepTypes: Record<string, readonly StepType[]> = {
  'full-import-full-sync': ['full-import', 'full-sync'],
  'full-import-delta-sync': ['full-import', 'delta-sync'],
  'delta-import-delta-sync': ['delta-import', 'delta-sync'],
};
export const stepTypes: readonly StepType[] = ['full-import', 'delta-import', 'full-sync', 'delta-sync', 'export'];

/** Case-insensitive-equal values compare equal for merge-case-insensitive. */
/**
 * Equality of attribute values as the connected systems see them: scalars by
 * their text (a flow's "true" equals an imported true), multi-values as sets.
 */
export function valuesEqual(a: AttrValue | null | undefined, b: AttrValue | null | undefined): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : [a];
    const y = Array.isArray(b) ? b : [b];
    if (x.length !== y.length) return false;
    // Most lists compared are the same values in the same order: no set of 10,000 members for those.
    let i = 0;
    while (i < x.length && x[i] === y[i]) i++;
    if (i === x.length) return true;
    const seen = new Set<string>(x.map(String));
    return y.every((v) => seen.has(String(v)));
  }
  return String(a) === String(b);
}

export function asArray(v: AttrValue | null | undefined): Scalar[] {
  return v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
}
