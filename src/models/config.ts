import { z } from 'zod';

/** The model zoo's presets, in the order the UI lists them. */
export const PRESETS = ['dense', 'deep', 'conv', 'denoising', 'sparse', 'vae', 'sequence'] as const;
export type Preset = (typeof PRESETS)[number];

/** The sequence preset's GRU units when the config does not say. */
export const DEFAULT_RNN_UNITS = 128;

export const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'linear'] as const;
/** Output layer activations: softmax only for the sequence preset (a distribution over characters). */
export const OUTPUT_ACTIVATIONS = [...ACTIVATIONS, 'softmax'] as const;
/** Reconstruction losses: mean squared error, binary cross-entropy, categorical cross-entropy (sequence only). */
export const LOSSES = ['mse', 'bce', 'cce'] as const;

export const LEARNING_RATE_SCHEDULES = ['constant', 'anneal'] as const;
export type LearningRateSchedule = (typeof LEARNING_RATE_SCHEDULES)[number];

/**
 * A model and training configuration as JSON. Every field has a default, so `{}` is valid;
 * `parseModelConfig` applies the preset's defaults and rejects unknown keys with a clear message.
 */
export const modelConfigSchema = z
  .object({
    preset: z.enum(PRESETS).default('dense'),
    /** Size of the code (latent vector). For conv, the number of channels of the code feature map. */
    codeSize: z.number().int().min(1).max(4096).optional(),
    /** Hidden dense layer sizes of the encoder, outermost first; the decoder mirrors them. */
    hiddenLayers: z.array(z.number().int().min(1).max(8192)).max(16).optional(),
    /** Conv: filters of each encoder conv layer (each followed by 2x2 max pooling except the last). */
    convFilters: z.array(z.number().int().min(1).max(512)).max(6).optional(),
    kernelSize: z.number().int().min(1).max(9).default(3),
    /** Conv: decoder upsamples with Conv2DTranspose (stride 2) instead of UpSampling2D + Conv2D. */
    convTranspose: z.boolean().default(false),
    activation: z.enum(ACTIVATIONS).default('relu'),
    outputActivation: z.enum(OUTPUT_ACTIVATIONS).optional(),
    loss: z.enum(LOSSES).optional(),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
    /** Default: 0.002 for images (measured: reaches the same validation error in fewer epochs than 0.001), else 0.001. */
    learningRate: z.number().positive().max(10).optional(),
    /**
     * `anneal`: the learning rate holds for the first 60% of the run's budget (its epochs or its time limit,
     * whichever ends first), then falls linearly to 5% of it (src/trainer/loop/learning-rate-schedule.ts).
     * Default: anneal for the sequence preset (measured: 61% -> 73% of held-out words exact in 120 s), else constant.
     */
    learningRateSchedule: z.enum(LEARNING_RATE_SCHEDULES).optional(),
    batchSize: z.number().int().min(1).max(65536).default(128),
    /**
     * A fixed number of epochs. When absent, training is automatic: it goes on while the validation
     * loss improves (patience, minDelta) within maxEpochs and maxTimeSeconds.
     */
    epochs: z.number().int().min(1).max(100000).optional(),
    /** Automatic epochs: the upper bound of epochs. */
    maxEpochs: z.number().int().min(1).max(100000).default(1000),
    /** The upper bound of training time in seconds (pauses excluded), in both modes; 0 = none. */
    maxTimeSeconds: z.number().min(0).max(7 * 24 * 3600).default(600),
    /** Automatic epochs: stop after this many epochs without an improvement of the validation loss. */
    patience: z.number().int().min(1).max(10000).default(10),
    /** The relative decrease of the validation loss that counts as an improvement (0.001 = 0.1%). */
    minDelta: z.number().min(0).max(0.5).default(0.001),
    validationSplit: z.number().min(0).max(0.9).default(0.1),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /**
     * Training threads: 2 computes each batch's gradients on two threads (data-parallel; dense, deep, conv,
     * sparse, sequence); `auto` (the default) uses two where they were measured faster (src/trainer/parallel/training-threads.ts).
     */
    threads: z.union([z.literal('auto'), z.number().int().min(1).max(2)]).default('auto'),
    /** Denoising: corruption applied to inputs only; targets stay clean. */
    noise: z
      .object({ kind: z.enum(['gaussian', 'masking']).default('gaussian'), level: z.number().min(0).max(1).default(0.3) })
      .strict()
      .optional(),
    /** Sparse: weight of the L1 activity penalty on the code. */
    sparsity: z.number().min(0).max(10).optional(),
    /** VAE: weight of the KL term. */
    klWeight: z.number().min(0).max(100).default(1),
    /** Sequence: recurrent cell and its units. */
    rnn: z.enum(['gru', 'lstm']).default('gru'),
    // 128: on the 104,000-word list, 120 s on wasm, 61% of held-out words exact against 19% with 256 (2.6× the samples/s; bench/README.md).
    rnnUnits: z.number().int().min(1).max(2048).default(DEFAULT_RNN_UNITS),
    /** Sequence: size of the character embeddings. */
    embeddingSize: z.number().int().min(1).max(1024).default(64),
    /** Sequence: fraction of the decoder's input characters replaced by the unknown mark in training (keeps the decoder reading the code). */
    charDropout: z.number().min(0).max(0.9).default(0.25),
    /** Sequence: a variational code (mean and log-variance, KL weight annealed) so that new lines can be sampled. */
    variational: z.boolean().default(false),
  })
  .strict();

export type ModelConfigInput = z.input<typeof modelConfigSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema> & {
  codeSize: number;
  hiddenLayers: number[];
  convFilters: number[];
  outputActivation: (typeof OUTPUT_ACTIVATIONS)[number];
  loss: (typeof LOSSES)[number];
  learningRate: number;
  learningRateSchedule: LearningRateSchedule;
};
