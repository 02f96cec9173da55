import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TrainerClient } from '../../trainer/trainer-client';
import { tfjsNodePackageIn } from '../../trainer/tfjs-node-location';

/*
 * Installs the native TensorFlow backend (@tensorflow/tfjs-node, or -gpu on Linux with CUDA) into a
 * folder of the extension's own (its global storage), since the packaged extension cannot ship it:
 * npm installs it there and runs tfjs-node's own install script, which downloads libtensorflow (from
 * TFJS_NODE_CDN_STORAGE when set) and its prebuilt binding (from npm_config_tfjs_binding_binary_host_mirror
 * when set), or builds the binding. Then a real trainer child process must load it before it counts
 * as installed. Plain Node (no vscode), so the unit tier tests it against a local package source.
 */

export type NativeVariant = 'tfjs-node' | 'tfjs-node-gpu';

export interface NativeInstallOptions {
  /** The folder the backend lives in: <global storage>/native-backend. */
  folder: string;
  /** The version of the bundled @tensorflow/tfjs: tfjs-node must match it. */
  version: string;
  variant: NativeVariant;
  /** dist/trainer.js, which must load the result. */
  trainerScript: string;
  /** The Node that runs the trainer (the extension host's own, run as Node). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface InstalledNativeBackend {
  folder: string;
  variant: NativeVariant;
  version: string;
  installedAt: string;
  /** The tfjs-node package folder the trainer loaded. */
  packageDir: string;
}

const MARKER = 'installed.json';

/** The installed backend in `folder`, if a complete install is there. */
export async function installedNativeBackend(folder: string): Promise<InstalledNativeBackend | undefined> {
  try {
    const marker = JSON.parse(await fs.readFile(join(folder, MARKER), 'utf8')) as InstalledNativeBackend;
    return tfjsNodePackageIn(folder) ? marker : undefined;
  } catch {
    return undefined;
  }
}

export async function removeNativeBackend(folder: string): Promise<void> {
  await fs.rm(folder, { recursive: true, force: true });
}

/** npm on the PATH, if any. */
export function findNpm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['npm.cmd'] : ['npm'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Installs into `<folder>.partial`, checks that the trainer loads it, then moves it to `folder`: a
 * failed or cancelled install leaves nothing behind and the trainer stays on wasm. Rejects with a
 * message that says what failed.
 */
export async function installNativeBackend(options: NativeInstallOptions): Promise<InstalledNativeBackend> {
  const { folder, version, variant, log } = options;
  const env = { ...process.env, ...options.env };
  const npm = findNpm(env);
  if (!npm) {
    throw new Error('npm was not found on the PATH. Install Node.js (with npm) and try again, or install a platform-specific .vsix that includes the native backend.');
  }
  const partial = `${folder}.partial`;
  await fs.rm(partial, { recursive: true, force: true });
  await fs.mkdir(partial, { recursive: true });
  try {
    // A package.json of its own, so npm installs here and never walks up into another project.
    await fs.writeFile(join(partial, 'package.json'), JSON.stringify({ name: 'autoencoder-lab-native-backend', private: true }, null, 2));
    log(`Installing @tensorflow/${variant}@${version} into ${partial} with ${npm}`);
    await runLogged(npm, ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--foreground-scripts', `@tensorflow/${variant}@${version}`], partial, env, log, options.signal);
    const packageDir = tfjsNodePackageIn(partial, variant);
    if (!packageDir) throw new Error(`npm finished but ${join(partial, 'node_modules/@tensorflow', variant)} is missing`);
    log('Checking that the trainer loads it…');
    await verifyInTrainer(partial, options, env);
    await fs.rm(folder, { recursive: true, force: true });
    await fs.rename(partial, folder);
    const installed: InstalledNativeBackend = { folder, variant, version, installedAt: new Date().toISOString(), packageDir: tfjsNodePackageIn(folder, variant)! };
    await fs.writeFile(join(folder, MARKER), JSON.stringify(installed, null, 2));
    log(`Installed: ${installed.packageDir}`);
    return installed;
  } catch (error) {
    await fs.rm(partial, { recursive: true, force: true });
    throw options.signal?.aborted ? new Error('The install was cancelled.') : error;
  }
}

/** A real trainer child process, pointed at the folder, must come up on the tensorflow backend. */
async function verifyInTrainer(folder: string, options: NativeInstallOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const client = new TrainerClient({
    trainerScript: options.trainerScript,
    execPath: options.execPath,
    env: { ...env, AUTOENCODER_LAB_TFJS_NODE: folder },
    preferredBackend: 'tensorflow',
  });
  try {
    const ready = await client.start();
    if (ready.backend !== 'tensorflow') {
      throw new Error(`it was installed but does not load: ${(ready.nativeFailures ?? []).join('; ') || `the trainer came up on ${ready.backend}`}`);
    }
    options.log(`The trainer loads it: backend tensorflow from ${ready.tfjsNode}`);
  } finally {
    client.dispose();
  }
}

/** Runs a command, streaming its output line by line to `log`; rejects with the tail on failure. */
function runLogged(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // npm refuses lifecycle scripts as root without unsafe-perm; the script prompts nothing.
    const child = spawn(command, args, { cwd, env: { ...env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_update_notifier: 'false' }, signal, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        log(line);
        tail.push(line);
        if (tail.length > 12) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => reject(signal?.aborted ? new Error('The install was cancelled.') : error));
    child.on('close', (code, exitSignal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.slice(0, 1).join(' ')} failed (${code !== null ? `exit ${code}` : exitSignal}): ${summarize(tail)}`));
    });
  });
}

/** The causes seen in npm's and tfjs-node's output, most specific first, in words. */
const CAUSES: Array<[RegExp, string]> = [
  [/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN/, 'a download failed ({0}): offline, behind a proxy (set HTTPS_PROXY) or a firewall?'],
  [/TAR_BAD_ARCHIVE|TAR_ENTRY_INVALID|invalid tar|zlib/i, 'the downloaded libtensorflow archive is damaged or not an archive'],
  [/Unsupported system/, 'tfjs-node has no build for this platform ({0})'],
  [/gyp ERR|node-pre-gyp ERR|make: \*\*\*|not found: (make|python|g\+\+)/i, 'building the native binding failed: are build tools (Python 3, make, a C++ compiler) installed?'],
];

/** One sentence for what went wrong, with the most telling line of the output. */
function summarize(tail: string[]): string {
  for (const [pattern, sentence] of CAUSES) {
    const line = tail.find((candidate) => pattern.test(candidate));
    if (line) return sentence.replace('{0}', line.match(pattern)?.[0] ?? line);
  }
  return tail.slice(-3).join(' ').replace(/npm (error|ERR!) /g, '').trim();
}

/** Linux with an NVIDIA driver: the GPU build is worth offering (CUDA and cuDNN must be installed). */
export function gpuPossible(): boolean {
  return process.platform === 'linux' && process.arch === 'x64' && spawnSync('nvidia-smi', ['-L'], { timeout: 5000 }).status === 0;
}
