/**
 * The engine is a pure core (DESIGN "Architecture"): no I/O, no clock, no
 * randomness, no environment, only relative imports of its own modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// Compiled to dist/engine/purity.test.js; the sources are in src/engine.
const SRC = fileURLToPath(new URL('../../src/engine/', import.meta.url));
const isTestSupport = (f: string) => /\.test\.ts$/.test(f) || /^test-/.test(f);
const engineFiles = readdirSync(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !isTestSupport(f)).sort();

/** The source without comments and string/template contents (so prose mentioning "process." is fine). */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

/** Every module specifier in import/export-from statements and dynamic imports. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]*)['"`]/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\.now\b/, 'Date.now'],
  [/\bnew\s+Date\s*\(\s*\)/, 'new Date() with no argument'],
  [/\bnew\s+Date\b(?!\s*\()/, 'new Date with no argument list'],
  [/\bprocess\s*\./, 'process.'],
  [/\bprocess\s*\[/, 'process['],
  [/\bMath\.random\b/, 'Math.random'],
  [/\brequire\s*\(/, 'require('],
  [/\bimport\s*\(/, 'dynamic import()'],
  [/\bperformance\.now\b/, 'performance.now'],
  [/\bcrypto\.getRandomValues\b|\brandomUUID\b/, 'random ids'],
  [/\bglobalThis\b/, 'globalThis'],
];

test('the engine sources are found', () => {
  for (const f of ['dates.ts', 'time-zone.ts', 'types.ts', 'policy.ts', 'presence.ts', 'compliance.ts', 'explain.ts', 'standing.ts', 'index.ts']) {
    assert.ok(engineFiles.includes(f), `${f} in ${SRC}`);
  }
});

for (const file of engineFiles) {
  test(`${file} is pure`, () => {
    const text = readFileSync(join(SRC, file), 'utf8');
    const code = codeOnly(text);
    for (const spec of specifiers(code)) {
      assert.ok(spec.startsWith('./'), `${file} imports "${spec}": the engine may import only its own modules ("./…")`);
      assert.ok(!/^(node:|fs$|fs\/)/.test(spec), `${file} imports ${spec}`);
    }
    for (const [re, what] of FORBIDDEN) {
      const m = re.exec(code);
      assert.equal(m, null, `${file} uses ${what}: ${m ? code.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ') : ''}`);
    }
    assert.doesNotMatch(code, /['"](?:node:)?fs(?:\/promises)?['"]/, `${file} mentions the fs module`);
  });
}

test('the checker itself catches what it must', () => {
  const bad = [
    "import { readFileSync } from 'node:fs';",
    "import fs from 'fs';",
    "import { x } from '../store/db.js';",
    "import fc from 'fast-check';",
    "export * from 'node:path';",
  ];
  for (const line of bad) assert.ok(specifiers(line).some((s) => !s.startsWith('./')), line);
  for (const line of ['const t = Date.now();', 'const d = new Date();', 'if (process.env.TZ) {}', 'Math.random()', "const x = require('fs');"]) {
    assert.ok(FORBIDDEN.some(([re]) => re.test(codeOnly(line))), line);
  }
  for (const line of ['new Date(at)', 'new Date(Date.UTC(2026, 0, 1))', '// Date.now() in a comment', '/* process.env */ const a = 1;']) {
    assert.ok(!FORBIDDEN.some(([re]) => re.test(codeOnly(line))), line);
  }
  assert.deepEqual(specifiers("import type { A } from './types.js';\nexport * from './dates.js';"), ['./types.js', './dates.js']);
});
