/** The csv agent's saved index, changed behind its back by tests. */
import { readFile, stat, writeFile } from 'node:fs/promises';

/** Makes the saved index of `path` name the file as it now is (its size and time), its rows as they were. */
export async function restamp(path: string): Promise<void> {
  const { size, mtimeMs } = await stat(path);
  const bytes = await readFile(`${path}.index`);
  const nl = bytes.indexOf(10);
  const head = { ...(JSON.parse(bytes.toString('utf8', 0, nl)) as object), stamp: `${size}:${mtimeMs}` };
  await writeFile(`${path}.index`, Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`), bytes.subarray(nl + 1)]));
}
