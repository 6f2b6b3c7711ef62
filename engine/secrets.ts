/**
 * Resolves secret references in agent settings at the last moment. Values are
 * handed to the agent factory only: never stored, logged or put in messages.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgentConfig, SettingValue } from '../rules/index.ts';

export class SecretError extends Error {
  override name = 'SecretError';
}

function resolveOne(agent: string, key: string, v: SettingValue, baseDir: string): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const ref = v as { secret: 'env' | 'file'; ref: string };
  if (ref.secret === 'env') {
    const value = process.env[ref.ref];
    if (value === undefined) throw new SecretError(`agent '${agent}': setting '${key}' refers to the environment variable ${ref.ref}, which is not set`);
    return value;
  }
  try {
    return readFileSync(resolve(baseDir, ref.ref), 'utf8').trim();
  } catch (err) {
    throw new SecretError(`agent '${agent}': setting '${key}' refers to the file ${ref.ref}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function resolveSettings(cfg: AgentConfig, baseDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg.settings)) out[k] = resolveOne(cfg.name, k, v, baseDir);
  return out;
}
