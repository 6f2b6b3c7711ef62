/** The versions patch-kill-child.ts writes: each the one before less a member, with one appended. */
import type { CsObject, MvObject } from '../../data/objects.ts';
import { newCsObject } from '../../engine/import/stage-object.ts';

const lists: string[][] = [Array.from({ length: 2000 }, (_, i) => `CN=Member ${i},OU=People,DC=corp,DC=example,DC=com`)];

/** The member list of version `v`. */
export function membersAt(v: number): string[] {
  while (lists.length <= v) {
    const n = lists.length;
    const before = lists[n - 1]!;
    // One member removed and one appended: the list stays 2,000 long, so every version is a patch.
    lists.push([...before.filter((_, i) => i !== (n * 37) % before.length), `CN=New ${n},OU=People,DC=corp,DC=example,DC=com`]);
  }
  return lists[v]!;
}

export const groupAt = (v: number): CsObject => ({ ...newCsObject('dir', { dn: 'CN=G,DC=corp', objectType: 'group' }), id: 'g', anchor: 'G', hologram: { member: membersAt(v), description: `v${v}` } });
export const mvGroupAt = (v: number): MvObject => ({ id: 'm', objectType: 'group', attrs: { member: membersAt(v), code: `v${v}` }, lineage: {}, connectors: [], createdAt: 'x', deleteAt: null });
