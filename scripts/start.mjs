// `npm start`: builds, then opens Autoencoder Lab on the bundled sample workspace (samples/).
//   - desktop VS Code when `code` is on the PATH: `code --extensionDevelopmentPath=<repo> samples/`
//   - otherwise code-server (the same workbench in a browser) on 127.0.0.1, with this build of the
//     extension installed; prints the address and keeps serving until Ctrl+C.
//   - `npm start -- --cli`: no editor at all; trains 3 epochs headless with the CLI and prints the report.
// Options: --port N (code-server), --code-server (skip desktop VS Code even when `code` exists).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSystemPackages, startCodeServer } from './code-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(root, 'samples');
const sampleDataset = join(samples, 'fashion-mnist/train-images-idx3-ubyte.gz');
const args = process.argv.slice(2);

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function build() {
  const result = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('start: the build failed (node scripts/build.mjs)');
}

function option(name) {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Headless: the CLI trains on the sample, writes a run folder with report.html and prints its path. */
function startCli() {
  const result = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'train', sampleDataset, '--epochs', '3'], { cwd: samples, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`start: the CLI training failed (exit ${result.status})`);
}

/** The helper extension that opens the lab on the sample once the window is up (never shipped). */
const startHelper = join(root, 'scripts/start-extension');

function startDesktop(code) {
  console.log(`Opening ${samples} in VS Code with the extension from ${root}`);
  const child = spawn(code, [`--extensionDevelopmentPath=${root}`, `--extensionDevelopmentPath=${startHelper}`, samples], { stdio: 'inherit', detached: true });
  child.unref();
  console.log('The lab opens on the Fashion-MNIST sample; press Run in its Train cell, or F1 → "Autoencoder: Train Autoencoder".');
}

/**
 * code-server has no --extensionDevelopmentPath: the extensions dir gets a link to this repo under
 * the extension's installed name, so a rebuild plus "Developer: Reload Window" picks up changes.
 */
async function startInCodeServer() {
  const state = join(root, '.cache/code-server/start');
  const extensionsDir = join(state, 'extensions');
  const userDataDir = join(state, 'user-data');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const link = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(extensionsDir, { recursive: true });
  rmSync(link, { recursive: true, force: true });
  symlinkSync(root, link, 'dir');
  const helperLink = join(extensionsDir, `${manifest.publisher}.start-helper-0.0.1`);
  rmSync(helperLink, { recursive: true, force: true });
  symlinkSync(startHelper, helperLink, 'dir');
  const settingsFile = join(userDataDir, 'User/settings.json');
  if (!existsSync(settingsFile)) {
    mkdirSync(dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'git.openRepositoryInParentFolders': 'never' }, null, 2));
  }
  const port = option('--port') ? Number(option('--port')) : undefined;
  console.log('Starting code-server (installed on first use into .cache/code-server, about a minute)…');
  const server = await startCodeServer({ workspace: samples, extensionsDir, userDataDir, port, timeoutMs: 120_000 });
  console.log(`\nAutoencoder Lab is running in code-server: ${server.url}`);
  console.log('Open it in a browser: the lab opens on the Fashion-MNIST sample; press Run in its Train cell, or F1 → "Autoencoder: Train Autoencoder".');
  console.log(`Log: ${server.logFile}. Ctrl+C stops it.`);
  let stopping = false;
  const shutdown = () => {
    stopping = true;
    server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  server.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`code-server exited (${code}); log: ${server.logFile}`);
    process.exit(1);
  });
}

async function main() {
  build();
  if (args.includes('--cli')) return startCli();
  const code = args.includes('--code-server') ? undefined : which('code');
  if (code) return startDesktop(code);
  // code-server needs a few system packages to build its native modules; without them the main
  // job still runs, headless, and says how to get the workbench.
  const missing = checkSystemPackages().filter((item) => !item.startsWith('chromium'));
  if (missing.length > 0) {
    console.log(`No \`code\` on the PATH, and code-server needs: ${missing.join('; ')}.`);
    console.log('Install them (apt-get install -y libkrb5-dev ripgrep) for the lab in a browser; training headless meanwhile.');
    return startCli();
  }
  await startInCodeServer();
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
