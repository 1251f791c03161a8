#!/usr/bin/env python3
"""Independent PyTorch reference for @xrec/transformer's logits tests.

Writes small random GPT-2 and Llama checkpoints in Hugging Face's on-disk layout (config.json +
model.safetensors) together with inputs and the logits this script's own PyTorch forward pass computes
(expected.safetensors). The TypeScript tests load the checkpoints with TransformerLM.load and compare.

The forward passes are written from the papers / HF semantics, not from the TypeScript code:
  GPT-2 (Radford et al. 2019): learned positions, pre-LayerNorm blocks, GELU (tanh), Conv1D weights [in, out],
      tied output embedding.
  Llama (Touvron et al. 2023): RMSNorm, rotary embeddings in HF's rotate-half convention (Su et al. 2021),
      SwiGLU MLP, grouped-query attention (KV head h // (H / Hkv)), nn.Linear weights [out, in], untied lm_head.
Padding masks follow HF generate(): position = cumsum(mask) - 1 (clamped at 0); masked keys get float32's min.
Prefix embeddings are concatenated before the token embeddings.

The safetensors files are laid out by hand (8-byte LE header length, JSON header, raw LE data), so no
`safetensors` package is needed. Run with Debian's python3-torch:

    /usr/bin/python3 test/reference/make_fixtures.py      # from packages/transformer
"""
import json
import math
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures')
torch.set_default_dtype(torch.float32)


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    offset = 0
    blobs = []
    for name, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        if a.dtype == np.float32:
            dt = 'F32'
        elif a.dtype == np.int32:
            dt = 'I32'
        else:
            raise ValueError(a.dtype)
        b = a.astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def masks_and_positions(mask):
    """mask [B, S] (1 = token) -> positions [B, S], boolean key mask [B, 1, 1, S] (True = attend)."""
    pos = (torch.cumsum(mask, dim=1) - 1).clamp(min=0)
    return pos, (mask != 0)[:, None, None, :]


def attention(q, k, v, key_mask):
    """q [B, H, S, hd], k/v [B, H, S, hd]; causal + key padding mask; blocked scores get float32's min (as HF)."""
    S = q.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    allowed = torch.tril(torch.ones(S, S, dtype=torch.bool)) & key_mask
    scores = scores.masked_fill(~allowed, torch.finfo(torch.float32).min)
    return torch.softmax(scores, dim=-1) @ v


# ---------------------------------------------------------------- GPT-2

def gpt2_forward(W, cfg, ids, mask, prefix=None):
    d, H = cfg['n_embd'], cfg['n_head']
    hd = d // H
    x = W['wte.weight'][ids]
    if prefix is not None:
        x = torch.cat([prefix, x], dim=1)
    B, S, _ = x.shape
    pos, key_mask = masks_and_positions(mask)
    x = x + W['wpe.weight'][pos]

    def ln(t, p):
        return torch.nn.functional.layer_norm(t, (d,), W[p + '.weight'], W[p + '.bias'], cfg['layer_norm_epsilon'])

    def conv1d(t, p):  # HF Conv1D: x @ W[in, out] + b
        return t @ W[p + '.weight'] + W[p + '.bias']

    def gelu_new(t):
        return 0.5 * t * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * torch.pow(t, 3.0))))

    for i in range(cfg['n_layer']):
        p = f'h.{i}'
        h = ln(x, p + '.ln_1')
        qkv = conv1d(h, p + '.attn.c_attn')
        q, k, v = qkv.split(d, dim=2)
        q, k, v = (t.view(B, S, H, hd).transpose(1, 2) for t in (q, k, v))
        a = attention(q, k, v, key_mask).transpose(1, 2).reshape(B, S, d)
        x = x + conv1d(a, p + '.attn.c_proj')
        h = ln(x, p + '.ln_2')
        x = x + conv1d(gelu_new(conv1d(h, p + '.mlp.c_fc')), p + '.mlp.c_proj')
    x = ln(x, 'ln_f')
    return x @ W['wte.weight'].T


