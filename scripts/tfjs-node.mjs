// Builds @tensorflow/tfjs-node from source against the TensorFlow C library of the `tensorflow-cpu`
// Python wheel, for machines where its install script cannot download libtensorflow (DESIGN.md,
// "tfjs-node on these machines"). Used by `.ci/run`, `npm test` and `npm run bench`, so the trainer's
// tests and benchmarks run on the native backend too.
//
// The build goes into a folder of its own (`.cache/tfjs-node/`, or AUTOENCODER_LAB_TFJS_NODE), never
// into the project's node_modules: a tfjs-node there would silently switch every run to it. The
// trainer is pointed at it with AUTOENCODER_LAB_TFJS_NODE (src/trainer/tfjs-node-location.ts) and loads
// it against the project's own @tensorflow/tfjs. The venv (`.cache/venv-tf/`, or AUTOENCODER_LAB_TF_VENV)
// is kept, since deps/lib links into it. A marker file makes a second run instant.
//
// CLI: node scripts/tfjs-node.mjs install   (prints the folder to set AUTOENCODER_LAB_TFJS_NODE to)
//      node scripts/tfjs-node.mjs path      (prints it when built, exits 1 otherwise)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installOnce } from './install-once.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The version of the project's @tensorflow/tfjs: tfjs-node must match it. */
export const TFJS_NODE_VERSION = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version;
export const TENSORFLOW_WHEEL = 'tensorflow-cpu==2.21.0';
/** Bumped when the build steps change, so an older cache is redone. */
const RECIPE_REVISION = 1;

export const buildDir = resolve(process.env.AUTOENCODER_LAB_TFJS_NODE ?? join(root, '.cache/tfjs-node'));
export const venvDir = resolve(process.env.AUTOENCODER_LAB_TF_VENV ?? join(root, '.cache/venv-tf'));
export const packageDir = join(buildDir, 'node_modules/@tensorflow/tfjs-node');
const markerFile = join(buildDir, `built-${TFJS_NODE_VERSION}-r${RECIPE_REVISION}.json`);
const lockDir = join(buildDir, 'build.lock');
const logFile = join(buildDir, 'build.log');

const npmEnv = { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

function log(message) {
  console.error(`[tfjs-node] ${message}`);
}

function run(command, args, cwd) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env: npmEnv, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(logFile, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`, { flag: 'a' });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-25).join('\n');
    throw new Error(`tfjs-node build step failed: ${command} ${args.join(' ')} (in ${cwd}, exit ${result.status ?? result.error})\n${tail}\nFull log: ${logFile}`);
  }
  log(`${command} ${args.slice(0, 3).join(' ')}… ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.stdout;
}

/** The wheel's `tensorflow` package folder, holding libtensorflow_cc.so.2 and the C headers. */
function tensorflowDir() {
  const python = join(venvDir, 'bin/python');
  const probe = "import tensorflow, os; print(os.path.dirname(tensorflow.__file__))";
  if (existsSync(python)) {
    const found = spawnSync(python, ['-c', probe], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    if (found.status === 0 && existsSync(join(found.stdout.trim(), 'libtensorflow_cc.so.2'))) return found.stdout.trim();
  }
  rmSync(venvDir, { recursive: true, force: true });
  run('python3', ['-m', 'venv', venvDir], root);
  // --retries 1: where the public index is unreachable, pip otherwise backs off for minutes per package.
  run(join(venvDir, 'bin/pip'), ['install', '-q', '--retries', '1', '--disable-pip-version-check', TENSORFLOW_WHEEL], root);
  return run(python, ['-c', probe], root).trim();
}

function build() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`tfjs-node from the tensorflow-cpu wheel is set up for linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  const started = Date.now();
  rmSync(join(buildDir, 'node_modules'), { recursive: true, force: true });
  writeFileSync(logFile, `tfjs-node ${TFJS_NODE_VERSION} build ${new Date().toISOString()}\n`);
  const tfDir = tensorflowDir();
  log(`TensorFlow C library: ${tfDir}`);
  // A package.json of its own, so npm installs here and never walks up into the repo's node_modules.
  writeFileSync(join(buildDir, 'package.json'), JSON.stringify({ name: 'tfjs-node-build', private: true }, null, 2));
  run('npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`], buildDir);
  const lib = join(packageDir, 'deps/lib');
  mkdirSync(lib, { recursive: true });
  // libtensorflow_cc exports the TF_/TFE_ C API that the binding links against as -ltensorflow.
  symlinkSync(join(tfDir, 'libtensorflow_cc.so.2'), join(lib, 'libtensorflow.so'));
  symlinkSync(join(tfDir, 'libtensorflow_cc.so.2'), join(lib, 'libtensorflow_cc.so.2'));
  symlinkSync(join(tfDir, 'libtensorflow_framework.so.2'), join(lib, 'libtensorflow_framework.so'));
  symlinkSync(join(tfDir, 'libtensorflow_framework.so.2'), join(lib, 'libtensorflow_framework.so.2'));
  symlinkSync(join(tfDir, 'include'), join(packageDir, 'deps/include'));
  // Node's own headers ship in /usr/include/node on these machines; elsewhere node-gyp fetches them.
  const nodedir = existsSync('/usr/include/node/node_api.h') ? ['--nodedir=/usr'] : [];
  run(join(buildDir, 'node_modules/.bin/node-pre-gyp'), ['rebuild', '--build-from-source', ...nodedir], packageDir);
  verify();
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(markerFile, JSON.stringify({ version: TFJS_NODE_VERSION, tensorflow: TENSORFLOW_WHEEL, tensorflowDir: tfDir, builtAt: new Date().toISOString(), seconds }, null, 2));
  log(`built in ${seconds.toFixed(0)} s`);
}

/** Loads the build in a child process and checks that it reports the tensorflow backend. */
function verify() {
  const script = `const tf = require(${JSON.stringify(packageDir)}); tf.ready().then(() => { if (tf.getBackend() !== 'tensorflow') throw new Error('backend ' + tf.getBackend()); console.log(tf.tensor([1, 2]).sum().dataSync()[0]); });`;
  const output = run(process.execPath, ['-e', script], buildDir).trim();
  if (output !== '3') throw new Error(`tfjs-node built but computed ${output} for 1 + 2`);
}

export function isBuilt() {
  return existsSync(markerFile) && existsSync(join(packageDir, 'package.json'));
}

/** Idempotent: builds once (guarded by a lock against concurrent callers), then returns buildDir. */
export async function ensureTfjsNode() {
  if (!isBuilt()) mkdirSync(buildDir, { recursive: true });
  await installOnce({ what: 'tfjs-node', lockDir, isDone: isBuilt, install: build });
  return buildDir;
}

async function main() {
  const [command] = process.argv.slice(2);
  if (command === 'install') {
    console.log(await ensureTfjsNode());
  } else if (command === 'path') {
    if (!isBuilt()) {
      console.error(`tfjs-node is not built in ${buildDir} (node scripts/tfjs-node.mjs install)`);
      process.exit(1);
    }
    console.log(buildDir);
  } else {
    console.error('usage: node scripts/tfjs-node.mjs install | path');
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
