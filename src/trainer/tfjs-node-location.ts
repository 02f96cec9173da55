import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where tfjs-node can come from, first match wins: the folder named by AUTOENCODER_LAB_TFJS_NODE (the
 * extension sets it to the native backend it installed into its global storage; tests, CI and the CLI
 * to a build of scripts/tfjs-node.mjs), then the project's node_modules (a developer's checkout).
 */
export const TFJS_NODE_LOCATION_ENV = 'AUTOENCODER_LAB_TFJS_NODE';

/**
 * The tfjs-node package folder inside `folder`: the package itself or an install prefix holding
 * node_modules (with tfjs-node or, on Linux with CUDA, tfjs-node-gpu).
 */
export function tfjsNodePackageIn(folder: string, variant?: 'tfjs-node' | 'tfjs-node-gpu'): string | undefined {
  const variants = variant ? [variant] : ['tfjs-node', 'tfjs-node-gpu'];
  for (const candidate of [folder, ...variants.map((name) => join(folder, 'node_modules', '@tensorflow', name))]) {
    if (existsSync(join(candidate, 'package.json')) && existsSync(join(candidate, 'dist', 'index.js'))) return candidate;
  }
  return undefined;
}
