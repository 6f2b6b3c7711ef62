/**
 * chevrotain's runtime, loaded from the single-file build its package ships
 * (`lib/chevrotain.mjs`) rather than from its package entry, which loads
 * lodash-es as some 600 modules: 1.3 s of every idsync process under tsx,
 * against 0.05 s for the single file (measured on Node 20). Where the file is
 * missing, the package entry is used. Types still come from 'chevrotain'.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

// The package entry resolves to lib/src/api.js; the single file sits in lib/.
const bundle = join(dirname(createRequire(import.meta.url).resolve('chevrotain')), '..', 'chevrotain.mjs');
const chevrotain: Chevrotain = existsSync(bundle) ? ((await import(pathToFileURL(bundle).href)) as Chevrotain) : await import('chevrotain');

export const { createToken, Lexer, CstParser, defaultParserErrorProvider } = chevrotain;
