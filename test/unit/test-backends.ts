import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../src/trainer/backend';
import { TFJS_NODE_LOCATION_ENV } from '../../src/trainer/tfjs-node-location';

export type TestBackend = 'wasm' | 'tensorflow';

/**
 * The backend matrix of the unit and trainer tiers: wasm always; tensorflow too where tfjs-node is at
 * hand (AUTOENCODER_LAB_TFJS_NODE, set by `npm test` and `.ci/run` to the build of scripts/tfjs-node.mjs).
 * Where it is set, a tfjs-node that does not load fails the tests instead of skipping them.
 */
export const nativeAtHand = Boolean(process.env[TFJS_NODE_LOCATION_ENV]);
export const TEST_BACKENDS: TestBackend[] = nativeAtHand ? ['wasm', 'tensorflow'] : ['wasm'];

/** Switches this process's tfjs to `name` (registering it on first use); fails the test when it cannot. */
export async function useBackend(name: TestBackend): Promise<typeof tf> {
  const failures: string[] = [];
  assert.ok(await activateBackend(name, failures), `backend ${name} did not load: ${failures.join('; ') || 'no reason given'}`);
  assert.equal(tf.getBackend(), name);
  return tf;
}
