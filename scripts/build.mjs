// One esbuild script, one entry per target. Type checking is a separate step (`npm run typecheck`).
// Usage: node scripts/build.mjs [--watch] [--production]   the extension, into dist/
//        node scripts/build.mjs --suite                     only the vscode integration suite, into out/test/
//                                                           (test code never lands in the product's dist/)
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');

const nodeTarget = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // tfjs-node is optional and native: loaded at run time when installed, never bundled.
  external: ['vscode', '@tensorflow/tfjs-node'],
};

const browserTarget = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** Every target: [entry source, output file, options]. */
const targets = [
  ['src/extension/extension.ts', 'extension.js', nodeTarget],
  ['src/trainer/trainer-process.ts', 'trainer.js', nodeTarget],
  // Data-parallel training's second thread, started by the trainer from beside itself.
  ['src/trainer/parallel/gradient-worker.ts', 'gradient-worker.js', nodeTarget],
  ['src/cli/cli.ts', 'cli.js', { ...nodeTarget, banner: { js: '#!/usr/bin/env node' } }],
  ['webview/lab/main.ts', 'webview/lab.js', browserTarget],
  ['webview/training-view/main.ts', 'webview/training-view.js', browserTarget],
  ['webview/inspector/main.ts', 'webview/inspector.js', browserTarget],
];

/** The vscode integration suite, run by test-electron or inside code-server by the runner extension. */
const SUITE = ['test/vscode/suite.ts', join(root, 'out', 'test', 'vscode-suite.js')];

/** Files shipped beside the bundles: wasm binaries (loaded from beside the trainer), codicons, chart css. */
function copyAssets() {
  const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  mkdirSync(join(dist, 'wasm'), { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    cpSync(join(wasmDir, file), join(dist, 'wasm', file));
  }
  mkdirSync(join(dist, 'webview'), { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    cpSync(join(root, 'node_modules/@vscode/codicons/dist', file), join(dist, 'webview', file));
  }
  cpSync(join(root, 'node_modules/uplot/dist/uPlot.min.css'), join(dist, 'webview/uPlot.min.css'));
}

async function main() {
  if (process.argv.includes('--suite')) {
    await esbuild.build({ ...nodeTarget, entryPoints: [join(root, SUITE[0])], outfile: SUITE[1] });
    return;
  }
  if (!watch) rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  copyAssets();
  const contexts = [];
  for (const [entry, outfile, options] of targets) {
    if (!existsSync(join(root, entry))) throw new Error(`build: entry ${entry} is missing`);
    const config = { ...options, entryPoints: [join(root, entry)], outfile: join(dist, outfile) };
    if (watch) {
      const ctx = await esbuild.context(config);
      await ctx.watch();
      contexts.push(ctx);
    } else {
      await esbuild.build(config);
    }
  }
  if (watch) console.log(`watching ${contexts.length} targets`);
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
