import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import * as tf from '@tensorflow/tfjs';
import { initBackend, wasmFolder } from '../../../src/trainer/backend';
import { TFJS_NODE_LOCATION_ENV, tfjsNodePackageIn } from '../../../src/trainer/tfjs-node-location';
import { nativeAtHand } from '../test-backends';

const run = promisify(execFile);
const repo = join(__dirname, '..', '..', '..');

describe('initBackend', () => {
  test('picks the fastest backend that loads here and reports it', async () => {
    const { name, tf: active } = await initBackend();
    // tfjs-node is an optional dependency that cannot install on the build machines; wasm is next.
    assert.ok(['tensorflow', 'wasm'].includes(name), name);
    assert.equal(active.getBackend(), name);
    assert.equal(tf.getBackend(), name);
    assert.equal(await initBackend('cpu'), await initBackend(), 'the first call decides');
  });

  test('from sources the wasm binaries come from the package', () => {
    assert.equal(wasmFolder(), join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), sep));
  });
});

describe('initBackend in a bundle (as dist/trainer.js runs it)', () => {
  let dir = '';
  before(async () => {
    // Outside the repository, so node_modules cannot be found: only the files shipped beside the bundle.
    dir = mkdtempSync(join(tmpdir(), 'ae-lab-backend-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { initBackend, wasmFolder } from ${JSON.stringify(join(repo, 'src/trainer/backend'))};
       initBackend(process.argv[2] as never).then(({ name, tf, loadedFrom }) => {
         const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
         const dw = tf.grad((f: never) => tf.sum(tf.conv2d(x, f, 1, 'same')))(tf.ones([2, 2, 1, 1]) as never);
         let folder = null; try { folder = wasmFolder(); } catch {}
         // Modules of another tfjs copy that tfjs-node could have loaded beside the bundled one.
         const otherTfjs = Object.keys(require.cache).filter((file) => /[\\/]tfjs-(core|layers)[\\/]/.test(file));
         console.log(JSON.stringify({ name, folder, loadedFrom, otherTfjs, dw: Array.from(dw.dataSync()) }));
       });`,
    );
    await esbuild.build({
      entryPoints: [entry],
      outfile: join(dir, 'trainer.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'error',
      external: ['@tensorflow/tfjs-node'],
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('loads wasm from the wasm folder beside the script and trains a conv there', async () => {
    mkdirSync(join(dir, 'wasm'), { recursive: true });
    cpSync(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), 'tfjs-backend-wasm-simd.wasm'), join(dir, 'wasm', 'tfjs-backend-wasm-simd.wasm'));
    cpSync(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), 'tfjs-backend-wasm.wasm'), join(dir, 'wasm', 'tfjs-backend-wasm.wasm'));
    const { stdout } = await run(process.execPath, [join(dir, 'trainer.js'), 'wasm'], { cwd: dir });
    const result = JSON.parse(stdout);
    assert.equal(result.name, 'wasm');
    assert.equal(result.folder, join(dir, 'wasm', sep));
    // d/dW of sum(conv2d(x, W)) with 'same' padding: sums of shifted windows of x.
    assert.deepEqual(result.dw, [45, 33, 39, 28]);
  });

  test('falls back to cpu when the wasm binaries are missing', async () => {
    rmSync(join(dir, 'wasm'), { recursive: true, force: true });
    const withoutNative = { ...process.env, [TFJS_NODE_LOCATION_ENV]: '' };
    const { stdout } = await run(process.execPath, [join(dir, 'trainer.js'), 'auto'], { cwd: dir, env: withoutNative });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    assert.equal(result.name, 'cpu');
    assert.deepEqual(result.dw, [45, 33, 39, 28]);
  });

  test('tfjs-node from AUTOENCODER_LAB_TFJS_NODE registers into the bundle\'s own tfjs engine', { skip: !nativeAtHand && 'tfjs-node not at hand' }, async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'trainer.js'), 'tensorflow'], { cwd: dir });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    assert.equal(result.name, 'tensorflow');
    assert.equal(result.loadedFrom, tfjsNodePackageIn(process.env[TFJS_NODE_LOCATION_ENV]!));
    // tfjs is inside the bundle: any tfjs-core file on disk that got loaded would be a second engine.
    assert.deepEqual(result.otherTfjs, []);
    assert.deepEqual(result.dw, [45, 33, 39, 28]);
  });

  test("preferred 'cpu' is honoured", async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'trainer.js'), 'cpu'], { cwd: dir });
    assert.equal(JSON.parse(stdout).name, 'cpu');
  });
});
