import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installNativeBackend, installedNativeBackend, removeNativeBackend } from '../../../src/extension/native-backend/native-backend-install';
import { TrainerClient } from '../../../src/trainer/trainer-client';
import { TFJS_NODE_LOCATION_ENV, tfjsNodePackageIn } from '../../../src/trainer/tfjs-node-location';
import { ensureBuilt, temporaryFolder, trainerScript } from '../trainer/trainer-helpers';
import { nativeAtHand } from '../test-backends';
import { packArchives, servePackageSource, type PackageSource } from './native-package-source';

// The Install Native TensorFlow Backend flow end to end: npm from the registry installs tfjs-node, whose
// own install script downloads libtensorflow and the prebuilt binding from a local server on 127.0.0.1
// (made from the tensorflow-cpu wheel and the binding of scripts/tfjs-node.mjs); a real trainer must
// then load it. Needs that build (AUTOENCODER_LAB_TFJS_NODE), as `npm test` and .ci/run have it.

const VERSION = '4.22.0';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The backend a fresh trainer comes up on when pointed at `folder` (auto: tensorflow if it loads, else wasm). */
async function trainerBackendWith(folder: string): Promise<{ backend: string; tfjsNode?: string }> {
  const client = new TrainerClient({ trainerScript, env: { [TFJS_NODE_LOCATION_ENV]: folder }, preferredBackend: 'auto' });
  try {
    const ready = await client.start();
    return { backend: ready.backend, tfjsNode: ready.tfjsNode };
  } finally {
    client.dispose();
  }
}

describe('installing the native TensorFlow backend from a local package source', { skip: !nativeAtHand && 'tfjs-node not built (node scripts/tfjs-node.mjs install)' }, () => {
  const work = temporaryFolder('native-install');
  let files: { libtensorflow: string; binding: string };
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);

  before(() => {
    ensureBuilt();
    const built = tfjsNodePackageIn(process.env[TFJS_NODE_LOCATION_ENV] ?? '', 'tfjs-node');
    assert.ok(built, `no tfjs-node build in ${process.env[TFJS_NODE_LOCATION_ENV]}`);
    files = packArchives(built, work.path);
  });
  after(() => work.remove());

  const install = (folder: string, source: { cdn: string; bindingMirror: string }, extra: NodeJS.ProcessEnv = {}, signal?: AbortSignal) =>
    installNativeBackend({
      folder,
      version: VERSION,
      variant: 'tfjs-node',
      trainerScript,
      log,
      signal,
      env: { TFJS_NODE_CDN_STORAGE: source.cdn, npm_config_tfjs_binding_binary_host_mirror: source.bindingMirror, ...extra },
    });

  test('installs, the trainer trains on it from there, and Remove brings back wasm', async () => {
    const source: PackageSource = await servePackageSource(files);
    const folder = join(work.path, 'storage', 'native-backend');
    try {
      const installed = await install(folder, source);
      assert.equal(installed.packageDir, join(folder, 'node_modules/@tensorflow/tfjs-node'));
      assert.ok(source.requests.some((path) => path.endsWith('libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz')), source.requests.join(', '));
      assert.ok(source.requests.some((path) => /\/4\.22\.0\/CPU-linux-4\.22\.0\.tar\.gz$/.test(path)), source.requests.join(', '));
      assert.deepEqual((await installedNativeBackend(folder))?.version, VERSION);
      assert.equal(existsSync(`${folder}.partial`), false);
      assert.ok(lines.some((line) => line.includes('The trainer loads it: backend tensorflow')), lines.join('\n'));

      const ready = await trainerBackendWith(folder);
      assert.equal(ready.backend, 'tensorflow');
      assert.equal(ready.tfjsNode, installed.packageDir);

      await removeNativeBackend(folder);
      assert.equal(await installedNativeBackend(folder), undefined);
      assert.equal((await trainerBackendWith(folder)).backend, 'wasm');
    } finally {
      await source.close();
    }
  });

  test('the package host is down: a clear error, nothing left behind, the trainer stays on wasm', async () => {
    const port = await closedPort();
    const folder = join(work.path, 'down', 'native-backend');
    const down = `http://127.0.0.1:${port}/`;
    await assert.rejects(install(folder, { cdn: down, bindingMirror: down }), /npm install failed .*ECONNREFUSED/);
    assert.equal(existsSync(folder), false);
    assert.equal(existsSync(`${folder}.partial`), false);
    assert.equal((await trainerBackendWith(folder)).backend, 'wasm');
  });

  test('a damaged libtensorflow archive: a clear error, the trainer stays on wasm', async () => {
    const source = await servePackageSource(files, 'garbage');
    const folder = join(work.path, 'garbage', 'native-backend');
    try {
      await assert.rejects(install(folder, source), /npm install failed .*libtensorflow archive is damaged/);
      assert.equal(existsSync(folder), false);
      assert.equal((await trainerBackendWith(folder)).backend, 'wasm');
    } finally {
      await source.close();
    }
  });

  test('without npm on the PATH it says so; a cancelled install leaves nothing', async () => {
    const folder = join(work.path, 'no-npm', 'native-backend');
    await assert.rejects(install(folder, { cdn: 'http://127.0.0.1:9/', bindingMirror: 'http://127.0.0.1:9/' }, { PATH: '' }), /npm was not found on the PATH/);
    const source = await servePackageSource(files);
    try {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 1500);
      await assert.rejects(install(folder, source, {}, abort.signal), /cancelled/);
      assert.equal(existsSync(folder), false);
      assert.equal(existsSync(`${folder}.partial`), false);
    } finally {
      await source.close();
    }
  });
});
