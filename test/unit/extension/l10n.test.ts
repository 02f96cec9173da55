import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LAB_STRINGS } from '../../../src/protocol/lab-strings';

const root = join(__dirname, '..', '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

/** Every literal passed to vscode.l10n.t in src/extension (the English text is the bundle key). */
function extensionStrings(): string[] {
  const found = new Set<string>();
  const dir = join(root, 'src', 'extension');
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const match of source.matchAll(/l10n\.t\(\s*'((?:\\.|[^'\\])*)'/g)) found.add(match[1].replace(/\\'/g, "'"));
    assert.doesNotMatch(source, /l10n\.t\(\s*[`"]/, `${file}: use single-quoted literals with l10n.t so the bundle check sees them`);
  }
  return [...found];
}

const placeholders = (text: string) => [...text.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort().join(',');

test('every vscode.l10n.t string and every webview string has a Simplified Chinese translation with the same placeholders', () => {
  const bundle = readJson('l10n/bundle.l10n.zh-cn.json');
  const english = [...extensionStrings(), ...Object.values(LAB_STRINGS)];
  assert.ok(english.length > 100);
  const missing = english.filter((text) => typeof bundle[text] !== 'string' || (bundle[text] as string).trim() === '');
  assert.deepEqual(missing, [], 'missing from l10n/bundle.l10n.zh-cn.json');
  for (const text of english) assert.equal(placeholders(bundle[text] as string), placeholders(text), `placeholders of "${text}"`);
});

test('the l10n bundle has no stale keys', () => {
  const bundle = readJson('l10n/bundle.l10n.zh-cn.json');
  const used = new Set<string>([...extensionStrings(), ...Object.values(LAB_STRINGS)]);
  assert.deepEqual(Object.keys(bundle).filter((key) => !used.has(key)), []);
});

test('every %key% of the manifest is in package.nls.json and package.nls.zh-cn.json', () => {
  const manifest = readFileSync(join(root, 'package.json'), 'utf8');
  const keys = [...new Set([...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]))];
  assert.ok(keys.includes('command.train'));
  const english = readJson('package.nls.json');
  const chinese = readJson('package.nls.zh-cn.json');
  assert.deepEqual(keys.filter((key) => !(key in english)), [], 'missing from package.nls.json');
  assert.deepEqual(keys.filter((key) => !(key in chinese)), [], 'missing from package.nls.zh-cn.json');
  assert.deepEqual(Object.keys(english).filter((key) => !keys.includes(key)), [], 'unused in package.nls.json');
  assert.deepEqual(Object.keys(english).sort(), Object.keys(chinese).sort());
});
