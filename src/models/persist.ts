import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from './built-model';

/**
 * Models and checkpoints on disk, without tfjs-node (which would offer file://): the tfjs layers
 * format written and read through custom IO handlers.
 *
 *   <dir>/autoencoder/model.json + weights.bin   (and encoder/, decoder/) — loadable by tf.loadLayersModel
 *   <checkpoint dir>/checkpoint.json + weights-<n>.bin — model and optimizer state for resuming
 */

const WEIGHTS_FILE = 'weights.bin';
const MODEL_FILE = 'model.json';

/** Writes one model as model.json + weights.bin in `dir` (created if needed). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      await mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomically(join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
      await writeFileAtomically(join(dir, MODEL_FILE), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    }),
  );
}

/** Reads a model written by saveLayersModel (or any single-shard tfjs layers model folder). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const modelPath = join(dir, MODEL_FILE);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await readFile(modelPath, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`${modelPath}: cannot read the model (${(error as Error).message})`);
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const path of group.paths) {
        const bytes = await readFile(join(dir, path));
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Saves the autoencoder, encoder and decoder of a built model under dir/autoencoder, dir/encoder, dir/decoder. */
export async function saveModel(built: BuiltModel, dir: string): Promise<void> {
  await saveLayersModel(built.autoencoder, join(dir, 'autoencoder'));
  await saveLayersModel(built.encoder, join(dir, 'encoder'));
  await saveLayersModel(built.decoder, join(dir, 'decoder'));
}

export interface LoadedModel {
  autoencoder: tf.LayersModel;
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
}

/** Loads what saveModel wrote. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  return {
    autoencoder: await loadLayersModel(join(dir, 'autoencoder')),
    encoder: await loadLayersModel(join(dir, 'encoder')),
    decoder: await loadLayersModel(join(dir, 'decoder')),
  };
}

// ---------- checkpoints ----------

const CHECKPOINT_FILE = 'checkpoint.json';
const CHECKPOINT_FORMAT = 'autoencoder-lab-checkpoint';

interface CheckpointJson {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  weightsFile: string;
  /** Specs of the model's trainable variables (in BuiltModel.trainableVariables order), then the optimizer's. */
  variables: tf.io.WeightsManifestEntry[];
  optimizer: { className: string; weights: tf.io.WeightsManifestEntry[] };
  /** The best epoch's copy of the trainable variables (early stopping), after the optimizer's bytes. */
  best?: tf.io.WeightsManifestEntry[];
  randomDraws: number;
  metadata: Record<string, unknown>;
}

/**
 * Writes a checkpoint: every trainable variable, the optimizer's state (Adam's moments and step
 * count) and the noise position, plus the caller's metadata (epoch, step, ...). The new weights file
 * is written first and checkpoint.json replaced atomically after it, so a run killed mid-write keeps
 * its previous complete checkpoint.
 */
export async function saveWeights(
  built: BuiltModel,
  optimizer: tf.Optimizer,
  dir: string,
  metadata: Record<string, unknown> = {},
  best?: readonly tf.Tensor[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const variables = built.trainableVariables.map((variable, i) => ({ name: `v${i}:${variable.name}`, tensor: variable }));
  const optimizerWeights = await optimizer.getWeights();
  const model = await tf.io.encodeWeights(variables);
  const state = await tf.io.encodeWeights(optimizerWeights);
  const bestWeights = best ? await tf.io.encodeWeights(best.map((tensor, i) => ({ name: `best${i}`, tensor }))) : undefined;
  const weightsFile = `weights-${Date.now()}-${process.pid}.bin`;
  const parts = [model, state, ...(bestWeights ? [bestWeights] : [])].map((encoded) => new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data)));
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  await writeFileAtomically(join(dir, weightsFile), joined);
  const checkpoint: CheckpointJson = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    weightsFile,
    variables: model.specs,
    optimizer: { className: optimizer.getClassName(), weights: state.specs },
    ...(bestWeights ? { best: bestWeights.specs } : {}),
    randomDraws: built.randomDraws,
    metadata,
  };
  await writeFileAtomically(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint));
  for (const name of await readdir(dir)) {
    if (name.startsWith('weights-') && name !== weightsFile) await rm(join(dir, name), { force: true });
  }
}

/**
 * Restores a checkpoint written by saveWeights into a freshly built model of the same config and its
 * optimizer. Returns the metadata saved with it. Throws, naming the file, when it does not match.
 */
export async function loadWeights(
  built: BuiltModel,
  optimizer: tf.Optimizer,
  dir: string,
): Promise<{ metadata: Record<string, unknown>; best?: tf.Tensor[] }> {
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  let checkpoint: CheckpointJson;
  try {
    checkpoint = JSON.parse(await readFile(checkpointPath, 'utf8')) as CheckpointJson;
  } catch (error) {
    throw new Error(`${checkpointPath}: cannot read the checkpoint (${(error as Error).message})`);
  }
  if (checkpoint.format !== CHECKPOINT_FORMAT) throw new Error(`${checkpointPath}: not an Autoencoder Lab checkpoint`);
  if (checkpoint.optimizer.className !== optimizer.getClassName()) {
    throw new Error(`${checkpointPath}: saved with optimizer ${checkpoint.optimizer.className}, but this run uses ${optimizer.getClassName()}`);
  }
  const expected = built.trainableVariables;
  const saved = checkpoint.variables;
  if (saved.length !== expected.length || saved.some((spec, i) => spec.shape.join('x') !== expected[i].shape.join('x'))) {
    throw new Error(`${checkpointPath}: the checkpoint's weights do not match this model (different preset, layer sizes or data shape)`);
  }
  const bytes = await readFile(join(dir, checkpoint.weightsFile));
  const all = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const modelByteLength = byteLength(saved);
  const stateByteLength = byteLength(checkpoint.optimizer.weights);
  if (all.byteLength !== modelByteLength + stateByteLength + (checkpoint.best ? byteLength(checkpoint.best) : 0)) {
    throw new Error(`${join(dir, checkpoint.weightsFile)}: the weights file is truncated or does not belong to ${CHECKPOINT_FILE}`);
  }
  const values = tf.io.decodeWeights(all.slice(0, modelByteLength), saved);
  saved.forEach((spec, i) => {
    expected[i].assign(values[spec.name]);
    values[spec.name].dispose();
  });
  const state = tf.io.decodeWeights(all.slice(modelByteLength, modelByteLength + stateByteLength), checkpoint.optimizer.weights);
  // Optimizers match their slots to variables by position: the order of trainableVariables.
  await optimizer.setWeights(checkpoint.optimizer.weights.map((spec) => ({ name: spec.name, tensor: state[spec.name] })));
  for (const tensor of Object.values(state)) tensor.dispose();
  built.randomDraws = checkpoint.randomDraws;
  if (!checkpoint.best) return { metadata: checkpoint.metadata };
  const best = tf.io.decodeWeights(all.slice(modelByteLength + stateByteLength), checkpoint.best);
  return { metadata: checkpoint.metadata, best: checkpoint.best.map((spec) => best[spec.name]) };
}

function byteLength(specs: readonly tf.io.WeightsManifestEntry[]): number {
  const bytesPerElement = { float32: 4, int32: 4, bool: 1 } as Record<string, number>;
  return specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * (bytesPerElement[spec.dtype] ?? 4), 0);
}

async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
