/**
 * The compiled rules model the engine runs. Everything here is resolved:
 * names are checked, expressions are closures, precedences are numbers.
 */
import type { SourceRef, StepType } from '../data/model.ts';
import type { Compiled } from './compile-expr.ts';
import type { MergeMode } from './ast.ts';

export type { Compiled, MergeMode };

export interface MvAttributeDef {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean' | 'datetime' | 'binary' | 'reference';
  readonly refType: string | undefined;
  readonly multi: boolean;
  readonly indexed: boolean;
}

export interface MvObjectTypeDef {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, MvAttributeDef>;
}

export type SettingValue = string | number | boolean | readonly string[] | { readonly secret: 'env' | 'file'; readonly ref: string };

export interface AgentObjectTypeDef {
  readonly name: string;
  readonly anchor: readonly string[];
  readonly attributes: readonly string[];
}

export interface AgentConfig {
  readonly name: string;
  readonly type: string;
  readonly settings: Readonly<Record<string, SettingValue>>;
  readonly objectTypes: ReadonlyMap<string, AgentObjectTypeDef>;
  /** Export stops when pending deletes exceed either limit. */
  readonly deletionThreshold: { readonly count: number | undefined; readonly percent: number | undefined };
  /** Recall attributes contributed by this agent's objects when they disconnect (MIM default). */
  readonly recall: boolean;
  readonly source: SourceRef;
}

export type FlowKind = 'direct' | 'constant' | 'expression' | 'dn-part';

export interface InboundFlow {
  readonly target: string;
  readonly kind: FlowKind;
  readonly evaluate: Compiled;
  /** Lower wins, as in Azure AD Connect. */
  readonly precedence: number;
  readonly merge: MergeMode;
  /** The target is a metaverse reference: values are DNs or anchors to resolve. */
  readonly reference: boolean;
  /** Set when the source is a plain `[attribute]`: a change of some of its values changes only those values here. */
  readonly sourceAttribute: string | undefined;
  readonly text: string;
  readonly source: SourceRef;
}

export interface JoinCriterion {
  readonly cs: Compiled;
  readonly mv: Compiled;
  /** Set when the metaverse side is a plain `[attribute]`, so an index can answer. */
  readonly mvAttribute: string | undefined;
}

export interface InboundRule {
  readonly name: string;
  readonly agent: string;
  readonly objectType: string;
  readonly mvType: string;
  readonly scope: Compiled | undefined;
  readonly filter: Compiled | undefined;
  readonly joinGroups: readonly (readonly JoinCriterion[])[];
  readonly project: { readonly when: Compiled | undefined } | undefined;
  readonly flows: readonly InboundFlow[];
  readonly source: SourceRef;
}

export interface OutboundFlow {
  readonly target: string;
  readonly kind: FlowKind;
  readonly evaluate: Compiled;
  /** Only when the object is created (an initial password, a sAMAccountName). */
  readonly once: boolean;
  /** Export a deletion when the value becomes null. */
  readonly allowNull: boolean;
  /** The metaverse reference attribute this flow exports, translated to the target's DN or anchor. */
  readonly referenceAttribute: string | undefined;
  /** Calls SelectUniqueValue: candidates are checked against the target's connector space and, where it can tell, the system. */
  readonly selectsUnique: boolean;
  readonly text: string;
  readonly source: SourceRef;
}

export type DeprovisionAction = 'disconnect' | 'explicit-disconnect' | 'delete' | 'disable';

export interface OutboundRule {
  readonly name: string;
  readonly mvType: string;
  readonly agent: string;
  readonly objectType: string;
  readonly scope: Compiled | undefined;
  readonly provision: { readonly when: Compiled | undefined } | undefined;
  readonly dn: Compiled | undefined;
  /** The DN expression calls SelectUniqueValue. */
  readonly dnSelectsUnique: boolean;
  readonly flows: readonly OutboundFlow[];
  readonly deprovision: {
    readonly action: DeprovisionAction;
    /** For `disable`: flows evaluated against the target connector-space object. */
    readonly flows: readonly OutboundFlow[];
    readonly deleteAfterMs: number | undefined;
  };
  readonly source: SourceRef;
}

export interface DeletionRule {
  readonly mvType: string;
  /** last-connector: delete when no connector remains (except from `agents`); connector-from: when one from `agents` goes. */
  readonly mode: 'last-connector' | 'connector-from';
  readonly agents: readonly string[];
  readonly graceMs: number;
}

export interface RunStep {
  readonly agent: string;
  readonly type: StepType;
  readonly pageSize: number | undefined;
  readonly batchSize: number | undefined;
  readonly limit: number | undefined;
  readonly force: boolean;
}

export interface RunProfile { readonly name: string; readonly steps: readonly RunStep[] }

export interface Schedule {
  readonly name: string;
  readonly profile: string;
  readonly everyMs: number | undefined;
  readonly cron: string | undefined;
}

export interface CompiledRules {
  readonly schema: ReadonlyMap<string, MvObjectTypeDef>;
  readonly agents: ReadonlyMap<string, AgentConfig>;
  readonly inbound: readonly InboundRule[];
  readonly outbound: readonly OutboundRule[];
  readonly deletion: ReadonlyMap<string, DeletionRule>;
  readonly profiles: ReadonlyMap<string, RunProfile>;
  readonly schedules: readonly Schedule[];
}
