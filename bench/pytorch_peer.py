#!/usr/bin/python3
"""PyTorch peer for `npm run bench`: the same autoencoders, initialization, optimizer, batch size and
data as our trainer, timed over one epoch on the CPU. Run with Debian's python3 (python3-torch).

Usage: /usr/bin/python3 bench/pytorch_peer.py --images train-images-idx3-ubyte.gz --model dense|conv
           [--hidden 128] [--code-size 64] [--filters 16,8,8]
           [--samples N] [--batch-size 128] [--threads 2] [--warmup-batches 5] [--seed 42]
Prints one JSON line: {model, samples, batch_size, seconds, cpu_seconds, samples_per_second, final_loss, threads, torch}.
"""
import json
import time

import numpy as np
import torch
from torch import nn

from peer_common import parse_speed_peer_args, read_idx_images


def blas_in_use():
    """The BLAS library torch's matrix products run on, read from this process's memory map.
    Debian's python3-torch links the system libblas.so.3: the reference BLAS (libblas3) unless an
    optimized one (libopenblas0-pthread, libblis4) is installed; the reference one is ~10x slower."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if 'blas' in line or 'mkl' in line or 'blis' in line}
    except OSError:
        return 'unknown'
    for name in ('mkl', 'openblas', 'blis'):
        if any(name in p for p in paths):
            return name
    return 'reference' if any('libblas.so' in p for p in paths) else 'unknown'


def glorot_and_zeros(module):
    # tfjs layers' defaults: glorotUniform kernels, zero biases. For conv, PyTorch's fan in/out
    # (in*kh*kw, out*kh*kw) equal Keras' (kh*kw*in, kh*kw*out).
    if isinstance(module, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def dense_model(size, hidden, code_size):
    """As the `dense` preset: input -> hidden... -> code -> hidden mirrored -> output (sigmoid), ReLU."""
    layers, width = [], size
    for units in hidden + [code_size]:
        layers += [nn.Linear(width, units), nn.ReLU()]
        width = units
    for units in reversed(hidden):
        layers += [nn.Linear(width, units), nn.ReLU()]
        width = units
    layers += [nn.Linear(width, size), nn.Sigmoid()]
    return nn.Sequential(*layers)


def conv_model(channels, filters):
    """As the `conv` preset: Conv+MaxPool per filter but the last (the code), then UpSampling+Conv mirrored."""
    layers, width = [], channels
    poolings = len(filters) - 1
    for i, f in enumerate(filters):
        layers += [nn.Conv2d(width, f, 3, padding='same'), nn.ReLU()]
        if i < poolings:
            layers.append(nn.MaxPool2d(2))
        width = f
    for k in range(1, poolings + 1):
        last = k == poolings
        f = channels if last else filters[poolings - 1 - k]
        layers += [nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(width, f, 3, padding='same'),
                   nn.Sigmoid() if last else nn.ReLU()]
        width = f
    return nn.Sequential(*layers)


def build(args, seed):
    torch.manual_seed(seed)
    if args.model == 'dense':
        net = dense_model(784, args.hidden, args.code_size)
    else:
        net = conv_model(1, args.filters)
    net.apply(glorot_and_zeros)
    # tfjs' Adam uses epsilon 1e-7 (its backend epsilon); PyTorch's default is 1e-8.
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    return net, optimizer


def run_epoch(net, optimizer, data, batch_size, order, max_batches=None):
    loss_fn = nn.MSELoss()
    total, seen = 0.0, 0
    for b, start in enumerate(range(0, len(order), batch_size)):
        if max_batches is not None and b >= max_batches:
            break
        idx = order[start:start + batch_size]
        x = data[idx]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), x)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
        seen += len(idx)
    return total / max(seen, 1)


def main():
    args = parse_speed_peer_args()

    torch.set_num_threads(args.threads)
    images = read_idx_images(args.images, args.samples)
    # Scaled to [0, 1] once up front, as a PyTorch user would.
    flat = torch.from_numpy(images.astype(np.float32) / 255.0)
    data = flat.reshape(len(images), 784) if args.model == 'dense' else flat.reshape(len(images), 1, 28, 28)
    n = len(images)

    generator = torch.Generator().manual_seed(args.seed)
    # Warm-up on a throwaway model so the timed model starts from its initialization.
    warm_net, warm_opt = build(args, args.seed + 1)
    run_epoch(warm_net, warm_opt, data, args.batch_size, torch.randperm(n, generator=generator), args.warmup_batches)

    net, optimizer = build(args, args.seed)
    order = torch.randperm(n, generator=generator)
    t0, c0 = time.perf_counter(), time.process_time()
    final_loss = run_epoch(net, optimizer, data, args.batch_size, order)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({
        'model': args.model,
        'samples': n,
        'batch_size': args.batch_size,
        'seconds': round(seconds, 3),
        'cpu_seconds': round(cpu_seconds, 3),  # all threads
        'samples_per_second': round(n / seconds, 1),
        'final_loss': final_loss,
        'threads': torch.get_num_threads(),
        'torch': torch.__version__,
        'blas': blas_in_use(),
    }))


if __name__ == '__main__':
    main()
