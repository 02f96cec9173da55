// Installs and launches code-server: the real VS Code workbench (web) with a Node extension host,
// used by `npm start` when desktop VS Code is absent and by the vscode/e2e tests, because
// @vscode/test-electron cannot download desktop VS Code on machines without internet.
//
// The install follows the recipe in DESIGN.md ("A real VS Code on these machines"): code-server's own
// npm postinstall downloads things, so every install runs with --ignore-scripts and the native modules
// are rebuilt by hand; ripgrep comes from Debian. It goes into `.cache/code-server/` (gitignored;
// override with AUTOENCODER_LAB_CODE_SERVER_DIR) and writes a marker, so a second run is instant.
//
// CLI: node scripts/code-server.mjs install
//      node scripts/code-server.mjs serve <workspace> [--port N]   (keeps running until Ctrl+C)
/* global setTimeout, clearTimeout, fetch, AbortSignal */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installOnce } from './install-once.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = resolve(process.env.AUTOENCODER_LAB_CODE_SERVER_DIR ?? join(root, '.cache/code-server'));
const packageDir = join(cacheDir, 'node_modules/code-server');
const vscodeDir = join(packageDir, 'lib/vscode');
/** Bumped when the install steps change, so an older cache is redone. */
const RECIPE_REVISION = 2;
const markerFile = join(cacheDir, `installed-${CODE_SERVER_VERSION}-r${RECIPE_REVISION}.json`);
const lockDir = join(cacheDir, 'install.lock');
/** code-server's launcher script (a shell script that runs its bundled entry with `node`). */
export const codeServerBin = join(packageDir, 'out/node/entry.js');

/** npm refuses lifecycle scripts as root without unsafe-perm, and `npx`-style prompts need `yes`. */
const npmEnv = { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

function log(message) {
  console.error(`[code-server] ${message}`);
}

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** System packages the recipe needs; installed by .ci/run (apt), only checked here. */
export function checkSystemPackages() {
  const missing = [];
  if (!which('rg')) missing.push('ripgrep (rg: the workbench search needs it)');
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/krb5.h')) missing.push('libkrb5-dev (kerberos native module build)');
  if (!findChromium()) missing.push('chromium (tests and the code-server window are driven in it)');
  return missing;
}

export function findChromium() {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command, args, cwd, logFile) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env: npmEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(logFile, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n${result.stdout ?? ''}${result.stderr ?? ''}`, { flag: 'a' });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-25).join('\n');
    throw new Error(`code-server install step failed: ${command} ${args.join(' ')} (in ${cwd}, exit ${result.status})\n${tail}\nFull log: ${logFile}`);
  }
  log(`${command} ${args.slice(0, 3).join(' ')}… ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function install() {
  const missing = checkSystemPackages();
  if (missing.length > 0) {
    throw new Error(`code-server needs system packages that are missing: ${missing.join('; ')}.\n` +
      'Install them with: apt-get install -y chromium libkrb5-dev ripgrep   (.ci/run does this)');
  }
  const started = Date.now();
  const logFile = join(cacheDir, 'install.log');
  rmSync(join(cacheDir, 'node_modules'), { recursive: true, force: true });
  writeFileSync(logFile, `code-server ${CODE_SERVER_VERSION} install ${new Date().toISOString()}\n`);
  // A package.json of its own, so npm installs here and never walks up into the repo's node_modules.
  writeFileSync(join(cacheDir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2));
  log(`installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (a few minutes, once)`);
  run('npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], cacheDir, logFile);
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], vscodeDir, logFile);
  // native-watchdog is not in DESIGN.md's list: without it the extension host logs a load error and
  // loses the watchdog that ends it when its parent dies (no orphan extension hosts).
  run('npm', ['rebuild', 'kerberos', 'node-pty', '@vscode/spdlog', 'native-watchdog'], vscodeDir, logFile);
  // @vscode/ripgrep's postinstall downloads rg from GitHub: use Debian's instead.
  const rgDir = join(vscodeDir, 'node_modules/@vscode/ripgrep/bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(which('rg'), join(rgDir, 'rg'));
  // VS Code looks up native modules in node_modules.asar (packed in desktop builds).
  rmSync(join(vscodeDir, 'node_modules.asar'), { force: true });
  symlinkSync('node_modules', join(vscodeDir, 'node_modules.asar'));
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], join(vscodeDir, 'extensions'), logFile);
  // argon2 (password hashing, loaded even with --auth none) is hoisted beside code-server.
  run('npm', ['rebuild', 'argon2'], cacheDir, logFile);
  run(process.execPath, [codeServerBin, '--config', join(cacheDir, 'code-server.yaml'), '--version'], cacheDir, logFile);
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(markerFile, JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString(), seconds }, null, 2));
  log(`installed in ${seconds.toFixed(0)} s`);
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

