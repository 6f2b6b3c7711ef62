/** Counters and errors of one run step, and the run-history record they become. */
import { randomUUID } from 'node:crypto';
import type { RunRecord, StepError, StepStatus } from '../../data/objects.ts';

/** More object errors than this stop the step, as in Azure AD Connect. */
export const ERROR_LIMIT = 5000;

export class StepRecorder {
  readonly id = randomUUID();
  readonly counters: Record<string, number> = {};
  readonly errors: StepError[] = [];
  readonly notes: string[] = [];
  readonly startedAt: string;

  constructor(readonly agent: string, readonly step: string, readonly profile: string | null, now: Date) {
    this.startedAt = now.toISOString();
  }

  count(name: string, by = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + by;
  }

  error(object: string, message: string, where?: { file?: string; line?: number }): void {
    this.errors.push({ object, message, ...(where?.file ? { file: where.file } : {}), ...(where?.line ? { line: where.line } : {}) });
  }

  get overErrorLimit(): boolean {
    return this.errors.length > ERROR_LIMIT;
  }

  finish(status: StepStatus | undefined, now: Date): RunRecord {
    return {
      id: this.id,
      agent: this.agent,
      step: this.step,
      profile: this.profile,
      startedAt: this.startedAt,
      endedAt: now.toISOString(),
      status: status ?? (this.errors.length ? 'completed-errors' : 'success'),
      counters: { ...this.counters },
      errors: this.errors.slice(0, ERROR_LIMIT + 1),
      notes: [...this.notes],
    };
  }
}
