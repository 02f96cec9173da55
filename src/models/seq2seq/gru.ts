import * as tf from '@tensorflow/tfjs';
import { gruSequence } from './gru-sequence';

/**
 * A GRU over a whole sequence as plain tf ops, with the math of tfjs-layers' GRUCell (gates z, r, h;
 * the reset gate applied before the recurrent product; sigmoid gates) so that the weights of a
 * `tf.layers.gru({ recurrentActivation: 'sigmoid' })` layer mean the same here and there. One matrix
 * product projects every time step's input at once; each step is then two small products and a
 * few element-wise ops (greedy decoding); training runs packed sequences as one fused op.
 */

export interface GruWeights {
  /** [input, 3 units]: z, r, h blocks. */
  kernel: tf.Tensor2D;
  /** [units, 3 units]. */
  recurrentKernel: tf.Tensor2D;
  /** [3 units]. */
  bias: tf.Tensor1D;
}

/** The GRU weights of a tf.layers.gru layer (its variables themselves, so gradients reach them). */
export function gruWeightsOf(layer: tf.layers.Layer): GruWeights {
  const find = (suffix: string) => {
    const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
    if (!weight) throw new Error(`layer ${layer.name} has no ${suffix}: not a GRU layer`);
    return weight.read();
  };
  return { kernel: find('kernel') as tf.Tensor2D, recurrentKernel: find('recurrent_kernel') as tf.Tensor2D, bias: find('bias') as tf.Tensor1D };
}

/** One GRU, ready to step: its recurrent kernel split once per batch. */
export class GruRunner {
  readonly units: number;
  private readonly recurrentGates: tf.Tensor2D;
  private readonly recurrentCandidate: tf.Tensor2D;
  private readonly inputGates: tf.Tensor2D;
  private readonly inputCandidate: tf.Tensor2D;
  private readonly biasGates: tf.Tensor1D;
  private readonly biasCandidate: tf.Tensor1D;

  constructor(weights: GruWeights) {
    const units = weights.recurrentKernel.shape[0];
    const inputSize = weights.kernel.shape[0];
    this.units = units;
    this.recurrentGates = tf.slice(weights.recurrentKernel, [0, 0], [units, 2 * units]);
    this.recurrentCandidate = tf.slice(weights.recurrentKernel, [0, 2 * units], [units, units]);
    this.inputGates = tf.slice(weights.kernel, [0, 0], [inputSize, 2 * units]);
    this.inputCandidate = tf.slice(weights.kernel, [0, 2 * units], [inputSize, units]);
    this.biasGates = tf.slice(weights.bias, [0], [2 * units]);
    this.biasCandidate = tf.slice(weights.bias, [2 * units], [units]);
  }

  /** Frees the split weights (a runner made outside tf.tidy). */
  dispose(): void {
    tf.dispose([this.recurrentGates, this.recurrentCandidate, this.inputGates, this.inputCandidate, this.biasGates, this.biasCandidate]);
  }

  /** Projects one step's input [batch, input]. */
  projectStep(input: tf.Tensor2D): { gates: tf.Tensor2D; candidate: tf.Tensor2D } {
    return {
      gates: tf.add(tf.matMul(input, this.inputGates), this.biasGates),
      candidate: tf.add(tf.matMul(input, this.inputCandidate), this.biasCandidate),
    };
  }

  /** h' from h and the step's projected input. */
  step(h: tf.Tensor2D, gatesIn: tf.Tensor2D, candidateIn: tf.Tensor2D): tf.Tensor2D {
    const zr = tf.sigmoid(tf.add(gatesIn, tf.matMul(h, this.recurrentGates)));
    const [z, r] = tf.split(zr, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const candidate = tf.tanh(tf.add(candidateIn, tf.matMul(tf.mul(r, h), this.recurrentCandidate)));
    // z h + (1 - z) candidate, with one product fewer.
    return tf.add(candidate, tf.mul(z, tf.sub(h, candidate)));
  }

  /**
   * Runs over a packed sequence (see text-batch.ts) from h0 [lines, units]: `inputs` [rows, input],
   * `sizes[t]` lines in step t, longest first. One product projects every row's input; the steps run
   * as one fused op (gru-sequence.ts). Returns the state of every row (packed like the inputs) and
   * each line's last state.
   */
  runPacked(inputs: tf.Tensor2D, sizes: readonly number[], h0: tf.Tensor2D): { states: tf.Tensor2D; last: () => tf.Tensor2D } {
    const gates = tf.add(tf.matMul(inputs, this.inputGates), this.biasGates) as tf.Tensor2D;
    const candidate = tf.add(tf.matMul(inputs, this.inputCandidate), this.biasCandidate) as tf.Tensor2D;
    const states = gruSequence(gates, candidate, h0, this.recurrentGates, this.recurrentCandidate, sizes);
    return { states, last: () => tf.gather(states, tf.tensor1d(lastRows(sizes), 'int32')) as tf.Tensor2D };
  }
}

/** The row of each line's last step in a packed sequence. */
export function lastRows(sizes: readonly number[]): Int32Array {
  const rows = new Int32Array(sizes[0] ?? 0);
  let offset = 0;
  for (const size of sizes) {
    for (let i = 0; i < size; i++) rows[i] = offset + i;
    offset += size;
  }
  return rows;
}
