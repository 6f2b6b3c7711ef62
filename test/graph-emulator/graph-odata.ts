/** The OData the agent uses: $select, $top, $filter (eq, startswith, any, and), and paging. */
import { GraphError, type GraphObject } from './graph-directory.ts';

type Predicate = (o: GraphObject) => boolean;

export function parseFilter(filter: string | null): Predicate {
  if (!filter) return () => true;
  const clauses = filter.split(/\s+and\s+/i).map((c): Predicate => {
    let m = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(c.trim());
    if (m) { const [, p, v] = m as unknown as [string, string, string]; const val = v.replace(/''/g, "'").toLowerCase(); return (o) => String(o[p] ?? '').toLowerCase() === val; }
    m = /^(\w+)\s+eq\s+(true|false)$/i.exec(c.trim());
    if (m) { const [, p, v] = m as unknown as [string, string, string]; return (o) => o[p] === (v.toLowerCase() === 'true'); }
    m = /^startswith\((\w+),\s*'((?:[^']|'')*)'\)$/i.exec(c.trim());
    if (m) { const [, p, v] = m as unknown as [string, string, string]; const val = v.replace(/''/g, "'").toLowerCase(); return (o) => String(o[p] ?? '').toLowerCase().startsWith(val); }
    m = /^(\w+)\/any\((\w+):\s*\2\s+eq\s+'((?:[^']|'')*)'\)$/i.exec(c.trim());
    if (m) { const [, p, , v] = m as unknown as [string, string, string, string]; const val = v.replace(/''/g, "'").toLowerCase(); return (o) => ((o[p] as string[] | undefined) ?? []).some((x) => x.toLowerCase() === val); }
    throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${c}'.`);
  });
  return (o) => clauses.every((c) => c(o));
}

export function select(o: GraphObject, sel: string | null): GraphObject {
  if (!sel) return o;
  const out: GraphObject = { id: o.id };
  for (const k of sel.split(',').map((x) => x.trim())) if (k in o) out[k] = o[k];
  return out;
}

export function page<T>(items: T[], query: URLSearchParams, url: URL, max = 999): { value: T[]; next: string | undefined } {
  const top = Math.min(Number(query.get('$top') ?? 100), max);
  const skip = Number(query.get('$skiptoken') ?? 0);
  const value = items.slice(skip, skip + top);
  let next: string | undefined;
  if (skip + top < items.length) {
    const u = new URL(url);
    u.searchParams.set('$skiptoken', String(skip + top));
    next = u.toString();
  }
  return { value, next };
}
