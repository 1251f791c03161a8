#!/usr/bin/env python3
"""Reference gradients of the masked-LM loss for @xrec/transformer's encoders (BERT, RoBERTa).

Reads the committed random checkpoints (fixtures/ref-bert, fixtures/ref-roberta: written by
make_encoder_fixtures.py), builds one masked batch per model (a padded row included; labels -100 except ~30% of
the real tokens), computes the mean cross-entropy at the labelled positions with make_encoder_fixtures.py's
independent forward pass, and writes mlm-grads.safetensors beside the checkpoint: the batch (ids, mask,
labels), the loss and d loss / d parameter for every parameter, in Hugging Face's layout ([out, in] for
nn.Linear weights). The TypeScript test compares the gradients of `TransformerLM.loss` (native kernels when
active) to these, so a training bug — not only a forward bug — shows up.

Run with Debian's python3-torch, from packages/transformer:

    /usr/bin/python3 test/reference/make_mlm_grad_fixtures.py
"""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_encoder_fixtures import encoder_forward  # noqa: E402
from make_fixtures import OUT, write_safetensors  # noqa: E402

HEADS = {
    'bert': {'dense': 'cls.predictions.transform.dense', 'norm': 'cls.predictions.transform.LayerNorm', 'bias': 'cls.predictions.bias'},
    'roberta': {'dense': 'lm_head.dense', 'norm': 'lm_head.layer_norm', 'bias': 'lm_head.bias'},
}
# What the HF files carry besides parameters (make_encoder_fixtures.py writes them; they get no gradient).
NOT_PARAMETERS = ('position_ids', 'pooler.', 'seq_relationship', 'decoder.')


def read_safetensors(path):
    with open(path, 'rb') as f:
        blob = f.read()
    n = struct.unpack('<Q', blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, v in header.items():
        if name == '__metadata__':
            continue
        s, e = v['data_offsets']
        dtype = {'F32': np.float32, 'I32': np.int32, 'I64': np.int64}[v['dtype']]
        out[name] = torch.from_numpy(np.frombuffer(blob[8 + n + s:8 + n + e], dtype=dtype).reshape(v['shape']).copy())
    return out


def emit(name, root, gen):
    d = os.path.join(OUT, name)
    with open(os.path.join(d, 'config.json')) as f:
        cfg = json.load(f)
    stored = read_safetensors(os.path.join(d, 'model.safetensors'))
    W = {k: v.clone().requires_grad_(True) for k, v in stored.items() if not any(s in k for s in NOT_PARAMETERS)}
    B, S, V = 3, 14, cfg['vocab_size']
    ids = torch.randint(4, V, (B, S), generator=gen)
    mask = torch.ones(B, S, dtype=torch.int64)
    pad = cfg['pad_token_id']
    if root == 'roberta':  # left padding, as RoBERTa's position ids allow
        mask[1, :5] = 0
        ids[1, :5] = pad
    else:
        mask[1, 9:] = 0
        ids[1, 9:] = pad
    chosen = (torch.rand(B, S, generator=gen) < 0.3) & (mask == 1)
    chosen[:, 0] |= mask[:, 0] == 1  # at least one label per row that has a real first token
    chosen[1, 5] = True
    labels = torch.where(chosen, torch.randint(4, V, (B, S), generator=gen), torch.full((B, S), -100))
    logits = encoder_forward(W, cfg, root, HEADS[root], ids, mask)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    out = {'ids': ids.to(torch.int32), 'mask': mask.to(torch.int32), 'labels': labels.to(torch.int32), 'loss': loss.detach().reshape(1)}
    for k, v in W.items():
        out[f'grad.{k}'] = v.grad
    write_safetensors(os.path.join(d, 'mlm-grads.safetensors'), out, {'torch': torch.__version__, 'script': 'test/reference/make_mlm_grad_fixtures.py'})
    print('wrote', os.path.join(d, 'mlm-grads.safetensors'), 'loss', loss.item())


def main():
    gen = torch.Generator().manual_seed(2718)
    emit('ref-bert', 'bert', gen)
    emit('ref-roberta', 'roberta', gen)


if __name__ == '__main__':
    main()
