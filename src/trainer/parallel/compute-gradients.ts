import type * as tfType from '@tensorflow/tfjs';
import type { BatchDraws, BuiltModel } from '../../models/built-model';

/**
 * The training loss of the given samples (a mean) and its gradient for each trainable variable, in
 * order, with the loss's weight (what the mean is over: samples, or for text the characters).
 * `draws`: the batch's random draws for these samples (models with lossShares), taken on the main thread.
 */
export function computeGradients(
  tf: typeof tfType,
  model: BuiltModel,
  inputs: tfType.Tensor,
  draws?: BatchDraws,
): { loss: tfType.Scalar; gradients: tfType.Tensor[]; weight: number } {
  let weight = inputs.shape[0];
  const shares = model.lossShares;
  const lossOf = (): tfType.Scalar => {
    if (!shares || !draws) return model.loss(inputs, true);
    const share = shares.loss(inputs, draws);
    weight = share.weight;
    return share.loss;
  };
  const result = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(lossOf, model.trainableVariables);
    return { loss: value, gradients: model.trainableVariables.map((variable) => grads[variable.name]) };
  });
  return { ...result, weight };
}
