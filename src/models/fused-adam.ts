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
 * small kernels per variable, plus a scalar per constant, each paying the engine's bookkeeping (and on
 * tfjs-node an N-API crossing). Here each variable takes one kernel where ADAM_UPDATE_KERNEL is
 * registered (one pass over its memory), else 11 composed ops with the constants made once a step.
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'Adam';
  }

  private firstMoments: Array<{ name: string; variable: tf.Variable }> = [];
  private secondMoments: Array<{ name: string; variable: tf.Variable }> = [];
  private readonly epsilon: number;

  constructor(
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    epsilon?: number,
  ) {
    super();
    this.epsilon = epsilon ?? tf.backend().epsilon();
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
    const fused = tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) != null;
    tf.tidy(() => {
      const constants = fused ? undefined : composedConstants(attrs);
      pairs.forEach(({ name, gradient }, i) => {
        if (gradient == null) return;
        const value = tf.engine().registeredVariables[name];
        const m = (this.firstMoments[i] ??= { name: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const v = (this.secondMoments[i] ??= { name: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const [x, m1, v1] = constants
          ? composedUpdate(value, gradient, m, v, constants)
          : (tf.engine().runKernel(ADAM_UPDATE_KERNEL, { x: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]);
        m.assign(m1);
        v.assign(v1);
        value.assign(x);
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([...this.firstMoments, ...this.secondMoments].map((moment) => moment.variable));
    this.firstMoments = [];
    this.secondMoments = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.firstMoments, ...this.secondMoments];
    return [await this.saveIterations(), ...moments.map(({ name, variable }) => ({ name, tensor: variable }))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    this.dispose();
    const count = values.length / 2;
    const asMoment = ({ name, tensor }: NamedTensor) => ({ name, variable: tensor.variable(false) });
    this.firstMoments = values.slice(0, count).map(asMoment);
    this.secondMoments = values.slice(count, 2 * count).map(asMoment);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

interface ComposedConstants {
  beta1: tf.Scalar;
  oneMinusBeta1: tf.Scalar;
  beta2: tf.Scalar;
  oneMinusBeta2: tf.Scalar;
  correction1: tf.Scalar;
  correction2: tf.Scalar;
  epsilon: tf.Scalar;
  learningRate: tf.Scalar;
}

function composedConstants(attrs: AdamUpdateAttrs): ComposedConstants {
  return {
    beta1: tf.scalar(attrs.beta1),
    oneMinusBeta1: tf.scalar(1 - attrs.beta1),
    beta2: tf.scalar(attrs.beta2),
    oneMinusBeta2: tf.scalar(1 - attrs.beta2),
    correction1: tf.scalar(attrs.correction1),
    correction2: tf.scalar(attrs.correction2),
    epsilon: tf.scalar(attrs.epsilon),
    learningRate: tf.scalar(attrs.learningRate),
  };
}

/** tf.train.adam's update of one variable, in its order of operations. */
function composedUpdate(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, c: ComposedConstants): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(g, c.oneMinusBeta1));
  const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), c.oneMinusBeta2));
  const step = tf.div(tf.div(m1, c.correction1), tf.add(tf.sqrt(tf.div(v1, c.correction2)), c.epsilon));
  return [tf.sub(x, tf.mul(step, c.learningRate)), m1, v1];
}
