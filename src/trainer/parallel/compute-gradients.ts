import type * as tfType from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/built-model';

/** The loss (mean over the given samples) and its gradient for each trainable variable, in order. */
export function computeGradients(
  tf: typeof tfType,
  model: BuiltModel,
  inputs: tfType.Tensor,
): { loss: tfType.Scalar; gradients: tfType.Tensor[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(inputs, true), model.trainableVariables);
    return { loss: value, gradients: model.trainableVariables.map((variable) => grads[variable.name]) };
  });
}
