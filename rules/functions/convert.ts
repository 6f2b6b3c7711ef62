/** Conversion, evaluation, math and multi-valued functions. */
import { fn, type FunctionDef } from './types.ts';
import {
  ExpressionError, IgnoreThisFlow, first, isNull, isNullOrEmpty, perValue, toBool, toDate, toNum, toStr, type Value,
} from '../values.ts';
import { guidFromBytes, guidToBytes, sidToString } from '../../data/binary-ids.ts';

const list = (v: Value): Value[] => (v === null ? [] : Array.isArray(v) ? (v as Value[]) : [v]);
const num = (v: Value | undefined): number => toNum(v ?? null) ?? 0;
const guidRe = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

export const convertFunctions: FunctionDef[] = [
  fn('CBool', 1, 1, ([v]) => toBool(v ?? null)),
  fn('CDate', 1, 1, ([v]) => perValue(v ?? null, (x) => {
    const d = toDate(x);
    if (!d) throw new ExpressionError(`CDate: '${toStr(x)}' is not a date`);
    return d;
  })),
  fn('CStr', 1, 1, ([v]) => perValue(v ?? null, (x) => toStr(x))),
  fn('CNum', 1, 1, ([v]) => perValue(v ?? null, (x) => {
    const n = toNum(x);
    if (n === null) throw new ExpressionError(`CNum: '${toStr(x)}' is not a number`);
    return n;
  })),
  // References are DNs on the connector-space side; CRef marks intent only.
  fn('CRef', 1, 1, ([v]) => v ?? null),
  fn('CGuid', 1, 1, ([v]) => perValue(v ?? null, (x) => {
    const t = toStr(x) ?? '';
    if (!guidRe.test(t)) throw new ExpressionError(`CGuid: '${t}' is not a GUID`);
    return guidToBytes(t);
  })),
  fn('StringFromGuid', 1, 1, ([v]) => perValue(v ?? null, (x) => (x instanceof Uint8Array ? guidFromBytes(x) : toStr(x)))),
  fn('StringFromSid', 1, 1, ([v]) => perValue(v ?? null, (x) => (x instanceof Uint8Array ? sidToString(x) : sidToString(Buffer.from(toStr(x) ?? '', 'base64'))))),
  fn('BitAnd', 2, 2, ([a, b]) => Number(BigInt(Math.trunc(num(a))) & BigInt(Math.trunc(num(b))))),
  fn('BitOr', 2, 2, ([a, b]) => Number(BigInt(Math.trunc(num(a))) | BigInt(Math.trunc(num(b))))),
  fn('IsBitSet', 2, 2, ([a, b]) => (BigInt(Math.trunc(num(a))) & BigInt(Math.trunc(num(b)))) === BigInt(Math.trunc(num(b)))),
  fn('RandomNum', 2, 2, ([a, b]) => Math.floor(num(a) + Math.random() * (num(b) - num(a) + 1))),
  fn('IsNull', 1, 1, ([v]) => isNull(v ?? null)),
  fn('IsNullOrEmpty', 1, 1, ([v]) => isNullOrEmpty(v ?? null)),
  fn('IsPresent', 1, 1, ([v]) => !isNullOrEmpty(v ?? null)),
  fn('IsEmpty', 1, 1, ([v]) => !isNull(v ?? null) && toStr(v!) === ''),
  fn('IsString', 1, 1, ([v]) => !isNull(v ?? null) && typeof first(v!) === 'string'),
  fn('IsNumeric', 1, 1, ([v]) => toNum(v ?? null) !== null),
  fn('IsDate', 1, 1, ([v]) => !isNull(v ?? null) && toDate(v!) !== null),
  fn('IsGuid', 1, 1, ([v]) => {
    const x = first(v ?? null);
    return x instanceof Uint8Array ? x.length === 16 : guidRe.test(toStr(x) ?? '');
  }),
  fn('Not', 1, 1, ([v]) => !toBool(v ?? null)),
  fn('Coalesce', 1, Infinity, (args) => args.find((a) => !isNullOrEmpty(a)) ?? null),
  fn('IgnoreFlowIfNullOrEmpty', 1, 1, ([v]) => (isNullOrEmpty(v ?? null) ? IgnoreThisFlow : v!)),
  fn('Error', 1, 1, ([m]) => { throw new ExpressionError(toStr(m ?? null) ?? 'Error()'); }),
  fn('Count', 1, 1, ([v]) => list(v ?? null).length),
  fn('Item', 2, 2, ([v, i]) => {
    const item = list(v ?? null)[num(i) - 1];
    if (item === undefined) throw new ExpressionError(`Item: index ${num(i)} is out of range`);
    return item;
  }),
  fn('ItemOrNull', 2, 2, ([v, i]) => list(v ?? null)[num(i) - 1] ?? null),
  fn('Contains', 2, 3, ([v, search, caseType]) => {
    const ci = !/casesensitive/i.test(toStr(caseType ?? null) ?? '');
    const needle = ci ? (toStr(search ?? null) ?? '').toLowerCase() : toStr(search ?? null) ?? '';
    const i = list(v ?? null).findIndex((x) => (ci ? (toStr(x) ?? '').toLowerCase() : toStr(x) ?? '').includes(needle));
    return i + 1;
  }),
  fn('RemoveDuplicates', 1, 1, ([v]) => {
    const seen = new Set<string>();
    return list(v ?? null).filter((x) => {
      const k = toStr(x) ?? '';
      return seen.has(k) ? false : (seen.add(k), true);
    });
  }),
];
