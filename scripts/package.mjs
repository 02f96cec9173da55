// `npm run package`: production build, then a .vsix with @vscode/vsce, then a check of what went in.
//
// --no-dependencies: everything the extension runs is bundled by esbuild into dist/ (tfjs, the wasm
// backend and its .wasm files, zod, the readers, the webview toolkit), so no node_modules are shipped.
// @tensorflow/tfjs-node stays an optional, external dependency: it is native and per platform, and its
// install downloads libtensorflow; the trainer uses it only where it is installed, otherwise wasm.
//
// --allow-missing-repository / --no-rewrite-relative-links: the project has no public repository URL
// yet; without them vsce stops to ask (or fails without a terminal) and rewrites README links to nowhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const vsixPath = join(root, 'autoencoder-lab.vsix');

function step(title, args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`package: ${title} failed (exit ${result.status})`);
  console.log(`package: ${title} ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The .vsix must hold the runnable extension and nothing a user does not need. */
export function checkVsixContents(file) {
  const entries = [];
  // The filter sees every entry's name; returning false skips decompressing it.
  unzipSync(new Uint8Array(readFileSync(file)), { filter: (entry) => (entries.push(entry.name), false) });
  const names = entries.map((entry) => entry.replace(/^extension\//, ''));
  const required = ['package.json', 'dist/extension.js', 'dist/trainer.js', 'dist/cli.js', 'dist/webview/lab.js', 'dist/wasm/tfjs-backend-wasm-simd.wasm'];
  const missing = required.filter((name) => !names.includes(name));
  const forbidden = names.filter((name) => /^(src|test|webview|samples|node_modules|scripts|bench|\.cache)\//.test(name) || name.endsWith('.map') || name.startsWith('dist/test/'));
  const problems = [];
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  if (forbidden.length > 0) problems.push(`should not contain ${forbidden.slice(0, 10).join(', ')}${forbidden.length > 10 ? ' …' : ''}`);
  if (problems.length > 0) throw new Error(`package: ${file}: ${problems.join('; ')}`);
  return names;
}

function main() {
  step('production build', ['scripts/build.mjs', '--production']);
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  if (!existsSync(vsce)) throw new Error('package: @vscode/vsce is not installed (run npm ci)');
  step('vsce package', [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsixPath]);
  const names = checkVsixContents(vsixPath);
  const size = statSync(vsixPath).size;
  console.log(`package: ${vsixPath} ${(size / 1024 / 1024).toFixed(2)} MiB, ${names.length} files`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(error.message ?? error);
    process.exit(1);
  }
}