/** Idempotent: installs once (guarded by a lock against concurrent callers), then returns the launcher path. */
export async function ensureCodeServer() {
  const isDone = () => existsSync(markerFile) && existsSync(codeServerBin);
  if (!isDone()) mkdirSync(cacheDir, { recursive: true });
  await installOnce({ what: 'code-server', lockDir, isDone, install });
  return codeServerBin;
}

/** Asks the OS for a free port on 127.0.0.1. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs, logFile) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited early (code ${child.exitCode}, signal ${child.signalCode}); log: ${logFile}\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s; log: ${logFile}\n${tail(logFile)}`);
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts code-server on 127.0.0.1 (no auth, no telemetry, no update check, no workspace-trust prompt)
 * and resolves when its HTTP server answers. `url` opens the workspace folder. `stop()` kills the whole
 * process group (code-server forks the extension host and the file watcher) and waits for it to end.
 */
export async function startCodeServer({ workspace, extensionsDir, userDataDir, port, logFile, env, timeoutMs = 60_000 }) {
  const bin = await ensureCodeServer();
  const chosenPort = port ?? (await freePort());
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const log = logFile ?? join(userDataDir, 'code-server.log');
  const out = createWriteStream(log, { flags: 'a' });
  await new Promise((done) => out.on('open', done));
  const args = [
    bin,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${chosenPort}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // Its own config file, so nothing is written to ~/.config/code-server.
    '--config', join(userDataDir, 'code-server.yaml'),
    workspace,
  ];
  const child = spawn(process.execPath, args, {
    detached: true, // own process group, so stop() reaches the extension host too
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env },
  });
  const baseUrl = `http://127.0.0.1:${chosenPort}`;
  let stopped;
  const stop = () => {
    stopped ??= new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      // The extension host and what it forked (the trainer) may have left the group: take them by ancestry.
      const family = descendants(child.pid);
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        killGroup(child.pid, 'SIGKILL'); // stragglers of the group
        for (const pid of family) killPid(pid, 'SIGKILL');
        out.end();
        done();
      });
      killGroup(child.pid, 'SIGTERM');
      for (const pid of family) killPid(pid, 'SIGTERM');
    });
    return stopped;
  };
  try {
    await waitForHttp(`${baseUrl}/healthz`, child, timeoutMs, log);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `${baseUrl}/?folder=${encodeURIComponent(resolve(workspace))}`;
  return { url, baseUrl, port: chosenPort, process: child, logFile: log, stop };
}

/** Every live descendant of a process (from `ps`), deepest last. */
function descendants(pid) {
  const result = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (result.status !== 0) return [];
  const children = new Map();
  for (const line of result.stdout.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function killPid(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Installs an extension (.vsix) into an extensions dir with code-server's own CLI. */
export async function installExtension(vsixPath, extensionsDir, userDataDir) {
  const bin = await ensureCodeServer();
  const result = spawnSync(process.execPath, [bin, '--config', join(userDataDir, 'code-server.yaml'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsixPath, '--force'], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'install') {
    const started = Date.now();
    const bin = await ensureCodeServer();
    console.log(`code-server ${CODE_SERVER_VERSION}: ${bin} (ready after ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else if (command === 'serve' && rest[0]) {
    const portIndex = rest.indexOf('--port');
    const state = join(cacheDir, 'serve');
    const server = await startCodeServer({
      workspace: resolve(rest[0]),
      extensionsDir: join(state, 'extensions'),
      userDataDir: join(state, 'user-data'),
      port: portIndex >= 0 ? Number(rest[portIndex + 1]) : undefined,
      timeoutMs: 120_000,
    });
    console.log(`code-server is serving ${rest[0]} at ${server.url}  (Ctrl+C to stop)`);
    const shutdown = () => server.stop().then(() => process.exit(0));
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } else {
    console.error('usage: node scripts/code-server.mjs install | serve <workspace> [--port N]');
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error.message ?? error);
    process.exit(1);
  });
}
