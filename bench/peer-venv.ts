import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Python the bench's current peers run on: a venv it creates with PyTorch 2 (the CPU wheel: a plain
 * `torch` resolves to the CUDA build) and Keras 3 on tensorflow-cpu, from the Python package registry.
 * `.cache/venv-peers/` (AUTOENCODER_LAB_PEER_VENV overrides), with a marker so a second run is instant.
 */
export const PEER_PACKAGES = ['torch==2.13.0+cpu', 'tensorflow-cpu==2.21.0'];

export interface PeerVenv {
  python?: string;
  /** Why there is none: the install failed (no registry, no wheel for this Python). */
  reason?: string;
  versions?: Record<string, string>;
}

export function ensurePeerVenv(root: string, log: (text: string) => void): PeerVenv {
  const dir = process.env.AUTOENCODER_LAB_PEER_VENV ?? join(root, '.cache/venv-peers');
  const python = join(dir, 'bin/python');
  const marker = join(dir, `bench-peers-${PEER_PACKAGES.join('-').replace(/[^\w.-]+/g, '_')}.json`);
  if (existsSync(marker) && existsSync(python)) return { python, versions: JSON.parse(readFileSync(marker, 'utf8')) };
  log(`creating the peers' venv in ${dir} (${PEER_PACKAGES.join(', ')}; a few minutes, once)`);
  const steps: Array<[string, string[]]> = [
    ['python3', ['-m', 'venv', dir]],
    // --retries 1: where the public index is unreachable, pip otherwise backs off for minutes per package.
    [join(dir, 'bin/pip'), ['install', '-q', '--retries', '1', '--disable-pip-version-check', ...PEER_PACKAGES]],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30 * 60_000 });
    if (result.status !== 0) {
      const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((line) => line && !line.startsWith('WARNING: Location')).slice(-3).join(' ');
      return { reason: `${command} ${args.slice(0, 2).join(' ')} failed: ${tail || result.error}` };
    }
  }
  const probe = spawnSync(python, ['-c', 'import json, torch, keras, tensorflow; print(json.dumps({"torch": torch.__version__, "keras": keras.__version__, "tensorflow": tensorflow.__version__}))'], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  if (probe.status !== 0) return { reason: `the peers' venv does not import torch, keras and tensorflow: ${probe.stderr.trim().split('\n').at(-1)}` };
  const versions = JSON.parse(probe.stdout.trim().split('\n').at(-1)!) as Record<string, string>;
  writeFileSync(marker, JSON.stringify(versions, null, 2));
  return { python, versions };
}
