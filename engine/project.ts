/** Opens a project directory: compile its rules, open its store, wire the engine. */
import { join, resolve } from 'node:path';
import type { CompiledRules } from '../rules/index.ts';
import { compileProject } from '../rules/compile-project.ts';
import { formatDiagnostic, type Diagnostic } from '../rules/diagnostics.ts';
import { openFileStore, type OpenOptions } from '../data/json-file-store.ts';
import type { Store } from '../data/store.ts';
import { createEngine, type EngineContext, type EngineEvents } from './context.ts';
import { applyHeapPolicy, checkHeapPolicy } from './heap-policy.ts';

export class RulesError extends Error {
  override name = 'RulesError';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`the rules have errors:\n${diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}`);
  }
}

export interface Project {
  readonly dir: string;
  readonly rules: CompiledRules;
  readonly store: Store;
  readonly engine: EngineContext;
  close(): Promise<void>;
}

export async function openProject(dir: string, o: { store?: string; waitMs?: number; storeOptions?: OpenOptions; events?: EngineEvents; now?: () => Date } = {}): Promise<Project> {
  applyHeapPolicy();
  const base = resolve(dir);
  const compiled = await compileProject(base);
  if (compiled.files.length === 0) throw new RulesError([{ file: base, line: 1, column: 1, length: 0, severity: 'error', code: 'IDS0009', message: 'no *.sync files in the project directory' }]);
  if (!compiled.model) throw new RulesError(compiled.diagnostics);
  const store = await openFileStore(o.store ? resolve(o.store) : join(base, '.idsync'), { ...o.storeOptions, waitMs: o.waitMs ?? 0 });
  // Steps report progress every thousand objects or so: there the heap policy is checked too (heap-policy.ts).
  const events: EngineEvents = { progress: (step, done, total) => { checkHeapPolicy(); o.events?.progress?.(step, done, total); } };
  const engine = createEngine({ rules: compiled.model, store, baseDir: base, events, ...(o.now ? { now: o.now } : {}) });
  return {
    dir: base,
    rules: compiled.model,
    store,
    engine,
    close: async () => {
      // An agent failing to close must not leave the store locked for the next run.
      try {
        for (const a of engine.instantiated()) await a.close?.();
      } finally {
        await store.close();
      }
    },
  };
}
