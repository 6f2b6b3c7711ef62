/** Connector objects by DN: case-insensitive as toLowerCase is, without lower-casing every DN held. */
import test from 'ava';
import { DnIndex, dnKey } from '../../data/dn-index.ts';

const names = ['CN=Zoë Ünal,OU=People,DC=corp', 'CN=İlkay Şahin,OU=People', 'CN=ΟΔΥΣΣΕΥΣ,OU=Ελλάδα', 'CN=Straße,OU=München', 'CN=𐐀 Deseret,OU=X', 'CN=李小龍,OU=香港', 'cn=plain ascii'];

test('DNs equal under toLowerCase have one key, whichever way each is computed', (t) => {
  for (const n of names) {
    const variants = [n, n.toLowerCase(), n.toUpperCase(), n.replace(/[a-z]/g, (c) => c.toUpperCase())].filter((v) => v.toLowerCase() === n.toLowerCase());
    for (const v of variants) t.is(dnKey(v), dnKey(n), `${v} / ${n}`);
  }
  t.not(dnKey('CN=Zoë'), dnKey('CN=Zoe'));
  t.not(dnKey('CN=Ann,OU=A'), dnKey('CN=Ann,OU=B'));
});

test('a DN index finds an id by any case of its DN, the last added first, and forgets what is removed', (t) => {
  const dns = new Map<string, string>();
  const index = new DnIndex();
  const add = (id: string, dn: string) => { dns.set(id, dn); index.add(dn, id); };
  const dnOf = (id: string) => dns.get(id);
  names.forEach((n, i) => add(`id${i}`, n));
  names.forEach((n, i) => t.is(index.find(n.toLowerCase(), dnOf), `id${i}`, n));
  t.is(index.find('CN=ZOË ÜNAL,OU=PEOPLE,DC=CORP', dnOf), 'id0');
  add('dup', 'cn=zoë ünal,ou=people,dc=corp');
  t.is(index.find(names[0]!, dnOf), 'dup');
  index.remove('cn=zoë ünal,ou=people,dc=corp', 'dup');
  t.is(index.find(names[0]!, dnOf), 'id0', 'the other object with that DN is still found');
  index.remove(names[0]!, 'id0');
  t.is(index.find(names[0]!, dnOf), undefined);
  t.is(index.find('CN=Nobody', dnOf), undefined);
});

test('putting an id back under the DN it has is taking it out and adding it again, hashed once', (t) => {
  // The ids of each DN in the order added (which one finds first), whatever the order of the DNs.
  const byDn = (index: DnIndex) => [...index.entries()!].sort((a, b) => a[0] - b[0]).map(([k, id]) => `${k} ${id}`);
  let seed = 5;
  const pick = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
  const dns = ['CN=A', 'cn=a', 'CN=B', 'CN=Zoë'];
  for (let round = 0; round < 200; round++) {
    const once = new DnIndex();
    const twice = new DnIndex();
    for (let step = 0; step < 12; step++) {
      const dn = dns[pick(dns.length)]!;
      const id = `id${pick(4)}`;
      const op = pick(3);
      if (op === 0) { once.add(dn, id); twice.add(dn, id); }
      else if (op === 1) { once.remove(dn, id); twice.remove(dn, id); }
      else { once.readd(dn, id); twice.remove(dn, id); twice.add(dn, id); }
      t.deepEqual(byDn(once), byDn(twice), `round ${round} step ${step}`);
    }
  }
});
