/**
 * A scriptable connected system living in memory, for tests: seed objects,
 * change them behind the engine's back, inject failures and delays, and read
 * back every export request the agent received.
 */
import { randomUUID } from 'node:crypto';
import type { Attributes } from '../../data/model.ts';
import { applyChanges } from '../../data/objects.ts';
import type { AgentCapabilities, ExportRequest, ExportResult, ImportedObject } from '../management-agent.ts';

export interface Failure {
  /** Which requests fail; all when omitted. */
  readonly match?: (req: ExportRequest) => boolean;
  readonly message: string;
  readonly retryable: boolean;
  /** How many times it fires (default: every time). */
  times?: number;
}

export class MemorySystem {
  readonly objects = new Map<string, ImportedObject>();
  /** Every change with a sequence number, for delta import. */
  readonly changes: { seq: number; anchor: string; deleted: boolean }[] = [];
  readonly exportLog: ExportRequest[] = [];
  readonly failures: Failure[] = [];
  seq = 0;
  delayMs = 0;
  /** When set, every import and export throws as if the server were down. */
  down = false;
  capabilities: AgentCapabilities = { deltaImport: true, export: true, referencesInSecondPass: false, valueLevelMultiValue: true, rename: true };

  /** Adds or replaces an object, as a change made in the connected system. */
  put(obj: { anchor?: string; dn: string; objectType: string; attrs: Attributes }): ImportedObject {
    const o: ImportedObject = { anchor: obj.anchor ?? randomUUID(), dn: obj.dn, objectType: obj.objectType, attrs: { ...obj.attrs } };
    this.objects.set(o.anchor, o);
    this.changes.push({ seq: ++this.seq, anchor: o.anchor, deleted: false });
    return o;
  }

  remove(anchor: string): void {
    this.objects.delete(anchor);
    this.changes.push({ seq: ++this.seq, anchor, deleted: true });
  }

  byDn(dn: string): ImportedObject | undefined {
    for (const o of this.objects.values()) if (o.dn.toLowerCase() === dn.toLowerCase()) return o;
    return undefined;
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
  }

  apply(req: ExportRequest): ExportResult {
    this.exportLog.push(req);
    const f = this.failures.find((x) => (x.times === undefined || x.times > 0) && (!x.match || x.match(req)));
    if (f) {
      if (f.times !== undefined) f.times--;
      return { id: req.id, ok: false, message: f.message, retryable: f.retryable };
    }
    const current = req.anchor ? this.objects.get(req.anchor) : undefined;
    if (req.op === 'add') {
      if (this.byDn(req.dn)) return { id: req.id, ok: false, message: `an object named ${req.dn} already exists`, retryable: false, code: 'already-exists' };
      const attrs: Attributes = {};
      for (const [k, c] of Object.entries(req.changes)) {
        const v = c.op === 'replace' ? c.value : c.add.length ? [...c.add] : null;
        if (v !== null) attrs[k] = v;
      }
      const o = this.put({ dn: req.dn, objectType: req.objectType, attrs });
      return { id: req.id, ok: true, anchor: o.anchor, dn: o.dn };
    }
    if (!current) return { id: req.id, ok: false, message: `no object with anchor ${req.anchor}`, retryable: false, code: 'not-found' };
    if (req.op === 'delete') {
      this.remove(current.anchor);
      return { id: req.id, ok: true };
    }
    const attrs = applyChanges(current.attrs, req.changes);
    const o = this.put({ anchor: current.anchor, dn: req.newDn ?? current.dn, objectType: current.objectType, attrs });
    return { id: req.id, ok: true, anchor: o.anchor, dn: o.dn };
  }
}

/** Systems by name, so a rules file can say `seed = "hr"` and a test can script that system. */
export const memorySystems = new Map<string, MemorySystem>();

export function memorySystem(name: string): MemorySystem {
  let s = memorySystems.get(name);
  if (!s) memorySystems.set(name, (s = new MemorySystem()));
  return s;
}
