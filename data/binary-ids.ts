/** GUIDs and SIDs in the byte order Windows uses. */

/** .NET Guid.ToByteArray order: the first three groups are little-endian. */
export function guidToBytes(text: string): Uint8Array {
  const hex = text.replace(/[{}-]/g, '');
  const b = Buffer.from(hex, 'hex');
  return Uint8Array.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

/** The string form Microsoft tools show for an objectGUID. */
export function guidFromBytes(b: Uint8Array): string {
  const h = (i: number) => b[i]!.toString(16).padStart(2, '0');
  return (
    [3, 2, 1, 0].map(h).join('') + '-' + [5, 4].map(h).join('') + '-' + [7, 6].map(h).join('') + '-' +
    [8, 9].map(h).join('') + '-' + [10, 11, 12, 13, 14, 15].map(h).join('')
  );
}

/** S-1-5-21-… from a binary SID. */
export function sidToString(b: Uint8Array): string {
  if (b.length < 8) return '';
  const buf = Buffer.from(b);
  const revision = buf[0]!;
  const count = buf[1]!;
  const authority = buf.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count && 8 + i * 4 + 4 <= buf.length; i++) subs.push(buf.readUInt32LE(8 + i * 4));
  return `S-${revision}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}
