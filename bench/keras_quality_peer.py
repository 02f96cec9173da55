"""The quality peer of bench/quality.ts: the same network in Keras 3, trained as a careful Keras user would.

Adam, batch 128, EarlyStopping(monitor='val_loss', patience, restore_best_weights=True), on exactly the
samples and the validation split our trainer used (written by quality.ts as .npy files). Prints one JSON
line: the best validation MSE, epochs, wall seconds.

    python keras_quality_peer.py DATA_DIR --preset dense|conv --loss mse|bce --lr 0.002 --patience 10 --max-seconds 600
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def dense(shape, loss):
    features = int(np.prod(shape))
    inputs = keras.Input(shape=shape)
    x = layers.Flatten()(inputs)
    x = layers.Dense(128, activation="relu")(x)
    code = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(128, activation="relu")(code)
    x = layers.Dense(features, activation="sigmoid")(x)
    return keras.Model(inputs, layers.Reshape(shape)(x))


def conv(shape, loss):
    # The lab's default conv preset (src/models/presets/conv.ts): Conv2D 16, pool, Conv2D 8, pool,
    # Conv2D 8 (the code) | upsample, Conv2D 16, upsample, Conv2D channels (sigmoid). Sides divisible by 4.
    inputs = keras.Input(shape=shape)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    code = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(2)(code)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(shape[-1], 3, padding="same", activation="sigmoid")(x)
    return keras.Model(inputs, x)


class TimeLimit(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.deadline = time.perf_counter() + seconds

    def on_epoch_end(self, epoch, logs=None):
        if time.perf_counter() > self.deadline:
            self.model.stop_training = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--preset", default="dense")
    parser.add_argument("--loss", default="mse")
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--patience", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(42)
    train = np.load(os.path.join(args.data, "train.npy"))
    validation = np.load(os.path.join(args.data, "validation.npy"))
    shape = train.shape[1:]
    model = (conv if args.preset == "conv" else dense)(shape, args.loss)
    loss = "binary_crossentropy" if args.loss == "bce" else "mse"
    model.compile(optimizer=keras.optimizers.Adam(args.lr), loss=loss, metrics=["mse"])
    started = time.perf_counter()
    history = model.fit(
        train, train, batch_size=128, epochs=1000, shuffle=True, verbose=0,
        validation_data=(validation, validation),
        callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=args.patience, restore_best_weights=True), TimeLimit(args.max_seconds)],
    )
    seconds = time.perf_counter() - started
    reconstruction = model.predict(validation, batch_size=256, verbose=0)
    print(json.dumps({
        "valMse": float(np.mean((reconstruction - validation) ** 2)),
        "epochs": len(history.history["loss"]),
        "seconds": seconds,
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
    }))


if __name__ == "__main__":
    sys.exit(main())
