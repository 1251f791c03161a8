#!/usr/bin/env python3
"""Independent PyTorch reference for greedy decoding of a llama2.c legacy checkpoint (stories260K.bin).

Reads the .bin directly in llama2.c's own conventions -- matrices [out, in], RoPE on *adjacent pairs*
(x[2i], x[2i+1]) with frequency 10000^(-2i/head_size), grouped-query heads h -> kv head h // (H / Hkv),
RMSNorm eps 1e-5, classifier = token embedding -- and decodes greedily like run.c: the prompt tokens are
forced, then argmax, stopping at BOS (id 1) or after the step limit. No weight permutation is involved, so
this checks @xrec/transformer's llama2.c loader (which converts to Hugging Face's rotate-half layout) and its
generation loop end to end. Prompts are token-id lists (tokenization is not under test here).

    /usr/bin/python3 test/reference/llama2c_greedy.py     # from packages/transformer; writes the JSON fixture
"""
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, '..', 'fixtures')


def load(path):
    raw = open(path, 'rb').read()
    dim, hidden, L, H, Hkv, V, seq = struct.unpack('<7i', raw[:28])
    shared = V > 0
    V = abs(V)
    a = torch.from_numpy(np.frombuffer(raw[28:], dtype='<f4').astype(np.float32))
    hd = dim // H
    kv = Hkv * hd
    off = 0

    def take(*shape):
        nonlocal off
        n = int(np.prod(shape))
        t = a[off:off + n].reshape(*shape)
        off += n
        return t

    w = {
        'emb': take(V, dim), 'rms_att': take(L, dim), 'wq': take(L, dim, dim), 'wk': take(L, kv, dim),
        'wv': take(L, kv, dim), 'wo': take(L, dim, dim), 'rms_ffn': take(L, dim), 'w1': take(L, hidden, dim),
        'w2': take(L, dim, hidden), 'w3': take(L, hidden, dim), 'rms_final': take(dim),
    }
    take(seq, hd // 2)
    take(seq, hd // 2)
    w['cls'] = w['emb'] if shared else take(V, dim)
    return w, dict(dim=dim, hidden=hidden, L=L, H=H, Hkv=Hkv, V=V, seq=seq, hd=hd)


def rope_pairs(x, pos, hd):
    """x [T, n*hd]: rotate (x[2i], x[2i+1]) in each head by pos * 10000^(-2i/hd)."""
    T = x.shape[0]
    x = x.view(T, -1, hd // 2, 2)
    i = torch.arange(0, hd, 2, dtype=torch.float32)
    freq = 1.0 / torch.pow(torch.tensor(10000.0), i / hd)
    ang = pos[:, None].float() * freq[None, :]
    c, s = torch.cos(ang)[:, None, :], torch.sin(ang)[:, None, :]
    x0, x1 = x[..., 0], x[..., 1]
    return torch.stack([x0 * c - x1 * s, x0 * s + x1 * c], dim=-1).view(T, -1)


def rms(x, g):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * g


def logits_last(w, c, toks):
    """Full causal forward over toks; logits of the last position."""
    T = len(toks)
    H, Hkv, hd = c['H'], c['Hkv'], c['hd']
    pos = torch.arange(T)
    x = w['emb'][torch.tensor(toks)]
    mask = torch.triu(torch.full((T, T), float('-inf')), diagonal=1)
    for l in range(c['L']):
        h = rms(x, w['rms_att'][l])
        q = rope_pairs(h @ w['wq'][l].T, pos, hd).view(T, H, hd).transpose(0, 1)
        k = rope_pairs(h @ w['wk'][l].T, pos, hd).view(T, Hkv, hd).transpose(0, 1)
        v = (h @ w['wv'][l].T).view(T, Hkv, hd).transpose(0, 1)
        k = k.repeat_interleave(H // Hkv, dim=0)
        v = v.repeat_interleave(H // Hkv, dim=0)
        att = torch.softmax(q @ k.transpose(1, 2) / hd ** 0.5 + mask, dim=-1)
        o = (att @ v).transpose(0, 1).reshape(T, -1)
        x = x + o @ w['wo'][l].T
        h = rms(x, w['rms_ffn'][l])
        x = x + (torch.nn.functional.silu(h @ w['w1'][l].T) * (h @ w['w3'][l].T)) @ w['w2'][l].T
    return rms(x[-1], w['rms_final']) @ w['cls'].T


def greedy(w, c, prompt, steps):
    toks = list(prompt)
    out = []
    for _ in range(steps):
        nxt = int(torch.argmax(logits_last(w, c, toks)))
        if nxt == 1:
            break
        out.append(nxt)
        toks.append(nxt)
    return out


def main():
    torch.set_grad_enabled(False)
    w, c = load(os.path.join(FIX, 'stories260K.bin'))
    prompts = [[1], [1, 403, 407, 261, 378], [1, 300, 301, 302], [1, 500, 17, 280, 290, 300, 410]]
    cases = [{'prompt': p, 'greedy': greedy(w, c, p, 60)} for p in prompts]
    out = {'checkpoint': 'stories260K.bin', 'steps': 60, 'stop': 'BOS (id 1)', 'torch': torch.__version__,
           'script': 'test/reference/llama2c_greedy.py', 'cases': cases}
    with open(os.path.join(FIX, 'stories260K-greedy-torch.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    for case in cases:
        print(case['prompt'], '->', case['greedy'][:12], '...')


if __name__ == '__main__':
    main()
