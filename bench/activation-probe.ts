/**
 * A proxy for the extension host's activation cost, run by bench/bench.ts in a process of its own:
 * loads dist/extension.js with a stand-in `vscode` module (every property a callable, constructible
 * stand-in) and calls activate() with a stand-in context. Prints the time to load and to activate,
 * and whether any @tensorflow module got loaded (it must not: only the trainer child loads tfjs).
 * The real activation inside VS Code is exercised by the e2e suite; this figure is the bundle's own cost.
 *
 *   node --import tsx bench/activation-probe.ts <dist/extension.js>
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { resolve } from 'node:path';

/** Anything: callable, constructible, every property another stand-in, empty as a string. */
function standIn(name: string): unknown {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get(_target, property) {
      if (property === Symbol.toPrimitive) return () => '';
      if (property === 'then') return undefined; // not a promise
      if (property === Symbol.iterator) return function* () {};
      if (property === 'prototype') return Object.prototype;
      if (!cache.has(property)) cache.set(property, standIn(`${name}.${String(property)}`));
      return cache.get(property);
    },
    set(_target, property, value) {
      cache.set(property, value);
      return true;
    },
    apply: () => standIn(`${name}()`),
    construct: () => standIn(`new ${name}`) as object,
  });
}

/**
 * The module itself: esbuild's CommonJS interop copies a module's own property names, so the root
 * has every name the vscode API exports (read from @types/vscode) as its own keys.
 */
function vscodeModuleStandIn(): object {
  const declarations = readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [process.cwd()] }), 'utf8');
  const names = [...new Set(Array.from(declarations.matchAll(/^\s*export (?:class|enum|namespace|const|function|let) ([A-Za-z_$][\w$]*)/gm), (m) => m[1]))];
  const members = standIn('vscode') as Record<string, unknown>;
  const root: Record<string, unknown> = {};
  for (const name of names) Object.defineProperty(root, name, { enumerable: true, get: () => members[name] });
  return root;
}

const extensionPath = resolve(process.argv[2] ?? 'dist/extension.js');
const vscodeStandIn = vscodeModuleStandIn();
const moduleWithLoad = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscodeStandIn;
  return originalLoad.call(this, request, parent, isMain);
};

const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require(extensionPath) as { activate(context: unknown): unknown; deactivate?(): unknown };
const loadedMs = performance.now() - t0;
let activateMs = NaN;
let activateError: string | undefined;
try {
  const t1 = performance.now();
  extension.activate(standIn('context'));
  activateMs = performance.now() - t1;
} catch (error) {
  activateError = error instanceof Error ? error.message : String(error);
}
const tfjsModules = Object.keys(require.cache).filter((file) => file.includes('@tensorflow'));
process.stdout.write(
  'BENCH_RESULT ' + JSON.stringify({ kind: 'activation', loadMs: loadedMs, activateMs, activateError, tfjsModulesLoaded: tfjsModules.length }) + '\n',
);
process.exit(0);
