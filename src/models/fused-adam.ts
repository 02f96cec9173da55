import * as tf from '@tensorflow/tfjs';

/**
 * The name of a kernel that applies one Adam step to one variable in a single pass: inputs x (the
 * weights), g (their gradient), m and v (the moments); outputs the new x, m and v. The trainer
 * registers it for the wasm backend (src/trainer/wasm-kernels/adam-update.ts); where it is not
 * registered, FusedAdam composes the same update from tf ops.
 */
export const ADAM_UPDATE_KERNEL = 'AutoencoderLabAdamUpdate';

/** A tensor with the name a checkpoint stores it under (tfjs's NamedTensor, not exported by @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t of this step t (the bias corrections). */
  correction1: number;
  correction2: number;
}

/**
 * Adam with tfjs's maths (the same update, moments, bias correction and epsilon outside the square
 * root as tf.train.adam, and the same checkpoint layout: iterations, every `<name>/m`, every
 * `<name>/v`, class name 'Adam'), with far fewer kernel calls per step: tfjs's own runs about 14
 * small kernels per variable, plus a tensor per constant, each paying the engine's bookkeeping (and on
 * tfjs-node an N-API crossing). Here, where ADAM_UPDATE_KERNEL is registered (wasm), each variable
 * takes one kernel: one pass over its memory. Elsewhere (tfjs-node, cpu) the moments live in this
 * process's memory and each variable costs one gradient download and one upload of its new values,
 * with the same pass in between.
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'Adam';
  }

  private slots: Slot[] = [];
  /** Tensors handed out by getWeights for moments held in JS; freed at the next step or dispose. */
  private exported: tf.Tensor[] = [];
  private readonly epsilon: number;

  constructor(
    /** Read at every step: a learning-rate schedule sets it between steps (setLearningRate). */
    private learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    epsilon?: number,
  ) {
    super();
    this.epsilon = epsilon ?? tf.backend().epsilon();
  }

  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const pairs = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, gradient: tensor }))
      : Object.entries(variableGradients).map(([name, gradient]) => ({ name, gradient }));
    const step = this.iterations + 1;
    const attrs: AdamUpdateAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      correction1: 1 - this.beta1 ** step,
      correction2: 1 - this.beta2 ** step,
    };
    const onKernel = tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) != null;
    tf.dispose(this.exported);
    this.exported = [];
    pairs.forEach(({ name, gradient }, i) => {
      const value = tf.engine().registeredVariables[name];
      // Every variable gets its moments, with a gradient or not (as tf.train.adam: checkpoints list them all).
      const slot = (this.slots[i] ??= { name, shape: [...value.shape], m: new Float32Array(value.size), v: new Float32Array(value.size) });
      if (gradient == null) return;
      if (onKernel) kernelStep(slot, value, gradient, attrs);
      else hostStep(slot, value, gradient, attrs);
    });
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
    for (const slot of this.slots) if (!(slot.m instanceof Float32Array)) tf.dispose([slot.m, slot.v as tf.Variable]);
    this.slots = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const tensor = (slot: Slot, moment: 'm' | 'v') => {
      const held = slot[moment];
      if (!(held instanceof Float32Array)) return held;
      const copy = tf.tensor(held.slice(), slot.shape);
      this.exported.push(copy);
      return copy;
    };
    return [
      await this.saveIterations(),
      ...this.slots.map((slot) => ({ name: `${slot.name}/m`, tensor: tensor(slot, 'm') })),
      ...this.slots.map((slot) => ({ name: `${slot.name}/v`, tensor: tensor(slot, 'v') })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    this.dispose();
    const count = values.length / 2;
    const variableName = (momentName: string) => momentName.replace(/\/m$/, '');
    // Held in JS until a step on a backend with the kernel moves them (kernelStep).
    this.slots = values.slice(0, count).map(({ name, tensor }, i) => ({
      name: variableName(name),
      shape: [...tensor.shape],
      m: Float32Array.from(tensor.dataSync() as Float32Array),
      v: Float32Array.from(values[count + i].tensor.dataSync() as Float32Array),
    }));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** One variable's moments: on the backend (kernel steps) or in JS (host steps); and the weights last uploaded. */
interface Slot {
  name: string;
  shape: number[];
  m: tf.Variable | Float32Array;
  v: tf.Variable | Float32Array;
  /** Host steps: the values of the tensor last assigned to the variable, valid while it still holds that tensor's data. */
  weights?: { values: Float32Array; dataId: object };
}

function kernelStep(slot: Slot, value: tf.Variable, gradient: tf.Tensor, attrs: AdamUpdateAttrs): void {
  const onBackend = (values: Float32Array) => tf.tidy(() => tf.tensor(values, slot.shape).variable(false));
  if (slot.m instanceof Float32Array) slot.m = onBackend(slot.m);
  if (slot.v instanceof Float32Array) slot.v = onBackend(slot.v);
  const { m, v } = slot as { m: tf.Variable; v: tf.Variable };
  const outputs = tf.engine().runKernel(ADAM_UPDATE_KERNEL, { x: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  m.assign(outputs[1]);
  v.assign(outputs[2]);
  value.assign(outputs[0]);
  tf.dispose(outputs);
}

function hostStep(slot: Slot, value: tf.Variable, gradient: tf.Tensor, attrs: AdamUpdateAttrs): void {
  if (!(slot.m instanceof Float32Array)) slot.m = takeValues(slot.m);
  if (!(slot.v instanceof Float32Array)) slot.v = takeValues(slot.v);
  // The weights' values are downloaded only when something else (best weights, a checkpoint) replaced them.
  const weights = slot.weights?.dataId === value.dataId ? slot.weights.values : (value.dataSync() as Float32Array);
  const updated = new Float32Array(weights.length);
  adamPass(weights, gradient.dataSync() as Float32Array, slot.m, slot.v, updated, slot.m, slot.v, attrs);
  const tensor = tf.tensor(updated, value.shape);
  value.assign(tensor);
  tensor.dispose();
  slot.weights = { values: updated, dataId: value.dataId };
}

function takeValues(variable: tf.Variable): Float32Array {
  const values = Float32Array.from(variable.dataSync() as Float32Array);
  variable.dispose();
  return values;
}

/**
 * tf.train.adam's update, element by element in its order of operations, in double precision with the
 * results stored as float32 (within float rounding of tfjs's float32 kernels; measured 1.6x faster in V8
 * than rounding every intermediate with Math.fround). Outputs may be the moments' own arrays (updated in
 * place); never the weights'.
 */
export function adamPass(
  xs: Float32Array,
  gs: Float32Array,
  ms: Float32Array,
  vs: Float32Array,
  x1: Float32Array,
  m1: Float32Array,
  v1: Float32Array,
  { learningRate, beta1, beta2, epsilon, correction1, correction2 }: AdamUpdateAttrs,
): void {
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  const length = xs.length;
  for (let i = 0; i < length; i++) {
    const g = gs[i];
    const m = ms[i] * beta1 + g * oneMinusBeta1;
    const v = vs[i] * beta2 + g * g * oneMinusBeta2;
    m1[i] = m;
    v1[i] = v;
    x1[i] = xs[i] - (m / correction1 / (Math.sqrt(v / correction2) + epsilon)) * learningRate;
  }
}
