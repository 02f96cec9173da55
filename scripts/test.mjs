// `npm test`: build, type check, lint, then every test tier in one node:test run, so the runner's
// closing summary counts them all. Tiers are named by where they run:
//   unit    — plain Node (readers, models, the trainer as a real child process, the CLI)
//   webview — the lab's browser code in real headless Chromium
//   vscode  — the integration suite inside a real VS Code (code-server's extension host)
//   e2e     — the real workbench driven through the command palette
// Usage: node scripts/test.mjs [tier …]   (default: all tiers)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const allTiers = ['unit', 'webview', 'vscode', 'e2e'];
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : allTiers;
for (const tier of tiers) {
  if (!allTiers.includes(tier)) {
    console.error(`unknown test tier "${tier}" (known: ${allTiers.join(', ')})`);
    process.exit(2);
  }
}

function step(title, command, args) {
  console.log(`\n> ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

function testFiles(folder) {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(relative(root, path)));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found.sort();
}

// The native backend where it has been built (scripts/tfjs-node.mjs; .ci/run builds it): the trainer
// tests then run on tensorflow as well as wasm. Never taken from node_modules (see that script).
const builtTfjsNode = join(root, '.cache/tfjs-node/node_modules/@tensorflow/tfjs-node/lib');
if (!process.env.AUTOENCODER_LAB_TFJS_NODE && existsSync(builtTfjsNode)) process.env.AUTOENCODER_LAB_TFJS_NODE = join(root, '.cache/tfjs-node');
console.log(process.env.AUTOENCODER_LAB_TFJS_NODE ? `tfjs-node: ${process.env.AUTOENCODER_LAB_TFJS_NODE} (tests run on tensorflow and wasm)` : 'tfjs-node: not built (node scripts/tfjs-node.mjs install); tests run on wasm');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
step('build', npm, ['run', '--silent', 'build']);
step('type check', npm, ['run', '--silent', 'typecheck']);
step('lint', npm, ['run', '--silent', 'lint']);
if (tiers.includes('e2e') || tiers.includes('vscode')) {
  // The workbench tiers need the packaged extension and a code-server install.
  step('package the extension', npm, ['run', '--silent', 'package']);
  step('install code-server', process.execPath, ['scripts/code-server.mjs', 'install']);
}

const files = tiers.flatMap((tier) => testFiles(join('test', tier)));
console.log(`\n> tests: ${tiers.join(', ')} (${files.length} files)`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit', env: process.env },
);
process.exit(result.status ?? 1);
