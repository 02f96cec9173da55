"""PyTorch peer of the sequence preset for `npm run bench`: a character GRU sequence-to-sequence
autoencoder (embedding 64, GRU 256 encoder -> code 64 -> tanh -> GRU 256 decoder started from the
code and fed the previous character, teacher forcing; Adam 2e-3, batch 128), trained for a fixed
wall-clock time on the same lines and the same training / held-out split as our trainer, then
evaluated by greedy decoding of the held-out lines.

The vocabulary follows src/data/readers/text.ts: 0 padding, 1 end of line, 2 unknown, then the
most frequent characters (cap) in code point order; lines cut to max_length - 1 characters.

Usage: python bench/text_peer.py --lines FILE --split SPLIT.json --seconds 120 [--threads 2]
  SPLIT.json: {"train": [...], "validation": [...]} line indices (non-empty lines, in file order).
Prints one JSON line: {samples, seconds, samples_per_second, epochs, val_char_accuracy,
val_exact_match, final_loss, threads, torch}.
"""
import argparse
import json
import random
import time
from collections import Counter

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

PAD, END, UNKNOWN = 0, 1, 2


def read_lines(path):
    with open(path, encoding='utf-8-sig') as f:
        text = f.read()
    return [line for line in text.replace('\r\n', '\n').replace('\r', '\n').split('\n') if line]


def vocabulary(lines, cap):
    counts = Counter(ch for line in lines for ch in line)
    ranked = sorted(counts, key=lambda ch: (-counts[ch], ord(ch)))[:cap]
    return {ch: i + 3 for i, ch in enumerate(sorted(ranked, key=ord))}


class Seq2Seq(nn.Module):
    def __init__(self, vocab, embedding=64, units=256, code=64):
        super().__init__()
        self.enc_embedding = nn.Embedding(vocab, embedding, padding_idx=PAD)
        self.enc_gru = nn.GRU(embedding, units, batch_first=True)
        self.code = nn.Linear(units, code)
        self.dec_state = nn.Linear(code, units)
        self.dec_embedding = nn.Embedding(vocab, embedding)
        self.dec_gru = nn.GRU(embedding, units, batch_first=True)
        self.dec_output = nn.Linear(units, vocab)

    def encode(self, ids, lengths):
        packed = pack_padded_sequence(self.enc_embedding(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h = self.enc_gru(packed)
        return self.code(h[0])

    def first_state(self, code):
        return torch.tanh(self.dec_state(code)).unsqueeze(0)

    def forward(self, ids, lengths, previous):
        out, _ = self.dec_gru(self.dec_embedding(previous), self.first_state(self.encode(ids, lengths)))
        return self.dec_output(out)

    @torch.no_grad()
    def greedy(self, ids, lengths, max_length):
        h = self.first_state(self.encode(ids, lengths))
        token = torch.full((ids.shape[0], 1), END, dtype=torch.long)
        out = []
        for _ in range(max_length):
            step, h = self.dec_gru(self.dec_embedding(token), h)
            token = self.dec_output(step).argmax(-1)
            out.append(token)
        return torch.cat(out, 1)


def tensors(samples, max_length):
    """samples: lists of character indices (already cut). Returns encoder ids, lengths, decoder inputs, targets."""
    count = len(samples)
    longest = max(len(s) for s in samples)
    ids = torch.zeros((count, longest), dtype=torch.long)
    previous = torch.zeros((count, longest + 1), dtype=torch.long)
    targets = torch.zeros((count, longest + 1), dtype=torch.long)
    for i, s in enumerate(samples):
        ids[i, :len(s)] = torch.tensor(s)
        previous[i, 0] = END
        previous[i, 1:len(s) + 1] = torch.tensor(s)
        targets[i, :len(s)] = torch.tensor(s)
        targets[i, len(s)] = END
    lengths = torch.tensor([len(s) for s in samples])
    return ids, lengths, previous, targets


def evaluate(model, samples, max_length, batch_size=512):
    right = total = exact = 0
    for start in range(0, len(samples), batch_size):
        chunk = samples[start:start + batch_size]
        ids, lengths, _, targets = tensors(chunk, max_length)
        decoded = model.greedy(ids, lengths, max_length)
        for i, s in enumerate(chunk):
            target = s + [END]
            got = decoded[i, :len(target)].tolist()
            # After the end mark the decoder's output does not count; an early end mark is wrong.
            hits = sum(1 for a, b in zip(got, target) if a == b)
            right += hits
            total += len(target)
            exact += hits == len(target)
    return right / total, exact / len(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lines', required=True)
    parser.add_argument('--split', required=True)
    parser.add_argument('--seconds', type=float, default=120)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--max-length', type=int, default=0)
    parser.add_argument('--max-vocabulary', type=int, default=3000)
    parser.add_argument('--seed', type=int, default=42)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    lines = read_lines(args.lines)
    with open(args.split) as f:
        split = json.load(f)
    chars = {}
    index = vocabulary(lines, args.max_vocabulary)
    max_length = args.max_length or max(2, min(max(len(l) for l in lines) + 1, 64))
    samples = [[index.get(ch, UNKNOWN) for ch in line[:max_length - 1]] for line in lines]
    train = [samples[i] for i in split['train']]
    held_out = [samples[i] for i in split['validation']]

    model = Seq2Seq(len(index) + 3)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_of = nn.CrossEntropyLoss(ignore_index=PAD)
    rng = random.Random(args.seed)
    trained = 0
    epochs = 0.0
    loss_value = float('nan')
    started = time.perf_counter()
    done = False
    while not done:
        order = list(range(len(train)))
        rng.shuffle(order)
        for start in range(0, len(order), args.batch_size):
            batch = [train[i] for i in order[start:start + args.batch_size]]
            ids, lengths, previous, targets = tensors(batch, max_length)
            logits = model(ids, lengths, previous)
            loss = loss_of(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_value = loss.item()
            trained += len(batch)
            epochs += len(batch) / len(train)
            if time.perf_counter() - started >= args.seconds:
                done = True
                break
    seconds = time.perf_counter() - started
    model.eval()
    char_accuracy, exact_match = evaluate(model, held_out, max_length)
    print(json.dumps({
        'samples': trained, 'seconds': seconds, 'samples_per_second': trained / seconds, 'epochs': epochs,
        'val_char_accuracy': char_accuracy, 'val_exact_match': exact_match, 'final_loss': loss_value,
        'threads': args.threads, 'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
