"""Keras 3 (TensorFlow 2 CPU) peer for `npm run bench`: the same autoencoders, initialization, optimizer,
batch size and data as our trainer and bench/pytorch_peer.py, timed over one epoch. Run with the bench's
peer venv (bench/peer-venv.ts: tensorflow-cpu from the Python package registry).

Usage: python bench/keras_peer.py --images train-images-idx3-ubyte.gz --model dense|conv
           [--hidden 128] [--code-size 64] [--filters 16,8,8]
           [--samples N] [--batch-size 128] [--threads 2] [--warmup-batches 5] [--seed 42]
Prints one JSON line, the fields of pytorch_peer.py's, with 'framework' and 'keras' instead of 'torch'.
"""
import json
import os
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # noqa: E402

from peer_common import parse_speed_peer_args, read_idx_images  # noqa: E402


def build(args, seed, keras):
    """As the zoo's presets (and pytorch_peer.py): Glorot-uniform kernels, zero biases (Keras' defaults)."""
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    if args.model == 'dense':
        x = inputs = keras.Input((784,))
        for units in args.hidden + [args.code_size] + list(reversed(args.hidden)):
            x = layers.Dense(units, activation='relu')(x)
        outputs = layers.Dense(784, activation='sigmoid')(x)
    else:
        x = inputs = keras.Input((28, 28, 1))
        poolings = len(args.filters) - 1
        for i, f in enumerate(args.filters):
            x = layers.Conv2D(f, 3, padding='same', activation='relu')(x)
            if i < poolings:
                x = layers.MaxPooling2D(2)(x)
        for k in range(1, poolings + 1):
            last = k == poolings
            x = layers.UpSampling2D(2)(x)
            x = layers.Conv2D(1 if last else args.filters[poolings - 1 - k], 3, padding='same', activation='sigmoid' if last else 'relu')(x)
        outputs = x
    model = keras.Model(inputs, outputs)
    # tfjs' Adam: lr 1e-3, epsilon 1e-7 (Keras' default too).
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7), loss='mse')
    return model


def main():
    args = parse_speed_peer_args()

    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    images = read_idx_images(args.images, args.samples)
    data = images.astype(np.float32) / 255.0
    data = data.reshape(len(images), 784) if args.model == 'dense' else data.reshape(len(images), 28, 28, 1)
    n = len(images)
    rng = np.random.default_rng(args.seed)

    # Warm-up on the timed model itself (fit traces its training function once per model), then back
    # to its initialization: the weights, and Adam's step count and moments.
    model = build(args, args.seed, keras)
    initial = model.get_weights()
    # With the epoch's odd-sized last batch too, which is traced on its own.
    warm_x = data[rng.permutation(n)[: args.warmup_batches * args.batch_size + n % args.batch_size]]
    model.fit(warm_x, warm_x, batch_size=args.batch_size, epochs=1, shuffle=False, verbose=0)
    model.set_weights(initial)
    optimizer = model.optimizer
    optimizer.iterations.assign(0)
    for slot in list(optimizer._momentums) + list(optimizer._velocities):
        slot.assign(tf.zeros_like(slot))
    x = data[rng.permutation(n)]
    t0, c0 = time.perf_counter(), time.process_time()
    history = model.fit(x, x, batch_size=args.batch_size, epochs=1, shuffle=False, verbose=0)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    # Keras' epoch loss is the sample-weighted mean over the epoch's batches: the same definition as ours.
    print(json.dumps({
        'model': args.model,
        'samples': n,
        'batch_size': args.batch_size,
        'seconds': round(seconds, 3),
        'cpu_seconds': round(cpu_seconds, 3),
        'samples_per_second': round(n / seconds, 1),
        'final_loss': float(history.history['loss'][-1]),
        'threads': args.threads,
        'framework': 'keras',
        'keras': keras.__version__,
        'tensorflow': tf.__version__,
        'blas': 'eigen/onednn',
    }))


if __name__ == '__main__':
    main()
