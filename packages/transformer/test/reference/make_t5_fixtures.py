#!/usr/bin/env python3
"""Independent PyTorch reference for @xrec/transformer's T5 encoder-decoder.

Writes small random T5ForConditionalGeneration checkpoints in Hugging Face's on-disk layout (config.json +
model.safetensors, with the encoder/decoder embed_tokens aliases HF files carry) and the logits this script's
own forward pass computes (expected.safetensors). The forward pass follows Raffel et al. 2020 and HF's
modeling_t5 semantics, not the TypeScript code: RMS layer norm without mean or bias (eps 1e-6); attention
q k^T without 1/sqrt(d_kv), plus a relative position bias from block 0's table (bidirectional buckets in the
encoder, causal in the decoder, none in cross-attention) computed in float32 as HF does; padded keys get
float32's min; ReLU (v1.0) or gated tanh-GELU (v1.1) feed-forward; tied head scaled by d_model^-0.5.

Run with Debian's python3-torch, from packages/transformer:

    /usr/bin/python3 test/reference/make_t5_fixtures.py
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import write_model_dir, write_safetensors  # noqa: E402


def bucket(rel, bidirectional, num_buckets, max_distance):
    ret = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        ret += (rel > 0).to(torch.long) * num_buckets
        n = torch.abs(rel)
    else:
        n = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = n < max_exact
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return ret + torch.where(is_small, n, large)


def pos_bias(table, q_len, k_len, bidirectional, cfg):
    ctx = torch.arange(q_len)[:, None]
    mem = torch.arange(k_len)[None, :]
    b = bucket(mem - ctx, bidirectional, cfg['relative_attention_num_buckets'], cfg['relative_attention_max_distance'])
    return table[b].permute(2, 0, 1).unsqueeze(0)  # [1, H, q, k]


def forward(W, cfg, ids, mask, dec):
    d, H, dkv = cfg['d_model'], cfg['num_heads'], cfg['d_kv']
    eps = cfg['layer_norm_epsilon']
    gated = cfg['feed_forward_proj'] == 'gated-gelu'
    minf = torch.finfo(torch.float32).min

    def rms(x, p):
        return W[p] * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def lin(x, p):
        return x @ W[p].T

    def attn(m, xq, xkv, bias):
        B, Sq, _ = xq.shape
        Sk = xkv.shape[1]
        q = lin(xq, m + '.q.weight').view(B, Sq, H, dkv).transpose(1, 2)
        k = lin(xkv, m + '.k.weight').view(B, Sk, H, dkv).transpose(1, 2)
        v = lin(xkv, m + '.v.weight').view(B, Sk, H, dkv).transpose(1, 2)
        s = q @ k.transpose(-1, -2) + bias
        o = (torch.softmax(s.float(), -1) @ v).transpose(1, 2).reshape(B, Sq, H * dkv)
        return lin(o, m + '.o.weight')

    def ffn(m, x):
        if gated:
            g = lin(x, m + '.DenseReluDense.wi_0.weight')
            g = 0.5 * g * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (g + 0.044715 * torch.pow(g, 3.0))))
            return lin(g * lin(x, m + '.DenseReluDense.wi_1.weight'), m + '.DenseReluDense.wo.weight')
        return lin(torch.relu(lin(x, m + '.DenseReluDense.wi.weight')), m + '.DenseReluDense.wo.weight')

    E = W['shared.weight']
    key_mask = (1.0 - mask[:, None, None, :].float()) * minf
    x = E[ids]
    S = ids.shape[1]
    bias = pos_bias(W['encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight'], S, S, True, cfg) + key_mask
    for i in range(cfg['num_layers']):
        p = f'encoder.block.{i}.layer'
        x = x + attn(p + '.0.SelfAttention', rms(x, p + '.0.layer_norm.weight'), rms(x, p + '.0.layer_norm.weight'), bias)
        x = x + ffn(p + '.1', rms(x, p + '.1.layer_norm.weight'))
    enc = rms(x, 'encoder.final_layer_norm.weight')
    y = E[dec]
    T = dec.shape[1]
    causal = torch.triu(torch.full((T, T), minf), diagonal=1)[None, None]
    sbias = pos_bias(W['decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight'], T, T, False, cfg) + causal
    for i in range(cfg['num_decoder_layers']):
        p = f'decoder.block.{i}.layer'
        h = rms(y, p + '.0.layer_norm.weight')
        y = y + attn(p + '.0.SelfAttention', h, h, sbias)
        y = y + attn(p + '.1.EncDecAttention', rms(y, p + '.1.layer_norm.weight'), enc, key_mask)
        y = y + ffn(p + '.2', rms(y, p + '.2.layer_norm.weight'))
    h = rms(y, 'decoder.final_layer_norm.weight')
    if cfg['tie_word_embeddings']:
        return (h * d ** -0.5) @ E.T
    return h @ W['lm_head.weight'].T


def make(gen, cfg):
    d, V, H, dkv, F = cfg['d_model'], cfg['vocab_size'], cfg['num_heads'], cfg['d_kv'], cfg['d_ff']
    r = lambda *s, std=1.0: torch.randn(*s, generator=gen) * std  # noqa: E731
    inner = H * dkv
    W = {'shared.weight': r(V, d)}
    for stack, layers in (('encoder', cfg['num_layers']), ('decoder', cfg['num_decoder_layers'])):
        for i in range(layers):
            p = f'{stack}.block.{i}.layer'
            atts = [p + '.0.SelfAttention'] + ([p + '.1.EncDecAttention'] if stack == 'decoder' else [])
            for m in atts:
                for w in 'qkv':
                    W[f'{m}.{w}.weight'] = r(inner, d, std=d ** -0.5)
                W[f'{m}.o.weight'] = r(d, inner, std=inner ** -0.5)
            if i == 0:
                W[p + '.0.SelfAttention.relative_attention_bias.weight'] = r(cfg['relative_attention_num_buckets'], H)
            norms = ['.0', '.1'] + (['.2'] if stack == 'decoder' else [])
            for k in norms:
                W[p + k + '.layer_norm.weight'] = 1 + r(d, std=0.1)
            f = p + ('.1' if stack == 'encoder' else '.2')
            if cfg['feed_forward_proj'] == 'gated-gelu':
                W[f + '.DenseReluDense.wi_0.weight'] = r(F, d, std=d ** -0.5)
                W[f + '.DenseReluDense.wi_1.weight'] = r(F, d, std=d ** -0.5)
            else:
                W[f + '.DenseReluDense.wi.weight'] = r(F, d, std=d ** -0.5)
            W[f + '.DenseReluDense.wo.weight'] = r(d, F, std=F ** -0.5)
        W[f'{stack}.final_layer_norm.weight'] = 1 + r(d, std=0.1)
    if not cfg['tie_word_embeddings']:
        W['lm_head.weight'] = r(V, d, std=d ** -0.5)
    stored = dict(W)
    stored['encoder.embed_tokens.weight'] = W['shared.weight']
    stored['decoder.embed_tokens.weight'] = W['shared.weight']
    return W, stored


def emit(name, cfg, gen):
    W, stored = make(gen, cfg)
    out = write_model_dir(name, cfg, stored)
    V = cfg['vocab_size']
    # encoder inputs long enough (40) for log-spaced buckets; one row padded
    ids = torch.randint(2, V, (2, 40), generator=gen)
    mask = torch.ones(2, 40, dtype=torch.int64)
    mask[1, 29:] = 0
    ids[1, 29:] = 0
    dec = torch.randint(2, V, (2, 24), generator=gen)
    dec[:, 0] = 0
    with torch.no_grad():
        logits = forward(W, cfg, ids, mask, dec)
    expected = {'ids': ids.to(torch.int32), 'mask': mask.to(torch.int32), 'dec': dec.to(torch.int32), 'logits': logits}
    write_safetensors(os.path.join(out, 'expected.safetensors'), expected, {'torch': torch.__version__, 'script': 'test/reference/make_t5_fixtures.py'})
    print('wrote', out)


def main():
    gen = torch.Generator().manual_seed(5150)
    base = {'model_type': 't5', 'architectures': ['T5ForConditionalGeneration'], 'is_encoder_decoder': True, 'vocab_size': 61,
            'd_model': 32, 'd_kv': 12, 'd_ff': 48, 'num_layers': 2, 'num_decoder_layers': 3, 'num_heads': 4,
            'relative_attention_num_buckets': 32, 'relative_attention_max_distance': 20, 'dropout_rate': 0.1,
            'layer_norm_epsilon': 1e-6, 'pad_token_id': 0, 'eos_token_id': 1, 'decoder_start_token_id': 0, 'torch_dtype': 'float32'}
    emit('ref-t5', {**base, 'feed_forward_proj': 'relu', 'tie_word_embeddings': True}, gen)
    emit('ref-t5-gated', {**base, 'feed_forward_proj': 'gated-gelu', 'tie_word_embeddings': False}, gen)


if __name__ == '__main__':
    main()
