import Module from 'node:module';
import { dirname, sep } from 'node:path';
import * as util from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { TFJS_NODE_LOCATION_ENV, tfjsNodePackageIn } from './tfjs-node-location';

export interface LoadedTfjsNode {
  /** The tfjs-node package folder it was loaded from. */
  packageDir: string;
}

function candidates(): string[] {
  const found: string[] = [];
  const explicit = process.env[TFJS_NODE_LOCATION_ENV];
  if (explicit) {
    const inFolder = tfjsNodePackageIn(explicit);
    if (inFolder) found.push(inFolder);
  }
  try {
    found.push(dirname(require.resolve('@tensorflow/tfjs-node/package.json')));
  } catch {
    // not installed beside the project: the usual case for the packaged extension
  }
  return found;
}

/**
 * Loads tfjs-node into the trainer's own tfjs engine, or returns undefined (with the reason in
 * `failures`) when no copy loads. tfjs-node's `require('@tensorflow/tfjs')` would otherwise find its own
 * copy (its dependency in the install folder, or nothing at all beside the bundled trainer): a second
 * tfjs-core whose tensors and kernels the trainer would never see. So its requests for tfjs are
 * answered with the trainer's module, and the result is checked on the engine.
 */
export function loadTfjsNode(failures: string[] = []): LoadedTfjsNode | undefined {
  addLegacyUtilShim();
  // TensorFlow's C++ info lines would fill the stderr tail that a crash report shows.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // libtensorflow's C library leaves oneDNN's kernels off unless asked (TensorFlow's Python turns them on):
  // measured here, conv 1.85x and dense 1.27x faster per epoch with them (bench/README.md).
  process.env.TF_ENABLE_ONEDNN_OPTS ??= '1';
  for (const packageDir of candidates()) {
    const restore = shareTfjsWith(packageDir);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional, native, found at run time
      require(packageDir);
      if (!tf.findBackend('tensorflow')) throw new Error('it loaded but registered no tensorflow backend in the trainer\'s tfjs engine');
      return { packageDir };
    } catch (error) {
      failures.push(`${packageDir}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    } finally {
      restore();
    }
  }
  return undefined;
}

type ModuleLoad = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;

/** Answers tfjs-node's requests for @tensorflow/tfjs (and -core, which tfjs re-exports) with the trainer's copy. */
function shareTfjsWith(packageDir: string): () => void {
  const loader = Module as unknown as { _load: ModuleLoad };
  const original = loader._load;
  const inside = packageDir + sep;
  loader._load = function (request, parent, isMain) {
    if ((request === '@tensorflow/tfjs' || request === '@tensorflow/tfjs-core') && parent?.filename?.startsWith(inside)) return tf;
    return original.call(this, request, parent, isMain);
  };
  // tfjs-node requires everything when it loads, so the hook is needed only meanwhile.
  return () => {
    loader._load = original;
  };
}

/** tfjs-node 4.22 calls util.isNullOrUndefined, which Node >= 23 (and VS Code's Electron) removed. */
function addLegacyUtilShim(): void {
  const legacyUtil = util as typeof util & { isNullOrUndefined?: (value: unknown) => boolean };
  if (typeof legacyUtil.isNullOrUndefined !== 'function') {
    legacyUtil.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
  }
}
