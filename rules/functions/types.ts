/** The contract every expression function implements. */
import type { Dialect } from '../ast.ts';
import type { Value } from '../values.ts';

/** What a function may ask of its caller; nothing else reaches it (no file system, network or environment). */
export interface EvalContext {
  /** Values bound by `With`, `Select` and `Where` (`$item`). */
  readonly vars?: ReadonlyMap<string, Value>;
  /** The clock, injectable for tests and previews. */
  readonly now?: () => Date;
  /**
   * `SelectUniqueValue` asks the target connector space (and, where the agent
   * can, the connected system) whether a candidate is already taken.
   */
  readonly isUnique?: (value: string) => boolean;
}

export interface FunctionDef {
  readonly name: string;
  readonly min: number;
  /** `Infinity` for variadic functions. */
  readonly max: number;
  readonly impl: (args: readonly Value[], ctx: EvalContext) => Value;
  /** Set for functions that are recognised but not implemented yet (the Cert* family). */
  readonly notSupported?: string;
}

export type FunctionTable = Record<string, FunctionDef>;

export const fn = (name: string, min: number, max: number, impl: FunctionDef['impl']): FunctionDef => ({ name, min, max, impl });

export type { Dialect };
