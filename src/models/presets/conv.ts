import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assembleReconstruction } from '../assemble-reconstruction';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { seededLayerInit } from '../initializers';
import { SeedSequence } from '../seeds';

/**
 * The convolutional autoencoder ('same' padding throughout). With the default convFilters [16, 8, 8]:
 * Conv2D 16, MaxPool 2, Conv2D 8, MaxPool 2, Conv2D 8 (the code, 7x7x8 for 28x28) | UpSampling 2,
 * Conv2D 16, UpSampling 2, Conv2D <channels> (output activation). convTranspose replaces each
 * UpSampling + Conv2D pair with a stride-2 Conv2DTranspose. Images whose sides are not divisible by
 * 2^poolings are zero-padded on the way in and cropped on the way out.
 */
export function buildConv(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const [height, width, channels] = inputShape;
  const filters = config.convFilters;
  const poolings = filters.length - 1;
  const factor = 2 ** poolings;
  const padHeight = Math.ceil(height / factor) * factor - height;
  const padWidth = Math.ceil(width / factor) * factor - width;
  const padding: [[number, number], [number, number]] = [
    [Math.floor(padHeight / 2), padHeight - Math.floor(padHeight / 2)],
    [Math.floor(padWidth / 2), padWidth - Math.floor(padWidth / 2)],
  ];
  const padded = padHeight > 0 || padWidth > 0;
  const seeds = new SeedSequence(config.seed);
  const conv = (filterCount: number, activation: ModelConfig['outputActivation'], name: string) =>
    tf.layers.conv2d({ filters: filterCount, kernelSize: config.kernelSize, padding: 'same', activation, name, ...seededLayerInit(seeds) });

  const input = tf.input({ shape: [...inputShape], name: 'encoder_input' });
  let x = input;
  if (padded) x = tf.layers.zeroPadding2d({ padding, name: 'enc_pad' }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < poolings; i++) {
    x = conv(filters[i], config.activation, `enc_conv_${i + 1}`).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc_pool_${i + 1}` }).apply(x) as tf.SymbolicTensor;
  }
  const code = conv(filters[poolings], config.activation, 'code').apply(x) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: input, outputs: code, name: 'encoder' });

  const codeInput = tf.input({ shape: code.shape.slice(1) as number[], name: 'decoder_input' });
  let y = codeInput;
  for (let k = 1; k <= Math.max(poolings, 1); k++) {
    const last = k >= poolings;
    const filterCount = last ? channels : filters[poolings - 1 - k];
    const activation = last ? config.outputActivation : config.activation;
    const name = last ? 'dec_output' : `dec_conv_${k}`;
    if (poolings === 0) {
      y = conv(filterCount, activation, name).apply(y) as tf.SymbolicTensor;
    } else if (config.convTranspose) {
      y = tf.layers
        .conv2dTranspose({ filters: filterCount, kernelSize: config.kernelSize, strides: 2, padding: 'same', activation, name, ...seededLayerInit(seeds) })
        .apply(y) as tf.SymbolicTensor;
    } else {
      y = tf.layers.upSampling2d({ size: [2, 2], name: `dec_upsample_${k}` }).apply(y) as tf.SymbolicTensor;
      y = conv(filterCount, activation, name).apply(y) as tf.SymbolicTensor;
    }
  }
  if (padded) y = tf.layers.cropping2D({ cropping: padding, name: 'dec_crop' }).apply(y) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: codeInput, outputs: y, name: 'decoder' });

  return assembleReconstruction({ config, kind, inputShape, encoder, decoder, loss: config.loss });
}
