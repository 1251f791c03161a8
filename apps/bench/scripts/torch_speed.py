#!/usr/bin/env python3
"""PyTorch reference for `xrec bench speed`: the same decoder-only LM, the same training step, the same timing.

The model mirrors @xrec/transformer's two architectures (Hugging Face layouts):
  gpt2  — learned positions, LayerNorm, GELU (tanh) MLP, fused qkv attention with biases, tied lm_head
          (Radford et al. 2019; nanoGPT's model.py is the same network).
  llama — RoPE, RMSNorm, SwiGLU MLP, grouped-query attention, no biases, untied lm_head (Touvron et al. 2023).

One timed step = zero_grad, forward, mean cross-entropy over all B*T positions, backward, global-norm clipping
(1.0), AdamW update (decay on 2-D weights except embeddings) and reading the loss back (`loss.item()`), exactly
what the xrec trainer does per update. Inputs are random token ids from a seeded generator. tokens/s is
B*T divided by the median step time over `--steps` timed steps after `--warmup` untimed ones;
tokens_per_cpu_s uses the process CPU time of each step instead (less sensitive to other load).

Usage (prints one JSON object):
  python3 apps/bench/scripts/torch_speed.py --arch gpt2 --vocab 8000 --d-model 128 --heads 4 --layers 2 \
      --seq 64 --batch 16 --steps 8 --warmup 2 [--threads N]
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

# --threads must reach the BLAS library before torch loads it: Debian's torch calls OpenBLAS (pthread
# build), whose own thread pool ignores torch.set_num_threads.
if '--threads' in sys.argv[:-1]:
    _n = sys.argv[sys.argv.index('--threads') + 1]
    for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[_var] = _n

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Gpt2Block(nn.Module):
    def __init__(self, d, n_heads, d_ff, dropout, eps):
        super().__init__()
        self.n_heads = n_heads
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.c_fc = nn.Linear(d, d_ff)
        self.mlp_proj = nn.Linear(d_ff, d)
        self.drop = nn.Dropout(dropout)
        self.dropout = dropout

    def forward(self, x):
        B, T, d = x.shape
        h = self.ln_1(x)
        q, k, v = self.c_attn(h).split(d, dim=2)
        hd = d // self.n_heads
        q = q.view(B, T, self.n_heads, hd).transpose(1, 2)  # [B, H, T, hd]
        k = k.view(B, T, self.n_heads, hd).transpose(1, 2)
        v = v.view(B, T, self.n_heads, hd).transpose(1, 2)
        a = attention(q, k, v, self.dropout if self.training else 0.0)
        a = a.transpose(1, 2).contiguous().view(B, T, d)  # [B, T, d]
        x = x + self.drop(self.c_proj(a))
        x = x + self.drop(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh')))
        return x


def attention(q, k, v, dropout):
    """Causal scaled dot-product attention written out (torch 1.13 has no fused SDPA)."""
    T = q.shape[-2]
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))  # [B, H, T, T]
    mask = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
    att = att.masked_fill(~mask, float('-inf'))
    att = F.softmax(att, dim=-1)
    if dropout > 0:
        att = F.dropout(att, p=dropout)
    return att @ v  # [B, H, T, hd]


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):
    """Rotate-half RoPE (Hugging Face Llama layout). x: [B, H, T, hd]; cos/sin: [T, hd]."""
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class LlamaBlock(nn.Module):
    def __init__(self, d, n_heads, n_kv, d_ff, dropout, eps):
        super().__init__()
        self.n_heads, self.n_kv, self.hd = n_heads, n_kv, d // n_heads
        self.input_layernorm = RMSNorm(d, eps)
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, n_kv * self.hd, bias=False)
        self.v_proj = nn.Linear(d, n_kv * self.hd, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, eps)
        self.gate_proj = nn.Linear(d, d_ff, bias=False)
        self.up_proj = nn.Linear(d, d_ff, bias=False)
        self.down_proj = nn.Linear(d_ff, d, bias=False)
        self.drop = nn.Dropout(dropout)
        self.dropout = dropout

    def forward(self, x, cos, sin):
        B, T, d = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(B, T, self.n_heads, self.hd).transpose(1, 2)  # [B, H, T, hd]
        k = self.k_proj(h).view(B, T, self.n_kv, self.hd).transpose(1, 2)  # [B, Hkv, T, hd]
        v = self.v_proj(h).view(B, T, self.n_kv, self.hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        rep = self.n_heads // self.n_kv
        if rep > 1:
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        a = attention(q, k, v, self.dropout if self.training else 0.0)
        x = x + self.drop(self.o_proj(a.transpose(1, 2).contiguous().view(B, T, d)))
        h = self.post_attention_layernorm(x)
        x = x + self.drop(self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h)))
        return x


class LM(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.arch = a.arch
        d = a.d_model
        self.wte = nn.Embedding(a.vocab, d)
        self.drop = nn.Dropout(a.dropout)
        if a.arch == 'gpt2':
            self.wpe = nn.Embedding(a.context, d)
            self.blocks = nn.ModuleList([Gpt2Block(d, a.heads, a.d_ff, a.dropout, 1e-5) for _ in range(a.layers)])
            self.norm = nn.LayerNorm(d, eps=1e-5)
            self.lm_head = None  # tied to wte
        else:
            self.blocks = nn.ModuleList([LlamaBlock(d, a.heads, a.kv_heads, a.d_ff, a.dropout, 1e-5) for _ in range(a.layers)])
            self.norm = RMSNorm(d, 1e-5)
            self.lm_head = nn.Linear(d, a.vocab, bias=False)
            hd = d // a.heads
            inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2).float() / hd))
            freqs = torch.outer(torch.arange(a.context).float(), inv)  # [ctx, hd/2]
            emb = torch.cat((freqs, freqs), dim=-1)  # [ctx, hd]
            self.register_buffer('cos', emb.cos(), persistent=False)
            self.register_buffer('sin', emb.sin(), persistent=False)
        # GPT-2 init: N(0, 0.02), zero biases.
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, ids):
        B, T = ids.shape
        x = self.wte(ids)  # [B, T, d]
        if self.arch == 'gpt2':
            x = x + self.wpe(torch.arange(T, device=ids.device))
            x = self.drop(x)
            for b in self.blocks:
                x = b(x)
            return self.norm(x) @ self.wte.weight.t()  # [B, T, V]
        x = self.drop(x)
        cos, sin = self.cos[:T], self.sin[:T]
        for b in self.blocks:
            x = b(x, cos, sin)
        return self.lm_head(self.norm(x))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--arch', choices=['gpt2', 'llama'], default='gpt2')
    p.add_argument('--vocab', type=int, default=8000)
    p.add_argument('--d-model', type=int, default=128)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--kv-heads', type=int, default=None)
    p.add_argument('--layers', type=int, default=2)
    p.add_argument('--d-ff', type=int, default=None, help='MLP width (default: gpt2 4*d; llama xrec rule ceil(floor(8d/3)/32)*32)')
    p.add_argument('--context', type=int, default=None, help='positions (default: --seq)')
    p.add_argument('--seq', type=int, default=64)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--steps', type=int, default=8, help='timed steps')
    p.add_argument('--warmup', type=int, default=2, help='untimed steps first')
    p.add_argument('--dropout', type=float, default=0.0)
    p.add_argument('--lr', type=float, default=3e-4)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=None,
                   help='torch.set_num_threads and OPENBLAS/OMP/MKL_NUM_THREADS (default: the libraries\' defaults)')
    a = p.parse_args()
    if a.kv_heads is None:
        a.kv_heads = a.heads
    if a.d_ff is None:
        a.d_ff = 4 * a.d_model if a.arch == 'gpt2' else math.ceil(((8 * a.d_model) // 3) / 32) * 32
    if a.context is None:
        a.context = a.seq
    if a.threads is not None:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    model = LM(a)
    model.train()
    decay = [p_ for n, p_ in model.named_parameters() if p_.dim() >= 2 and 'wte' not in n and 'wpe' not in n]
    no_decay = [p_ for n, p_ in model.named_parameters() if not (p_.dim() >= 2 and 'wte' not in n and 'wpe' not in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=a.lr)
    gen = torch.Generator().manual_seed(a.seed)
    n_params = sum(p_.numel() for p_ in model.parameters())

    times, cpu_times, losses = [], [], []
    for i in range(a.warmup + a.steps):
        ids = torch.randint(0, a.vocab, (a.batch, a.seq + 1), generator=gen)
        x, y = ids[:, :-1], ids[:, 1:]
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lv = loss.item()
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        losses.append(lv)
        if i >= a.warmup:
            times.append(dt)
            cpu_times.append(dc)

    med = statistics.median(times)
    out = {
        'impl': 'pytorch',
        'backend': 'torch-cpu',
        'tokens_per_s': a.batch * a.seq / med,
        'step_ms_median': med * 1000,
        'step_ms': [t * 1000 for t in times],
        'tokens_per_cpu_s': a.batch * a.seq / statistics.median(cpu_times),
        'step_cpu_ms': [t * 1000 for t in cpu_times],
        'loss_first': losses[0],
        'loss_last': losses[-1],
        'config': {
            'arch': a.arch, 'vocab': a.vocab, 'd_model': a.d_model, 'heads': a.heads, 'kv_heads': a.kv_heads,
            'layers': a.layers, 'd_ff': a.d_ff, 'context': a.context, 'seq': a.seq, 'batch': a.batch,
            'steps': a.steps, 'warmup': a.warmup, 'dropout': a.dropout, 'lr': a.lr, 'seed': a.seed,
            'clip_norm': 1.0, 'weight_decay': 0.01,
        },
        'parameters': n_params,
        'machine': {
            'torch': torch.__version__, 'threads': torch.get_num_threads(),
            'blas_threads_env': os.environ.get('OPENBLAS_NUM_THREADS'), 'python': platform.python_version(),
            'platform': platform.platform(), 'cpu': platform.processor() or platform.machine(), 'cpus': os.cpu_count(),
        },
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
