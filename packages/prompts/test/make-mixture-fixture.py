"""Known answer for AttentionMixture: torch.nn.MultiheadAttention (the op UP5's CFunctionPrompt uses) on one
layer's keys and values of two prefixes. Run with Debian's python3-torch:
    /usr/bin/python3 packages/prompts/test/make-mixture-fixture.py > packages/prompts/test/fixtures/attention-mixture-torch.json
"""
import json
import torch

torch.manual_seed(0)
L, H, hd, nh, n = 2, 2, 3, 3, 2
d = H * hd
E = torch.randn(2 * L, d)  # queries: slot 0 = keys of layer 0, slot 1 = its values
parts_k = [torch.randn(1, H, L, hd) for _ in range(n)]
parts_v = [torch.randn(1, H, L, hd) for _ in range(n)]
mha = torch.nn.MultiheadAttention(d, nh, batch_first=True)
with torch.no_grad():
    mha.in_proj_weight.copy_(torch.randn(3 * d, d) * 0.5)
    mha.in_proj_bias.copy_(torch.randn(3 * d) * 0.1)
    mha.out_proj.weight.copy_(torch.randn(d, d) * 0.5)
    mha.out_proj.bias.copy_(torch.randn(d) * 0.1)


def mix(slot, parts):
    x = torch.cat(parts, dim=-2).transpose(2, 1).reshape(1, n * L, d)  # [B, nL, d], as the reference reshapes
    q = E[slot * L:(slot + 1) * L].unsqueeze(0)
    out, _ = mha(q, x, x)
    return out.reshape(1, L, H, hd).transpose(1, 2)  # [B, H, L, hd]


with torch.no_grad():
    out_k = mix(0, parts_k)
    out_v = mix(1, parts_v)
Wq, Wk, Wv = mha.in_proj_weight.split(d)
bq, bk, bv = mha.in_proj_bias.split(d)
tl = lambda t: t.detach().reshape(-1).tolist()
print(json.dumps({
    "L": L, "H": H, "hd": hd, "heads": nh,
    "queries": tl(E),
    # weights in xrec's [in, out] layout (transposed torch Linear weights)
    "q": {"w": tl(Wq.t()), "b": tl(bq)}, "k": {"w": tl(Wk.t()), "b": tl(bk)}, "v": {"w": tl(Wv.t()), "b": tl(bv)},
    "o": {"w": tl(mha.out_proj.weight.t()), "b": tl(mha.out_proj.bias)},
    "parts_k": [tl(p) for p in parts_k], "parts_v": [tl(p) for p in parts_v],
    "out_k": tl(out_k), "out_v": tl(out_v),
}))
