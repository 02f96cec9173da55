import type * as tfType from '@tensorflow/tfjs';
import type { Dataset } from '../../../src/data/dataset';
import { splitIndices } from '../../../src/data/split';
import { buildModel } from '../../../src/models/build-model';
import { createOptimizer } from '../../../src/models/optimizer';
import { parseModelConfig } from '../../../src/models/parse-config';
import type { FromTrainer } from '../../../src/protocol/trainer-protocol';
import { withDefaultPreset } from '../../../src/trainer/default-preset';
import { TrainControl } from '../../../src/trainer/train-control';
import type { TrainLoopOptions } from '../../../src/trainer/train-loop';

/**
 * How the loop is told when to stop: `epochs` passes only the config's epoch count (the loop's
 * shorthand: exactly that many, 1 when unset), `rule` the config's whole automatic-epochs rule.
 */
export type StoppingFrom = 'epochs' | 'rule';

/** A training loop in-process on a real dataset and a real model of the zoo, recording what it emits. */
export function loopSetup(
  tf: typeof tfType,
  dataset: Dataset,
  input: Record<string, unknown>,
  overrides: Partial<TrainLoopOptions> = {},
  stoppingFrom: StoppingFrom = 'epochs',
) {
  const config = parseModelConfig(withDefaultPreset(input, dataset), { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const model = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary?.length);
  const optimizer = createOptimizer(config);
  const split = splitIndices(dataset.count, config.validationSplit, config.seed);
  const events: FromTrainer[] = [];
  const control = new TrainControl();
  const stopping =
    stoppingFrom === 'rule'
      ? { stopping: { epochs: config.epochs, maxEpochs: config.maxEpochs, maxTimeSeconds: config.maxTimeSeconds, patience: config.patience, minDelta: config.minDelta } }
      : { epochs: config.epochs };
  const options: TrainLoopOptions = {
    tf,
    dataset,
    model,
    optimizer,
    trainIndices: split.train,
    validationIndices: split.validation,
    batchSize: config.batchSize,
    ...stopping,
    learningRate: { rate: config.learningRate, schedule: config.learningRateSchedule },
    seed: config.seed,
    control,
    emit: (m) => events.push(m),
    ...overrides,
  };
  const dispose = () => {
    optimizer.dispose();
    model.dispose();
  };
  return { options, events, control, dispose, model, optimizer, split };
}
