/** Multi-values (group members) are staged as the values added and removed, not the whole list: by an import, and by an export awaiting confirmation. */
import test from 'ava';
import { MemoryStore } from '../../data/store-state.ts';
import type { CsObject } from '../../data/objects.ts';
import type { ManagementAgent } from '../../management-agents/index.ts';
import { applyResult } from '../../engine/export/apply-result.ts';
import { toRequests } from '../../engine/export/build-request.ts';
import { escrowView } from '../../engine/sync/export-flow.ts';
import { applyPendingImport, stageObject } from '../../engine/import/stage-object.ts';
import { StepRecorder } from '../../engine/run/step-record.ts';

const now = new Date('2026-01-05T08:00:00Z');
const group: CsObject = {
  id: 'g', agent: 'ad', anchor: 'G1', dn: 'CN=Staff,DC=corp', objectType: 'group', state: 'connector', mvId: 'm-g', hologram: { member: ['a', 'b', 'c'] }, pendingImport: null,
  pendingExport: { op: 'update', changes: { member: { op: 'values', add: ['d'], remove: ['a'] } }, referenceAttrs: ['member'] }, unconfirmed: null,
  exportError: null, importError: null, syncError: null, provisionedBy: null, deprovision: null, applied: [], importDigest: null,
};

async function exported(store: MemoryStore, cs: CsObject): Promise<CsObject> {
  const tx = store.begin();
  tx.putCs(cs);
  const req = toRequests(cs, false).first!;
  await applyResult({} as ManagementAgent, store.cs('ad'), tx, new StepRecorder('ad', 'export', null, now), { id: cs.id, ok: true }, req, now);
  await tx.commit();
  return store.cs('ad').get(cs.id)!;
}

test('an exported member add and remove await confirmation as themselves, and merge with the next ones', async (t) => {
  const store = new MemoryStore();
  const once = await exported(store, group);
  t.deepEqual(once.unconfirmed, { member: { op: 'values', add: ['d'], remove: ['a'] } }, 'not the whole member list');
  t.deepEqual(escrowView(once)['member'], ['b', 'c', 'd'], 'what the target holds once it lands');
  // Another export before any import: the later change of a value decides.
  const twice = await exported(store, { ...once, pendingExport: { op: 'update', changes: { member: { op: 'values', add: ['e', 'a'], remove: ['d'] } }, referenceAttrs: ['member'] } });
  t.deepEqual(twice.unconfirmed, { member: { op: 'values', add: ['e', 'a'], remove: ['d'] } });
  t.deepEqual(escrowView(twice)['member'], ['a', 'b', 'c', 'e']);
  // Re-sent, until an import confirms it, as the whole list it makes.
  t.deepEqual(toRequests({ ...twice, pendingExport: null }, false).first!.changes['member'], { op: 'replace', value: ['a', 'b', 'c', 'e'] });
});

test('an import confirms the values awaited when it shows every value added and none removed, whatever else the group holds', (t) => {
  const awaiting: CsObject = { ...group, pendingExport: null, unconfirmed: { member: { op: 'values', add: ['d'], remove: ['a'] } } };
  const imported = (member: string[]) => stageObject('ad', awaiting, { anchor: 'G1', dn: group.dn, objectType: 'group', attrs: { member } });
  const ok = imported(['b', 'c', 'd', 'added-by-someone-else']);
  t.deepEqual(ok.notConfirmed, []);
  t.is(ok.object.unconfirmed, null);
  t.deepEqual(imported(['a', 'b', 'c', 'd']).notConfirmed, ['member'], 'a removed member still there');
  t.deepEqual(imported(['b', 'c']).notConfirmed, ['member'], 'an added member missing');
});

test('an import stages a multi-value that stays one as the values added and removed, and applying them gives what was imported', (t) => {
  const synced: CsObject = { ...group, pendingExport: null, hologram: { member: ['a', 'b', 'c'], description: 'D1', owner: ['x', 'y'] } };
  const staged = stageObject('ad', synced, { anchor: 'G1', dn: group.dn, objectType: 'group', attrs: { member: ['b', 'c', 'd', 'e'], description: 'D2', owner: 'x' } }).object;
  t.deepEqual(staged.pendingImport!.delta, {
    member: { op: 'values', add: ['d', 'e'], remove: ['a'] },
    description: 'D2', // single values whole
    owner: 'x', // a multi-value that became one value: whole
  });
  const { hologram } = applyPendingImport(staged);
  t.deepEqual(hologram, { member: ['b', 'c', 'd', 'e'], description: 'D2', owner: 'x' });
  // A value given twice is added as often as it is new, not at all when the list held it; values compare by their text.
  const twice = stageObject('ad', synced, { anchor: 'G1', dn: group.dn, objectType: 'group', attrs: { member: ['b', 'b', 'd', 'c', 'd'], description: 'D1', owner: ['x', 'y'] } }).object;
  t.deepEqual(twice.pendingImport!.delta, { member: { op: 'values', add: ['d', 'd'], remove: ['a'] } });
  const numbers: CsObject = { ...synced, hologram: { ...synced.hologram, member: [1, 2, 3] } };
  t.deepEqual(stageObject('ad', numbers, { anchor: 'G1', dn: group.dn, objectType: 'group', attrs: { member: ['1', '2', '4'], description: 'D1', owner: ['x', 'y'] } }).object.pendingImport!.delta, { member: { op: 'values', add: ['4'], remove: [3] } });
});

test('a whole value still awaited stays whole: a value-level change on top of it gives the whole list it makes', async (t) => {
  const store = new MemoryStore();
  const after = await exported(store, { ...group, hologram: { member: ['a'] }, unconfirmed: { member: ['a', 'b'] }, pendingExport: { op: 'update', changes: { member: { op: 'values', add: ['c'], remove: [] } }, referenceAttrs: ['member'] } });
  t.deepEqual(after.unconfirmed, { member: ['a', 'b', 'c'] });
});

test('confirming compares values as strings, and many values awaited as a few are', (t) => {
  const awaiting = (add: string[], remove: string[]): CsObject => ({ ...group, pendingExport: null, unconfirmed: { member: { op: 'values', add, remove } } });
  const imported = (o: CsObject, member: (string | number)[]) => stageObject('ad', o, { anchor: 'G1', dn: group.dn, objectType: 'group', attrs: { member } }).notConfirmed;
  t.deepEqual(imported(awaiting(['7'], ['1']), ['b', 7]), [], 'a number shows the string it spells');
  t.deepEqual(imported(awaiting(['7'], ['1']), ['b', 7, 1]), ['member'], 'a removed number still there');
  const many = Array.from({ length: 40 }, (_, i) => `m${i}`);
  t.deepEqual(imported(awaiting(many, ['x']), [...many, 'y']), []);
  t.deepEqual(imported(awaiting(many, ['x']), [...many.slice(1), 'y']), ['member'], 'one of many added is missing');
  t.deepEqual(imported(awaiting(many, ['x']), [...many, 'x']), ['member'], 'the removed one is still there');
});
