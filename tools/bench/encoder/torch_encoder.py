#!/usr/bin/python3
# The PyTorch reference for tools/bench/encoder/bench.ts: the same BERT encoder as @realm/bert
# (google-research/bert modeling.py: embeddings + LayerNorm, post-LN Transformer layers with erf GELU,
# masked-LM head tied to the word embeddings, weighted cross-entropy as run_pretraining.py) timed on
# CPU with torch.set_num_threads(THREADS). Prints one JSON object on stdout.
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, ffn, dropout):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, ffn)
        self.output = nn.Linear(ffn, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask_bias):
        batch, seq, hidden = x.shape
        head_size = hidden // self.heads

        def split(t):  # [B, T, H] -> [B, N, T, D]
            return t.view(batch, seq, self.heads, head_size).transpose(1, 2)

        query = split(self.query(x)) / math.sqrt(head_size)
        key = split(self.key(x))
        value = split(self.value(x))
        scores = query @ key.transpose(-1, -2) + mask_bias  # [B, N, T, T]
        probs = self.dropout(torch.softmax(scores, dim=-1))
        context = (probs @ value).transpose(1, 2).reshape(batch, seq, hidden)
        attended = self.attention_norm(self.dropout(self.attention_output(context)) + x)
        intermediate = F.gelu(self.intermediate(attended))  # erf GELU, as modeling.py as released
        return self.output_norm(self.dropout(self.output(intermediate)) + attended)


class BertMaskedLm(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, ffn, max_positions=512, dropout=0.1):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.position = nn.Embedding(max_positions, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList([BertLayer(hidden, heads, ffn, dropout) for _ in range(layers)])
        self.transform = nn.Linear(hidden, hidden)
        self.transform_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.output_bias = nn.Parameter(torch.zeros(vocab))
        for parameter in self.parameters():
            if parameter.dim() > 1:
                nn.init.trunc_normal_(parameter, std=0.02, a=-0.04, b=0.04)

    def encode(self, input_ids, input_mask):
        batch, seq = input_ids.shape
        positions = torch.arange(seq)
        x = self.word(input_ids) + self.token_type(torch.zeros_like(input_ids)) + self.position(positions)[None]
        x = self.dropout(self.embedding_norm(x))
        mask_bias = ((1.0 - input_mask.float()) * -10000.0)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask_bias)
        return x

    def forward(self, input_ids, input_mask, positions):
        sequence = self.encode(input_ids, input_mask)
        hidden = sequence.shape[-1]
        gathered = torch.gather(sequence, 1, positions[:, :, None].expand(-1, -1, hidden))
        transformed = self.transform_norm(F.gelu(self.transform(gathered)))
        return transformed @ self.word.weight.t() + self.output_bias


def masked_lm_loss(logits, labels, weights):
    log_probs = torch.log_softmax(logits, dim=-1)
    per_example = -log_probs.gather(-1, labels[..., None])[..., 0]
    return (weights * per_example).sum() / (weights.sum() + 1e-5)


def timed(step, min_seconds, max_steps, warm_up=True):
    if warm_up:
        step()
    start = time.perf_counter()
    steps = 0
    while steps < max_steps and (steps == 0 or time.perf_counter() - start < min_seconds):
        step()
        steps += 1
    return steps, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--config', required=True, help='JSON: vocab, hidden, layers, heads, ffn, seq, batch, masked, train')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--min-seconds', type=float, default=3.0)
    parser.add_argument('--max-steps', type=int, default=10)
    parser.add_argument('--no-warm-up', action='store_true', help='time the first forward pass too (BERT-base is slow here)')
    args = parser.parse_args()
    config = json.loads(args.config)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = BertMaskedLm(config['vocab'], config['hidden'], config['layers'], config['heads'], config['ffn'])
    batch, seq, masked = config['batch'], config['seq'], config['masked']
    input_ids = torch.randint(0, config['vocab'], (batch, seq))
    input_mask = torch.ones(batch, seq, dtype=torch.long)
    positions = torch.stack([torch.randperm(seq)[:masked] for _ in range(batch)])
    labels = torch.randint(0, config['vocab'], (batch, masked))
    weights = torch.ones(batch, masked)
    result = {'torch': torch.__version__, 'threads': args.threads, 'batch': batch, 'seq': seq}

    model.eval()

    def forward():
        with torch.no_grad():
            model.encode(input_ids, input_mask)

    steps, seconds = timed(forward, args.min_seconds, args.max_steps, not args.no_warm_up)
    result['forward'] = {'steps': steps, 'seconds': seconds, 'tokensPerSecond': steps * batch * seq / seconds}

    if config.get('train'):
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

        def train():
            optimizer.zero_grad()
            loss = masked_lm_loss(model(input_ids, input_mask, positions), labels, weights)
            loss.backward()
            optimizer.step()

        steps, seconds = timed(train, args.min_seconds, args.max_steps)
        result['train'] = {'steps': steps, 'seconds': seconds, 'tokensPerSecond': steps * batch * seq / seconds}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
