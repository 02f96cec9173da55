import type * as tfType from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/built-model';
import { denseSteps, type DenseStep } from '../../models/presets/dense-stack';

/**
 * The training step of a plain dense autoencoder with its backward pass written out: forward through
 * fused matMul + bias + activation kernels on the layers' own variables, the MSE's gradient, then
 * per layer the weight gradient, the bias gradient and the gradient into the layer below. No gradient
 * tape: tfjs's tape keeps a copy (an Identity kernel) of every tensor it saves and runs each
 * activation and bias as a kernel of its own; here a dense step is ~35 kernels instead of ~90.
 * The same maths as optimizer.minimize(model.loss) (test/unit/models/fast-step.test.ts); the weights
 * stay the model's variables, updated by the run's optimizer, so checkpoints, best weights and resume
 * are unchanged.
 *
 * Serves the dense and deep presets with relu or linear hidden layers, a sigmoid or linear output and
 * the MSE loss; undefined for anything else (the loop then runs optimizer.minimize).
 */
export function denseTrainingStep(tf: typeof tfType, model: BuiltModel, optimizer: tfType.Optimizer): ((inputs: Float32Array, count: number) => number) | undefined {
  const { config } = model;
  if (!['dense', 'deep'].includes(config.preset) || config.loss !== 'mse') return undefined;
  if (!['relu', 'linear'].includes(config.activation) || !['sigmoid', 'linear'].includes(config.outputActivation)) return undefined;
  const { encoderSteps, decoderSteps } = denseSteps(model.encoder, model.decoder, config);
  const layers = [...encoderSteps, ...decoderSteps];
  const variables = new Set(layers.flatMap((layer) => [layer.kernel.name, layer.bias.name]));
  if (model.trainableVariables.length !== variables.size || model.trainableVariables.some((v) => !variables.has(v.name))) return undefined;
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  // wasm runs matMul + bias + activation as one XNNPACK kernel; tfjs-node composes its _FusedMatMul from
  // those three ops plus three reshapes (two N-API crossings each), so there the three ops go directly.
  const forward = tf.getBackend() === 'wasm' ? fusedForward : composedForward;

  return (inputs, count) => {
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(inputs, [count, features]);
      // Forward: every layer's output (the input of the next) is kept for the backward pass.
      const outputs: tfType.Tensor2D[] = [x];
      for (const layer of layers) outputs.push(forward(tf, outputs[outputs.length - 1], layer));
      const y = outputs[outputs.length - 1];
      const difference = tf.sub(y, x);
      const value = tf.mean(tf.square(difference));
      // d mean((y - x)^2) / dy = 2 (y - x) / (count × features); through the output activation.
      let delta = tf.mul(difference, tf.scalar(2 / (count * features))) as tfType.Tensor2D;
      if (layers[layers.length - 1].activation === 'sigmoid') delta = tf.mul(delta, tf.mul(y, tf.sub(tf.scalar(1), y))) as tfType.Tensor2D;
      const gradients = new Map<string, tfType.Tensor>();
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l];
        const below = outputs[l];
        gradients.set(layer.kernel.name, tf.matMul(below, delta, true, false));
        gradients.set(layer.bias.name, tf.sum(delta, 0));
        if (l === 0) break;
        const back = tf.matMul(delta, layer.kernel as tfType.Tensor2D, false, true) as tfType.Tensor2D;
        // relu: the gradient passes where the layer's output is positive (as tf.relu's gradient does);
        // sign() of a relu output is that 0/1 mask in one kernel (tf.step is seven ops on tfjs-node).
        delta = layers[l - 1].activation === 'relu' ? (tf.mul(back, tf.sign(below)) as tfType.Tensor2D) : back;
      }
      optimizer.applyGradients(model.trainableVariables.map((variable) => ({ name: variable.name, tensor: gradients.get(variable.name)! })));
      return value;
    });
    const result = loss.dataSync()[0];
    loss.dispose();
    return result;
  };
}

function fusedForward(tf: typeof tfType, input: tfType.Tensor2D, { kernel, bias, activation }: DenseStep): tfType.Tensor2D {
  return tf.fused.matMul({ a: input, b: kernel as tfType.Tensor2D, bias, activation: activation as 'relu' | 'linear' | 'sigmoid' }) as tfType.Tensor2D;
}

function composedForward(tf: typeof tfType, input: tfType.Tensor2D, { kernel, bias, activation }: DenseStep): tfType.Tensor2D {
  const linear = tf.add(tf.matMul(input, kernel as tfType.Tensor2D), bias) as tfType.Tensor2D;
  if (activation === 'relu') return tf.relu(linear);
  return activation === 'sigmoid' ? tf.sigmoid(linear) : linear;
}
