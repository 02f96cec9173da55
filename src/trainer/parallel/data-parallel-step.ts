import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as tfType from '@tensorflow/tfjs';
import type { Preset } from '../../models/config';
import type { BuiltModel } from '../../models/built-model';
import { MessageChannel } from '../../protocol/channel';
import type { PreferredBackend } from '../backend';
import { computeGradients } from './compute-gradients';
import { parseGradientMessage, type FromGradientWorker, type ToGradientWorker } from './gradient-protocol';

/**
 * Data-parallel training on two threads: the main thread and one gradient worker each compute the
 * gradients of the loss on their half of the batch, at the same time; the main thread averages
 * them, weighted by what each loss is a mean over (samples; for text, characters: so the weighted
 * average is the full batch's gradient up to float rounding) and applies them with the run's optimizer.
 * A loss that draws random numbers (sequence: character dropout, the variational code's noise) has
 * them drawn once for the whole batch on the main thread (BuiltModel.lossShares), each half using its
 * samples' part: the same draws as one thread.
 * The main thread keeps the only copy of the weights that matters (checkpoints, saves, resume):
 * it sends them to the worker before every step.
 */

/**
 * Presets that train on two threads with the same maths as one: their loss draws no random numbers,
 * or it draws them once per batch on the main thread (lossShares).
 */
export const DATA_PARALLEL_PRESETS: readonly Preset[] = ['dense', 'deep', 'conv', 'sparse', 'sequence'];

type WithoutId<T extends ToGradientWorker['type']> = Omit<Extract<ToGradientWorker, { type: T }>, 'requestId'>;

export interface DataParallelStepOptions {
  tf: typeof tfType;
  model: BuiltModel;
  optimizer: tfType.Optimizer;
  /** The backend the main thread runs on; the worker starts the same one. */
  backend: string;
  /** Text models: the vocabulary's size, which the worker needs to build its copy of the model. */
  vocabularySize?: number;
  /** The worker's bundled script (default: gradient-worker.js beside the running trainer bundle). */
  workerScript?: string;
}

export class DataParallelStep {
  private constructor(
    private readonly options: DataParallelStepOptions,
    private readonly worker: Worker,
    private readonly channel: MessageChannel<FromGradientWorker, ToGradientWorker>,
  ) {}

  /** Starts the worker and builds its copy of the model; resolves when it is ready. */
  static async start(options: DataParallelStepOptions): Promise<DataParallelStep> {
    const worker = new Worker(options.workerScript ?? gradientWorkerScript());
    const channel = new MessageChannel<FromGradientWorker, ToGradientWorker>({
      post: (message) => worker.postMessage(message),
      parse: parseGradientMessage<FromGradientWorker>,
    });
    worker.on('message', (value) => channel.receive(value));
    worker.on('error', (error) => channel.close(error));
    worker.on('exit', (code) => channel.close(new Error(`the gradient worker exited (code ${code})`)));
    const step = new DataParallelStep(options, worker, channel);
    try {
      const { model } = options;
      const init: WithoutId<'init'> = {
        type: 'init',
        config: model.config,
        inputShape: [...model.inputShape],
        kind: model.kind,
        backend: options.backend as PreferredBackend,
        vocabularySize: options.vocabularySize,
      };
      await channel.request(init);
    } catch (error) {
      await step.dispose();
      throw error;
    }
    return step;
  }

  /**
   * One optimizer step on `count` samples laid out in `inputs` (exactly count × sample size); returns the
   * batch loss. The worker takes the second half (the smaller one when `count` is odd).
   */
  async run(inputs: Float32Array, count: number): Promise<number> {
    const { tf, model, optimizer } = this.options;
    const variables = model.trainableVariables;
    const mainCount = Math.ceil(count / 2);
    const workerCount = count - mainCount;
    const sampleSize = inputs.length / count;
    if (workerCount === 0) return this.runAlone(inputs, count);

    const weights = variables.map((variable) => variable.dataSync() as Float32Array);
    const shares = model.lossShares;
    const draws = shares?.draw(inputs.subarray(0, count * sampleSize), count);
    const request: WithoutId<'gradients'> = {
      type: 'gradients',
      weights,
      inputs: inputs.slice(mainCount * sampleSize, count * sampleSize),
      count: workerCount,
      draws: draws && shares!.slice(draws, mainCount, count),
    };
    const reply = this.channel.request<Extract<FromGradientWorker, { type: 'gradients' }>>(request);
    // The worker has its copy now: compute ours meanwhile.
    let mine: ReturnType<typeof computeGradients>;
    try {
      mine = tf.tidy(() => computeGradients(tf, model, tf.tensor(inputs.subarray(0, mainCount * sampleSize), [mainCount, ...model.inputShape]), draws && shares!.slice(draws, 0, mainCount)));
    } catch (error) {
      reply.catch(() => undefined); // the step failed here already; the worker's answer no longer matters
      throw error;
    }
    let theirs: Extract<FromGradientWorker, { type: 'gradients' }>;
    try {
      theirs = await reply;
    } catch (error) {
      tf.dispose([mine.loss, ...mine.gradients]);
      throw error;
    }
    const mainWeight = mine.weight / (mine.weight + theirs.weight);
    const workerWeight = theirs.weight / (mine.weight + theirs.weight);
    const loss = mine.loss.dataSync()[0] * mainWeight + theirs.loss * workerWeight;
    tf.tidy(() => {
      const averaged = variables.map((variable, i) => ({
        name: variable.name,
        tensor: tf.add(tf.mul(mine.gradients[i], mainWeight), tf.mul(tf.tensor(theirs.gradients[i], variable.shape), workerWeight)),
      }));
      optimizer.applyGradients(averaged);
    });
    tf.dispose([mine.loss, ...mine.gradients]);
    return loss;
  }

  /** A one-sample batch: nothing to share. */
  private runAlone(inputs: Float32Array, count: number): number {
    const { tf, model, optimizer } = this.options;
    return tf.tidy(() => {
      const x = tf.tensor(inputs, [count, ...model.inputShape]);
      const loss = optimizer.minimize(() => model.loss(x, true), true, model.trainableVariables) as tfType.Scalar;
      return loss.dataSync()[0];
    });
  }

  /** Ends the worker thread; safe to call more than once. */
  async dispose(): Promise<void> {
    this.channel.close(new Error('the data-parallel step was disposed'));
    await this.worker.terminate();
  }
}

/** The worker's script: the bundled trainer has gradient-worker.js beside it (scripts/build.mjs). */
export function gradientWorkerScript(): string {
  return join(__dirname, 'gradient-worker.js');
}
