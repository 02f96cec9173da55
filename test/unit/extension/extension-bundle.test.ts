import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const root = join(__dirname, '..', '..', '..');

test('the extension host bundle never contains tfjs (only the trainer child loads it) and stays small', async () => {
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/extension/extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: join(root, 'out-unused.js'),
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.deepEqual(inputs.filter((input) => input.includes('@tensorflow')), []);
  const size = result.outputFiles[0].contents.byteLength;
  assert.ok(size < 1_500_000, `extension bundle is ${size} bytes`);
});

test('every command of the manifest is registered, and every registered command is in the manifest', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string }[] };
    activationEvents: string[];
  };
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  const source = ['src/extension/commands.ts', 'src/extension/native-backend/native-backend-commands.ts'].map((file) => readFileSync(join(root, file), 'utf8')).join('\n');
  const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(registered, declared);
  assert.ok(!manifest.activationEvents.includes('*'));
});
