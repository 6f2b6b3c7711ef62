/**
 * Entra provisioning's app-role functions. `appRoleAssignments` values are
 * JSON objects as the provisioning service passes them (with `displayName`
 * or `value`), or plain role names.
 */
import { fn, type FunctionDef } from './types.ts';
import { ExpressionError, isNull, toStr, type Value } from '../values.ts';

interface Assignment { value: string; display: string }

function assignments(v: Value): Assignment[] {
  const list = v === null ? [] : Array.isArray(v) ? (v as Value[]) : [v];
  return list.map((x) => {
    const text = toStr(x) ?? '';
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      o = undefined;
    }
    // Only a JSON object is an assignment record; anything else ("Admin", "123") is a role name.
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return { value: text, display: text };
    const r = o as Record<string, unknown>;
    const value = String(r['value'] ?? r['appRoleValue'] ?? r['displayName'] ?? '');
    return { value, display: String(r['displayName'] ?? r['display'] ?? value) };
  }).filter((a) => a.value !== '');
}

export const appRoleFunctions: FunctionDef[] = [
  // "Returns a single appRoleAssignment … If multiple app roles are assigned, the string returned might not be predictable": the first.
  fn('SingleAppRoleAssignment', 1, 1, ([v]) => {
    if (isNull(v ?? null)) return null;
    const a = assignments(v!);
    if (!a.length) throw new ExpressionError('SingleAppRoleAssignment: no app role assignment with a value');
    return a[0]!.value;
  }),
  // Roles for SCIM's complex "roles" attribute: one object per assignment.
  fn('AppRoleAssignmentsComplex', 1, 1, ([v]) => {
    if (isNull(v ?? null)) return null;
    return assignments(v!).map((a) => JSON.stringify({ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: a.display, value: a.value }));
  }),
];
