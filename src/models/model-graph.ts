import type * as tf from '@tensorflow/tfjs';
import type { LayerInfo, ModelGraph } from '../protocol/trainer-protocol';

export interface GraphSource {
  preset: string;
  /** The encoder as trained (VAE: with both the mean and log-variance heads). */
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  /** Names of the encoder layers that produce the code. */
  codeLayers: readonly string[];
  /** Weightless steps that are not layers but belong in the picture (VAE sampling), shown after the code. */
  extraCodeSteps?: readonly LayerInfo[];
}

function singleShape(shape: tf.Shape | tf.Shape[]): Array<number | null> {
  const first = Array.isArray(shape[0]) || shape[0] === undefined ? (shape as tf.Shape[])[0] : (shape as tf.Shape);
  return [...(first ?? [])];
}

/** Describes a built model as boxes: input, encoder layers, code, decoder layers, with output shapes and parameters. */
export function describeGraph(source: GraphSource): ModelGraph {
  const layers: LayerInfo[] = [];
  const inputShape = singleShape(source.encoder.inputs[0].shape);
  layers.push({ name: 'input', className: 'InputLayer', outputShape: inputShape, params: 0, group: 'input' });
  for (const layer of source.encoder.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const group = source.codeLayers.includes(layer.name) ? 'code' : 'encoder';
    layers.push({ name: layer.name, className: layer.getClassName(), outputShape: singleShape(layer.outputShape), params: layer.countParams(), group });
  }
  layers.push(...(source.extraCodeSteps ?? []));
  for (const layer of source.decoder.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    layers.push({ name: layer.name, className: layer.getClassName(), outputShape: singleShape(layer.outputShape), params: layer.countParams(), group: 'decoder' });
  }
  return {
    preset: source.preset,
    layers,
    totalParams: layers.reduce((sum, layer) => sum + layer.params, 0),
    codeShape: singleShape(source.decoder.inputs[0].shape),
  };
}
