"""What the bench's speed peers (pytorch_peer.py, keras_peer.py) share: the IDX reader and the command line,
so that both train the same networks on the same images with the same settings."""
import argparse
import gzip
import struct
import sys

import numpy as np


def read_idx_images(path, limit):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack('>IIII', data[:16])
    if magic != 0x00000803:
        sys.exit(f'{path}: not an IDX3 images file (magic {magic:#x})')
    count = min(count, limit) if limit else count
    pixels = np.frombuffer(data, dtype=np.uint8, count=count * rows * cols, offset=16)
    return pixels.reshape(count, rows, cols)


def parse_speed_peer_args():
    parser = argparse.ArgumentParser()
    parser.add_argument('--images', required=True)
    parser.add_argument('--model', choices=['dense', 'conv'], required=True)
    parser.add_argument('--hidden', type=lambda v: [int(x) for x in v.split(',') if x], default=[128])
    parser.add_argument('--code-size', type=int, default=64)
    parser.add_argument('--filters', type=lambda v: [int(x) for x in v.split(',')], default=[16, 8, 8])
    parser.add_argument('--samples', type=int, default=0, help='0 = all')
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup-batches', type=int, default=5)
    parser.add_argument('--seed', type=int, default=42)
    return parser.parse_args()
