/**
 * Figures of the extension side: the host bundle must not contain tfjs (only the trainer child
 * loads it), its size, an activation-cost proxy, and the packaged .vsix.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { unzipSync } from 'fflate';

export interface BundleFigures {
  file: string;
  bytes: number;
  /** tfjs modules in the bundle: esbuild's `// node_modules/@tensorflow/…` module headers and requires of @tensorflow packages. */
  tensorflowMentions: number;
}

export interface ActivationFigures {
  loadMs: number;
  activateMs: number;
  activateError?: string;
  tfjsModulesLoaded: number;
}

export interface VsixFigures {
  file: string;
  bytes: number;
  files: number;
  extensionJsBytes?: number;
  /** Whether the packaged extension.js bundles or requires a tfjs module. */
  extensionJsMentionsTensorflow?: boolean;
  trainerJsBytes?: number;
}

export function bundleFigures(file: string): BundleFigures {
  const text = readFileSync(file, 'utf8');
  return { file, bytes: statSync(file).size, tensorflowMentions: tensorflowModules(text) };
}

/**
 * Runs bench/activation-probe.ts compiled to plain CommonJS and run by plain node (no tsx hooks in
 * the timing), several times; returns the median run.
 */
export function activationFigures(root: string, extensionJs: string, runs = 5): ActivationFigures | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ae-bench-probe-'));
  try {
    const probe = join(dir, 'activation-probe.cjs');
    esbuild.buildSync({ entryPoints: [join(root, 'bench/activation-probe.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: probe, logLevel: 'silent' });
    const results: ActivationFigures[] = [];
    for (let i = 0; i < runs; i++) {
      const child = spawnSync(process.execPath, [probe, extensionJs], { encoding: 'utf8', timeout: 60_000 });
      const line = child.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) {
        const reason = child.stderr.split('\n').find((l) => /Error/.test(l)) ?? child.stderr.trim().split('\n')[0] ?? `exit ${child.status}`;
        return { error: `activation probe failed: ${reason}` };
      }
      results.push(JSON.parse(line.slice('BENCH_RESULT '.length)) as ActivationFigures);
    }
    results.sort((a, b) => a.loadMs + a.activateMs - (b.loadMs + b.activateMs));
    return results[Math.floor(results.length / 2)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function vsixFigures(file: string): VsixFigures | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const entries = unzipSync(new Uint8Array(bytes));
  const names = Object.keys(entries);
  const extensionJs = names.find((name) => name.endsWith('extension/dist/extension.js'));
  const trainerJs = names.find((name) => name.endsWith('extension/dist/trainer.js'));
  const extensionText = extensionJs ? new TextDecoder().decode(entries[extensionJs]) : undefined;
  return {
    file,
    bytes: bytes.length,
    files: names.filter((name) => !name.endsWith('/')).length,
    extensionJsBytes: extensionJs ? entries[extensionJs].length : undefined,
    extensionJsMentionsTensorflow: extensionText ? tensorflowModules(extensionText) > 0 : undefined,
    trainerJsBytes: trainerJs ? entries[trainerJs].length : undefined,
  };
}

/**
 * Bundled or required tfjs modules, not mere mentions: the extension host's native-backend commands name
 * the @tensorflow packages they install in strings, which loads nothing.
 */
function tensorflowModules(bundle: string): number {
  return (bundle.match(/^\/\/ node_modules\/@tensorflow\/|require\(["']@tensorflow\//gm) ?? []).length;
}
