#!/usr/bin/env python3
"""Independent PyTorch reference for @xrec/transformer's masked-LM encoders (BERT, RoBERTa).

Writes small random BertForMaskedLM and RobertaForMaskedLM checkpoints in Hugging Face's on-disk layout
(config.json + model.safetensors, with the tensors HF files carry that are not parameters: position_ids
buffers, the pooler, the next-sentence head, the tied decoder's weight and bias aliases) and the logits this
script's own forward pass computes (expected.safetensors). The forward pass follows Devlin et al. 2019 and
HF's modeling_bert / modeling_roberta semantics, not the TypeScript code:

  x = LayerNorm(word[ids] + position[pos] + token_type[0]); per layer
  x = LayerNorm(x + Attn(x)); x = LayerNorm(x + W2 act(W1 x)); logits = LayerNorm(act(Wt x + bt)) E^T + bias.
  BERT positions are 0..S-1 (HF's default position_ids; the cases pad on the right, where xrec agrees);
  RoBERTa positions are padding_idx + cumsum(mask) for tokens (HF's create_position_ids_from_input_ids).
  Padded keys get float32's min added to the scores, as HF's extended attention mask.
  With xrec's `xrec_position_bias: "alibi"` (no HF field), head h of H adds -m_h * |i - j| to its scores,
  m_h = 2 ** (-8 (h + 1) / H) (Press et al. 2022), over all positions (a prefix counts as positions).

Run with Debian's python3-torch, from packages/transformer:

    /usr/bin/python3 test/reference/make_encoder_fixtures.py
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import write_case_logits, write_model_dir  # noqa: E402


def act(name, t):
    if name == 'gelu':
        return 0.5 * t * (1.0 + torch.erf(t / math.sqrt(2.0)))
    return 0.5 * t * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * torch.pow(t, 3.0))))


def encoder_forward(W, cfg, root, head, ids, mask, prefix=None):
    d, H = cfg['hidden_size'], cfg['num_attention_heads']
    hd = d // H
    eps = cfg['layer_norm_eps']
    x = W[f'{root}.embeddings.word_embeddings.weight'][ids]
    if prefix is not None:
        x = torch.cat([prefix, x], dim=1)
    B, S, _ = x.shape
    if root == 'roberta':
        pad = cfg['pad_token_id']
        pos = torch.cumsum(mask, dim=1) * mask + pad
    else:
        pos = torch.arange(S).unsqueeze(0).expand(B, S)
    x = x + W[f'{root}.embeddings.position_embeddings.weight'][pos] + W[f'{root}.embeddings.token_type_embeddings.weight'][0]

    def ln(t, p):
        return torch.nn.functional.layer_norm(t, (d,), W[p + '.weight'], W[p + '.bias'], eps)

    def lin(t, p):  # nn.Linear: x @ W[out, in]^T + b
        return t @ W[p + '.weight'].T + W[p + '.bias']

    x = ln(x, f'{root}.embeddings.LayerNorm')
    blocked = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
    if cfg.get('xrec_position_bias') == 'alibi':
        slopes = torch.tensor([2.0 ** (-8.0 * (h + 1) / H) for h in range(H)])
        dist = (torch.arange(S)[:, None] - torch.arange(S)[None, :]).abs().to(torch.float32)
        blocked = blocked - slopes[None, :, None, None] * dist[None, None]
    for i in range(cfg['num_hidden_layers']):
        p = f'{root}.encoder.layer.{i}'
        q, k, v = (lin(x, f'{p}.attention.self.{m}').view(B, S, H, hd).transpose(1, 2) for m in ('query', 'key', 'value'))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + blocked
        a = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, S, d)
        x = ln(x + lin(a, f'{p}.attention.output.dense'), f'{p}.attention.output.LayerNorm')
        x = ln(x + lin(act(cfg['hidden_act'], lin(x, f'{p}.intermediate.dense')), f'{p}.output.dense'), f'{p}.output.LayerNorm')
    t = ln(act(cfg['hidden_act'], lin(x, head['dense'])), head['norm'])
    return t @ W[f'{root}.embeddings.word_embeddings.weight'].T + W[head['bias']]


def make(gen, root, cfg, head):
    d, V, ctx, L, F = cfg['hidden_size'], cfg['vocab_size'], cfg['max_position_embeddings'], cfg['num_hidden_layers'], cfg['intermediate_size']
    r = lambda *s, std=1.0: torch.randn(*s, generator=gen) * std  # noqa: E731
    e = f'{root}.embeddings'
    W = {
        f'{e}.word_embeddings.weight': r(V, d),
        f'{e}.position_embeddings.weight': r(ctx, d, std=0.5),
        f'{e}.token_type_embeddings.weight': r(cfg['type_vocab_size'], d, std=0.5),
        f'{e}.LayerNorm.weight': 1 + r(d, std=0.1),
        f'{e}.LayerNorm.bias': r(d, std=0.1),
    }

    def linear(p, i, o):
        W[p + '.weight'] = r(o, i, std=1 / math.sqrt(i))
        W[p + '.bias'] = r(o, std=0.1)

    def norm(p):
        W[p + '.weight'] = 1 + r(d, std=0.1)
        W[p + '.bias'] = r(d, std=0.1)

    for i in range(L):
        p = f'{root}.encoder.layer.{i}'
        for m in ('query', 'key', 'value'):
            linear(f'{p}.attention.self.{m}', d, d)
        linear(f'{p}.attention.output.dense', d, d)
        norm(f'{p}.attention.output.LayerNorm')
        linear(f'{p}.intermediate.dense', d, F)
        linear(f'{p}.output.dense', F, d)
        norm(f'{p}.output.LayerNorm')
    linear(head['dense'], d, d)
    norm(head['norm'])
    W[head['bias']] = r(V, std=0.1)
    stored = dict(W)
    # What HF files carry besides the parameters; the loader must skip them.
    stored[f'{e}.position_ids'] = torch.arange(ctx, dtype=torch.int32).unsqueeze(0)
    stored[f'{root}.pooler.dense.weight'] = r(d, d)
    stored[f'{root}.pooler.dense.bias'] = r(d)
    stored[head['decoder'] + '.weight'] = W[f'{e}.word_embeddings.weight']
    stored[head['decoder'] + '.bias'] = W[head['bias']]
    if root == 'bert':
        stored['cls.seq_relationship.weight'] = r(2, d)
        stored['cls.seq_relationship.bias'] = r(2)
    return W, stored


def cases(gen, V, d, left_pad):
    ids = torch.randint(4, V, (2, 7), generator=gen)
    plain = (ids, torch.ones(2, 7, dtype=torch.int64), None)
    pmask = torch.ones(2, 7, dtype=torch.int64)
    pids = ids.clone()
    if left_pad:
        pmask[0, :3] = 0
        pids[0, :3] = 1
    else:
        pmask[0, 4:] = 0
        pids[0, 4:] = 0
    prefix = torch.randn(2, 3, d, generator=gen)
    fids = torch.randint(4, V, (2, 4), generator=gen)
    return {'plain': plain, 'padded': (pids, pmask, None), 'prefix': (fids, torch.ones(2, 7, dtype=torch.int64), prefix)}


def emit(name, cfg, root, head, gen, left_pad):
    W, stored = make(gen, root, cfg, head)
    out = write_model_dir(name, cfg, stored)
    write_case_logits(out, cases(gen, cfg['vocab_size'], cfg['hidden_size'], left_pad),
                      lambda ids, mask, prefix: encoder_forward(W, cfg, root, head, ids, mask, prefix), 'test/reference/make_encoder_fixtures.py')


def main():
    gen = torch.Generator().manual_seed(4321)
    common = {'vocab_size': 97, 'hidden_size': 32, 'num_hidden_layers': 2, 'num_attention_heads': 4,
              'intermediate_size': 48, 'hidden_dropout_prob': 0.1, 'attention_probs_dropout_prob': 0.1,
              'initializer_range': 0.02, 'position_embedding_type': 'absolute', 'torch_dtype': 'float32'}
    bert = {'model_type': 'bert', 'architectures': ['BertForMaskedLM'], **common, 'hidden_act': 'gelu',
            'max_position_embeddings': 16, 'type_vocab_size': 2, 'layer_norm_eps': 1e-12, 'pad_token_id': 0}
    emit('ref-bert', bert, 'bert', {'dense': 'cls.predictions.transform.dense', 'norm': 'cls.predictions.transform.LayerNorm',
                                   'bias': 'cls.predictions.bias', 'decoder': 'cls.predictions.decoder'}, gen, left_pad=False)
    roberta = {'model_type': 'roberta', 'architectures': ['RobertaForMaskedLM'], **common, 'hidden_act': 'gelu_new',
               'max_position_embeddings': 18, 'type_vocab_size': 1, 'layer_norm_eps': 1e-5, 'pad_token_id': 1,
               'bos_token_id': 0, 'eos_token_id': 2}
    emit('ref-roberta', roberta, 'roberta', {'dense': 'lm_head.dense', 'norm': 'lm_head.layer_norm',
                                            'bias': 'lm_head.bias', 'decoder': 'lm_head.decoder'}, gen, left_pad=True)
    # last, so the fixtures above keep their random draws
    emit('ref-bert-alibi', {**bert, 'xrec_position_bias': 'alibi'}, 'bert', {'dense': 'cls.predictions.transform.dense', 'norm': 'cls.predictions.transform.LayerNorm',
                                                                           'bias': 'cls.predictions.bias', 'decoder': 'cls.predictions.decoder'}, gen, left_pad=False)


if __name__ == '__main__':
    main()
