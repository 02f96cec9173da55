import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from './run-folder';

/**
 * A checkpoint of the last finished epoch, enough to continue training exactly where it stopped:
 * every model weight, the optimizer's state (Adam's moments and step count), the epoch, and the
 * random state. The shuffle of epoch e is drawn from a generator seeded by (seed, e), so the random
 * state is the seed and the next epoch; nothing else needs saving.
 *
 *   checkpoint/latest.json        { epoch, folder }  — switched atomically once a folder is complete
 *   checkpoint/epoch-0003/state.json, weights.bin, optimizer.bin
 *
 * A trainer killed while writing leaves a half-written folder that latest.json does not name.
 */

export interface CheckpointRandomState {
  seed: number;
  /** The epoch whose shuffle comes next. */
  nextEpoch: number;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Offset and length in bytes in the .bin file. */
  offset: number;
  length: number;
}

interface CheckpointState {
  /** Epochs finished (1-based count). */
  epoch: number;
  random: CheckpointRandomState;
  weights: TensorEntry[];
  optimizer: TensorEntry[];
  savedAt: string;
}

interface LatestFile {
  epoch: number;
  folder: string;
}

export interface LoadedCheckpoint {
  epoch: number;
  random: CheckpointRandomState;
}

export async function saveCheckpoint(
  checkpointDir: string,
  epoch: number,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  random: CheckpointRandomState,
): Promise<void> {
  await fs.mkdir(checkpointDir, { recursive: true });
  const folder = `epoch-${String(epoch).padStart(4, '0')}`;
  const target = join(checkpointDir, folder);
  await fs.rm(target, { recursive: true, force: true });
  await fs.mkdir(target);

  const weights = await encodeTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
  const optimizerWeights = await optimizer.getWeights();
  const optimizerState = await encodeTensors(optimizerWeights);
  // getWeights returns the optimizer's live variables (keep them) plus a fresh step-count scalar.
  tf.dispose(optimizerWeights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));

  await fs.writeFile(join(target, 'weights.bin'), weights.bytes);
  await fs.writeFile(join(target, 'optimizer.bin'), optimizerState.bytes);
  const state: CheckpointState = {
    epoch,
    random,
    weights: weights.entries,
    optimizer: optimizerState.entries,
    savedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(join(target, 'state.json'), state);
  await writeJsonAtomic(join(checkpointDir, 'latest.json'), { epoch, folder } satisfies LatestFile);

  // Older epochs are no longer needed once latest.json names the new one.
  for (const entry of await fs.readdir(checkpointDir)) {
    if (entry.startsWith('epoch-') && entry !== folder) await fs.rm(join(checkpointDir, entry), { recursive: true, force: true });
  }
}

/** The epoch of the last complete checkpoint, or undefined. */
export async function latestCheckpointEpoch(checkpointDir: string): Promise<number | undefined> {
  const latest = await readJsonFile<LatestFile>(join(checkpointDir, 'latest.json')).catch(() => undefined);
  return typeof latest?.epoch === 'number' ? latest.epoch : undefined;
}

/**
 * Restores the model's weights and the optimizer's state from the last complete checkpoint.
 * Throws a one-line error when there is none or it does not fit the model (a different config).
 */
export async function loadCheckpoint(checkpointDir: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<LoadedCheckpoint> {
  const latest = await readJsonFile<LatestFile>(join(checkpointDir, 'latest.json'));
  if (!latest) throw new Error(`${checkpointDir}: no checkpoint to resume from (the run did not finish an epoch)`);
  const folder = join(checkpointDir, latest.folder);
  const state = await readJsonFile<CheckpointState>(join(folder, 'state.json'));
  if (!state) throw new Error(`${folder}: checkpoint state.json is missing`);

  const weightBytes = await fs.readFile(join(folder, 'weights.bin'));
  const optimizerBytes = await fs.readFile(join(folder, 'optimizer.bin'));
  const modelWeights = model.weights;
  if (state.weights.length !== modelWeights.length) {
    throw new Error(
      `${folder}: checkpoint has ${state.weights.length} weight tensors, the model has ${modelWeights.length} (was the config changed?)`,
    );
  }
  const values = decodeTensors(weightBytes, state.weights, folder);
  try {
    state.weights.forEach((entry, i) => {
      const expected = modelWeights[i].shape;
      if (entry.shape.join('x') !== expected.join('x')) {
        throw new Error(`${folder}: weight ${entry.name} has shape [${entry.shape}], the model wants [${expected}] (was the config changed?)`);
      }
    });
    model.setWeights(values);
  } finally {
    tf.dispose(values);
  }
  const optimizerValues = decodeTensors(optimizerBytes, state.optimizer, folder);
  await optimizer.setWeights(state.optimizer.map((entry, i) => ({ name: entry.name, tensor: optimizerValues[i] })));
  // setWeights makes its own variables (sharing the data, reference-counted); ours can go.
  tf.dispose(optimizerValues);
  return { epoch: state.epoch, random: state.random };
}

async function encodeTensors(named: { name: string; tensor: tf.Tensor }[]): Promise<{ bytes: Buffer; entries: TensorEntry[] }> {
  const chunks: Buffer[] = [];
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const data = dtype === 'int32' ? Int32Array.from(await tensor.data()) : Float32Array.from(await tensor.data());
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    chunks.push(bytes);
    entries.push({ name, shape: tensor.shape, dtype, offset, length: bytes.length });
    offset += bytes.length;
  }
  return { bytes: Buffer.concat(chunks), entries };
}

function decodeTensors(bytes: Buffer, entries: TensorEntry[], folder: string): tf.Tensor[] {
  return entries.map((entry) => {
    if (entry.offset + entry.length > bytes.length) throw new Error(`${folder}: checkpoint file is truncated at ${entry.name}`);
    // Copy out of the Buffer: it may not be 4-byte aligned.
    const slice = new Uint8Array(bytes.subarray(entry.offset, entry.offset + entry.length));
    const values = entry.dtype === 'int32' ? new Int32Array(slice.buffer) : new Float32Array(slice.buffer);
    return tf.tensor(values, entry.shape, entry.dtype);
  });
}