def make_gpt2(gen):
    cfg = {
        'model_type': 'gpt2', 'architectures': ['GPT2LMHeadModel'], 'activation_function': 'gelu_new',
        'vocab_size': 97, 'n_positions': 32, 'n_ctx': 32, 'n_embd': 32, 'n_layer': 2, 'n_head': 4, 'n_inner': None,
        'resid_pdrop': 0.1, 'embd_pdrop': 0.1, 'attn_pdrop': 0.1, 'layer_norm_epsilon': 1e-5,
        'initializer_range': 0.02, 'bos_token_id': 96, 'eos_token_id': 96, 'summary_type': 'cls_index',
        'tie_word_embeddings': True, 'torch_dtype': 'float32',
    }
    d, V, ctx, L = cfg['n_embd'], cfg['vocab_size'], cfg['n_positions'], cfg['n_layer']
    r = lambda *s, std=1.0: torch.randn(*s, generator=gen) * std  # noqa: E731
    W = {'wte.weight': r(V, d), 'wpe.weight': r(ctx, d, std=0.5)}
    for i in range(L):
        p = f'h.{i}'
        W[p + '.ln_1.weight'] = 1 + r(d, std=0.1)
        W[p + '.ln_1.bias'] = r(d, std=0.1)
        W[p + '.attn.c_attn.weight'] = r(d, 3 * d, std=1 / math.sqrt(d))
        W[p + '.attn.c_attn.bias'] = r(3 * d, std=0.1)
        W[p + '.attn.c_proj.weight'] = r(d, d, std=1 / math.sqrt(d))
        W[p + '.attn.c_proj.bias'] = r(d, std=0.1)
        W[p + '.ln_2.weight'] = 1 + r(d, std=0.1)
        W[p + '.ln_2.bias'] = r(d, std=0.1)
        W[p + '.mlp.c_fc.weight'] = r(d, 4 * d, std=1 / math.sqrt(d))
        W[p + '.mlp.c_fc.bias'] = r(4 * d, std=0.1)
        W[p + '.mlp.c_proj.weight'] = r(4 * d, d, std=1 / math.sqrt(4 * d))
        W[p + '.mlp.c_proj.bias'] = r(d, std=0.1)
    W['ln_f.weight'] = 1 + r(d, std=0.1)
    W['ln_f.bias'] = r(d, std=0.1)
    # HF's GPT-2 files carry the causal-mask buffer h.i.attn.bias; the loader must skip it.
    stored = dict(W)
    for i in range(L):
        stored[f'h.{i}.attn.bias'] = torch.tril(torch.ones(ctx, ctx)).view(1, 1, ctx, ctx)
    return cfg, W, stored


# ---------------------------------------------------------------- Llama

