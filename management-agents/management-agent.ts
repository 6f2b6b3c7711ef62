/**
 * The one contract every management agent implements. Required methods are
 * the minimum; optional methods are capabilities, announced in `capabilities`.
 *
 * ```ts
 * const agent = createCsvAgent({ name: 'hr', settings: { path: 'hr.csv' }, objectTypes, baseDir });
 * for await (const change of agent.fullImport({ pageSize: 500, watermark: null, setWatermark() {} })) {
 *   // stage change in the connector space
 * }
 * ```
 */
import type { Attributes, Scalar } from '../data/model.ts';
import type { AttrChange } from '../data/objects.ts';

/** What an agent can do beyond a full import. */
export interface AgentCapabilities {
  /** `deltaImport` is implemented. */
  readonly deltaImport: boolean;
  /** `export` is implemented. */
  readonly export: boolean;
  /** Adds must go out without reference values; references follow in a second pass (MIM's NoReferenceValuesInFirstExport). */
  readonly referencesInSecondPass: boolean;
  /** Multi-valued attributes can be changed value by value (member add/remove) instead of replaced. */
  readonly valueLevelMultiValue: boolean;
  /** Objects can be renamed or moved (new DN, same anchor). */
  readonly rename: boolean;
  /** Export batch size the agent works best with when a run profile does not say (default 100). */
  readonly exportBatchSize?: number;
  /** How the system names referenced objects, when the rules do not say (`references-by`). Default dn. */
  readonly referencesBy?: 'dn' | 'anchor';
  /** Only these multi-valued attributes take value-level changes; others are replaced. Default: all. */
  readonly valueLevelAttributes?: readonly string[];
}

/** One object as the connected system shows it. */
export interface ImportedObject {
  readonly anchor: string;
  readonly dn: string;
  readonly objectType: string;
  readonly attrs: Attributes;
}

export type ImportChange =
  /**
   * `partial`: only the attributes that changed are given (DirSync); the others
   * keep their values, and an empty array removes an attribute.
   */
  | {
      readonly kind: 'object';
      readonly object: ImportedObject;
      readonly partial?: boolean;
      /** With `partial`: values added to and removed from multi-valued attributes (Graph's members@delta). */
      readonly valueChanges?: Readonly<Record<string, { readonly add: readonly Scalar[]; readonly remove: readonly Scalar[] }>>;
    }
  /** Only from delta imports: the object is gone. */
  | { readonly kind: 'delete'; readonly anchor: string }
  /** A malformed row or entry: recorded on the step, the import goes on. */
  | { readonly kind: 'error'; readonly message: string; readonly file?: string; readonly line?: number; readonly anchor?: string };

export interface ImportContext {
  readonly pageSize: number;
  /** The watermark the engine stored after the last import, or null. */
  readonly watermark: string | null;
  /** Called by the agent with the watermark to store once this import completes. */
  setWatermark(watermark: string | null): void;
  /** Free-text notes for the run history (a fallback to full import, throttling time). */
  note(message: string): void;
  /** Called by a delta import that fell back to a full import: objects it did not send are then deletes. */
  becameFull?(): void;
}

/** One object's staged export. */
export interface ExportRequest {
  /** The engine's id for the connector-space object, echoed in the result. */
  readonly id: string;
  readonly op: 'add' | 'update' | 'delete';
  readonly objectType: string;
  readonly dn: string;
  readonly anchor: string | null;
  readonly newDn?: string;
  readonly changes: Readonly<Record<string, AttrChange>>;
}

export type ExportResult =
  | { readonly id: string; readonly ok: true; readonly anchor?: string; readonly dn?: string }
  | {
      readonly id: string;
      readonly ok: false;
      readonly message: string;
      /** A transient failure (server away, throttled): try again later. */
      readonly retryable: boolean;
      /** already-exists: an add met an existing object; not-found: the object is gone. */
      readonly code?: 'already-exists' | 'not-found' | 'other';
    };

export interface ExportContext {
  note(message: string): void;
}

export interface SchemaInfo {
  readonly objectTypes: readonly { readonly name: string; readonly attributes: readonly string[] }[];
}

export interface ManagementAgent {
  readonly name: string;
  readonly type: string;
  readonly capabilities: AgentCapabilities;
  /** Streams every object. Never builds the whole set in memory. */
  fullImport(ctx: ImportContext): AsyncIterable<ImportChange>;
  /** Streams changes since `ctx.watermark`. Required when `capabilities.deltaImport`. */
  deltaImport?(ctx: ImportContext): AsyncIterable<ImportChange>;
  /** Applies a batch; one result per request, in any order. Required when `capabilities.export`. */
  export?(batch: readonly ExportRequest[], ctx: ExportContext): Promise<ExportResult[]>;
  /**
   * Called once when an export step has sent its last batch, also when it
   * stopped early. An agent that journals each batch folds the journal here
   * (a file target rewrites its file once per step, not once per batch). What
   * `export` answered must already be durable: this is only housekeeping, and
   * an agent must cope with it never being called (a crash).
   */
  endExport?(): Promise<void>;
  /** Finds one object by anchor or DN: resolves an add that met "already exists". */
  findObject?(query: { readonly anchor?: string; readonly dn?: string; readonly objectType: string }): Promise<ImportedObject | null>;
  /** Whether a value of `attribute` is already used in the connected system (SelectUniqueValue). */
  isValueInUse?(objectType: string, attribute: string, value: Scalar): Promise<boolean>;
  /**
   * Told once, before any lookup, which attributes `isValueInUse` may be
   * asked about (the rules' SelectUniqueValue flows into this agent): an agent
   * that reads its system into memory can keep those values on its first read.
   */
  expectValueChecks?(objectType: string, attributes: readonly string[]): void;
  getSchema?(): Promise<SchemaInfo>;
  /** Throws an AgentError saying what is wrong. */
  testConnection?(): Promise<void>;
  close?(): Promise<void>;
}

export interface AgentObjectType {
  readonly name: string;
  readonly anchor: readonly string[];
  readonly attributes: readonly string[];
}

/** What every factory receives. Secrets are resolved before this point and never stored. */
export interface AgentOptions<S = Readonly<Record<string, unknown>>> {
  readonly name: string;
  readonly settings: S;
  readonly objectTypes: readonly AgentObjectType[];
  /** The project directory; relative paths resolve against it. */
  readonly baseDir: string;
}

export type AgentFactory = (options: AgentOptions) => ManagementAgent;
