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