def llama_forward(W, cfg, ids, mask, prefix=None):
    d, H, Hkv = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads']
    hd = d // H
    eps, theta = cfg['rms_norm_eps'], cfg['rope_theta']
    x = W['model.embed_tokens.weight'][ids]
    if prefix is not None:
        x = torch.cat([prefix, x], dim=1)
    B, S, _ = x.shape
    pos, key_mask = masks_and_positions(mask)
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = pos[..., None].float() * inv_freq  # [B, S, hd/2]
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [B, 1, S, hd]

    def rot_half(t):
        t1, t2 = t[..., : hd // 2], t[..., hd // 2:]
        return torch.cat([-t2, t1], dim=-1)

    def rms(t, w):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * w

    def lin(t, p):  # nn.Linear: x @ W[out, in]^T
        return t @ W[p + '.weight'].T

    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}'
        h = rms(x, W[p + '.input_layernorm.weight'])
        q = lin(h, p + '.self_attn.q_proj').view(B, S, H, hd).transpose(1, 2)
        k = lin(h, p + '.self_attn.k_proj').view(B, S, Hkv, hd).transpose(1, 2)
        v = lin(h, p + '.self_attn.v_proj').view(B, S, Hkv, hd).transpose(1, 2)
        q = q * cos + rot_half(q) * sin
        k = k * cos + rot_half(k) * sin
        k = k.repeat_interleave(H // Hkv, dim=1)
        v = v.repeat_interleave(H // Hkv, dim=1)
        a = attention(q, k, v, key_mask).transpose(1, 2).reshape(B, S, d)
        x = x + lin(a, p + '.self_attn.o_proj')
        h = rms(x, W[p + '.post_attention_layernorm.weight'])
        g = lin(h, p + '.mlp.gate_proj')
        x = x + lin(torch.nn.functional.silu(g) * lin(h, p + '.mlp.up_proj'), p + '.mlp.down_proj')
    x = rms(x, W['model.norm.weight'])
    return lin(x, 'lm_head')


def make_llama(gen):
    cfg = {
        'model_type': 'llama', 'architectures': ['LlamaForCausalLM'], 'hidden_act': 'silu',
        'vocab_size': 101, 'max_position_embeddings': 64, 'hidden_size': 48, 'intermediate_size': 80,
        'num_hidden_layers': 2, 'num_attention_heads': 6, 'num_key_value_heads': 2, 'rms_norm_eps': 1e-5,
        'rope_theta': 10000.0, 'rope_scaling': None, 'attention_bias': False, 'tie_word_embeddings': False,
        'bos_token_id': 1, 'eos_token_id': 2, 'torch_dtype': 'float32',
    }
    d, V, F, L = cfg['hidden_size'], cfg['vocab_size'], cfg['intermediate_size'], cfg['num_hidden_layers']
    kv = d // cfg['num_attention_heads'] * cfg['num_key_value_heads']
    r = lambda *s, std=1.0: torch.randn(*s, generator=gen) * std  # noqa: E731
    W = {'model.embed_tokens.weight': r(V, d)}
    for i in range(L):
        p = f'model.layers.{i}'
        W[p + '.input_layernorm.weight'] = 1 + r(d, std=0.1)
        W[p + '.self_attn.q_proj.weight'] = r(d, d, std=1 / math.sqrt(d))
        W[p + '.self_attn.k_proj.weight'] = r(kv, d, std=1 / math.sqrt(d))
        W[p + '.self_attn.v_proj.weight'] = r(kv, d, std=1 / math.sqrt(d))
        W[p + '.self_attn.o_proj.weight'] = r(d, d, std=1 / math.sqrt(d))
        W[p + '.post_attention_layernorm.weight'] = 1 + r(d, std=0.1)
        W[p + '.mlp.gate_proj.weight'] = r(F, d, std=1 / math.sqrt(d))
        W[p + '.mlp.up_proj.weight'] = r(F, d, std=1 / math.sqrt(d))
        W[p + '.mlp.down_proj.weight'] = r(d, F, std=1 / math.sqrt(F))
    W['model.norm.weight'] = 1 + r(d, std=0.1)
    W['lm_head.weight'] = r(V, d, std=1 / math.sqrt(d))
    return cfg, W, dict(W)


def cases(gen, V, d):
    """(name, ids, mask, prefix) cases: plain, left padding, prefix embeddings + padding."""
    ids = torch.randint(0, V, (2, 7), generator=gen)
    plain = (ids, torch.ones(2, 7, dtype=torch.int64), None)
    pmask = torch.ones(2, 7, dtype=torch.int64)
    pmask[0, :3] = 0
    pids = ids.clone()
    pids[0, :3] = 0
    padded = (pids, pmask, None)
    prefix = torch.randn(2, 3, d, generator=gen)
    fids = torch.randint(0, V, (2, 4), generator=gen)
    fmask = torch.ones(2, 7, dtype=torch.int64)
    fmask[1, 3] = 0  # one padding slot between prefix and tokens in row 1
    with_prefix = (fids, fmask, prefix)
    return {'plain': plain, 'padded': padded, 'prefix': with_prefix}


def write_model_dir(name, cfg, stored):
    """A Hugging Face-layout model folder under OUT (config.json, model.safetensors); returns its path."""
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(out, 'model.safetensors'), stored, {'format': 'pt'})
    return out


def write_case_logits(out, cases_, fwd, script):
    """expected.safetensors: per case its ids, mask, optional prefix and the reference logits of fwd(ids, mask, prefix)."""
    expected = {}
    for case, (ids, mask, prefix) in cases_.items():
        with torch.no_grad():
            logits = fwd(ids, mask, prefix)
        expected[f'{case}.ids'] = ids.to(torch.int32)
        expected[f'{case}.mask'] = mask.to(torch.int32)
        if prefix is not None:
            expected[f'{case}.prefix'] = prefix
        expected[f'{case}.logits'] = logits
    write_safetensors(os.path.join(out, 'expected.safetensors'), expected, {'torch': torch.__version__, 'script': script})
    print('wrote', out)


def emit(name, cfg, W, stored, fwd, gen, V, d):
    out = write_model_dir(name, cfg, stored)
    write_case_logits(out, cases(gen, V, d), lambda ids, mask, prefix: fwd(W, cfg, ids, mask, prefix), 'test/reference/make_fixtures.py')


def main():
    gen = torch.Generator().manual_seed(1234)
    cfg, W, stored = make_gpt2(gen)
    emit('ref-gpt2', cfg, W, stored, gpt2_forward, gen, cfg['vocab_size'], cfg['n_embd'])
    cfg, W, stored = make_llama(gen)
    emit('ref-llama', cfg, W, stored, llama_forward, gen, cfg['vocab_size'], cfg['hidden_size'])


if __name__ == '__main__':
    main()
