#!/usr/bin/env python3
"""Independent check of an xrec LoRA adapter against peft's merge rule, with numpy only.

    python3 peft_merge_check.py BASE_DIR ADAPTER_DIR MERGED_DIR

BASE_DIR and MERGED_DIR hold Hugging Face style `model.safetensors` (what `TransformerLM.save` writes: HF names
and layouts, nn.Linear weights [out, in], GPT-2 Conv1D weights [in, out]); ADAPTER_DIR holds peft's
`adapter_config.json` + `adapter_model.safetensors`. For every `base_model.model.<m>.lora_A.weight` [r, in] /
`lora_B.weight` [out, r] pair this applies peft's `LoraLayer.get_delta_weight` + merge:

    W[<m>.weight] += transpose(B @ A, fan_in_fan_out) * scaling,   scaling = lora_alpha / r  (rsLoRA: / sqrt(r))

and requires the result to equal MERGED_DIR's tensor (modules_to_save tensors replace the base tensor; every
other tensor must be unchanged). It also checks that each adapted module matches `target_modules` under peft's
rules. Prints a JSON summary; exit status 1 on any mismatch.
"""
import json
import math
import re
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] == "BF16":
            raw = np.frombuffer(body[info["data_offsets"][0] : info["data_offsets"][1]], dtype="<u2").astype(np.uint32) << 16
            arr = raw.view(np.float32)
        else:
            b, e = info["data_offsets"]
            arr = np.frombuffer(body[b:e], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        out[name] = arr.reshape(info["shape"]).astype(np.float64)
    return out


def target_matches(target_modules, key):
    if isinstance(target_modules, str):
        return re.fullmatch(target_modules, key) is not None
    return key in target_modules or any(key.endswith("." + t) for t in target_modules)


def main(base_dir, adapter_dir, merged_dir):
    cfg = json.load(open(f"{adapter_dir}/adapter_config.json"))
    assert cfg["peft_type"] == "LORA", cfg["peft_type"]
    base = load_safetensors(f"{base_dir}/model.safetensors")
    merged = load_safetensors(f"{merged_dir}/model.safetensors")
    ad = load_safetensors(f"{adapter_dir}/adapter_model.safetensors")
    prefix = "base_model.model."
    expected = dict(base)
    modules = sorted({k[len(prefix) : k.index(".lora_A.weight")] for k in ad if k.endswith(".lora_A.weight")})
    problems = []
    for m in modules:
        A = ad[f"{prefix}{m}.lora_A.weight"]  # [r, in]
        B = ad[f"{prefix}{m}.lora_B.weight"]  # [out, r]
        r = A.shape[0]
        alpha = cfg.get("alpha_pattern", {}).get(m.split(".")[-1], cfg["lora_alpha"])
        scaling = alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r
        delta = B @ A  # [out, in]
        if cfg.get("fan_in_fan_out"):
            delta = delta.T  # Conv1D stores [in, out]
        w = f"{m}.weight"
        if expected[w].shape != delta.shape:
            problems.append(f"{m}: delta {delta.shape} vs base weight {expected[w].shape}")
            continue
        expected[w] = expected[w] + scaling * delta
        if not target_matches(cfg["target_modules"], m):
            problems.append(f"{m}: adapted but not matched by target_modules {cfg['target_modules']}")
    for k, v in ad.items():
        if ".lora_" not in k:
            expected[k[len(prefix) :]] = v  # modules_to_save / trained biases replace the base tensor
    worst = 0.0
    for name, want in expected.items():
        got = merged.get(name)
        if got is None or got.shape != want.shape:
            problems.append(f"{name}: missing or wrong shape in merged model")
            continue
        err = float(np.max(np.abs(got - want))) if want.size else 0.0
        tol = 1e-5 * (1.0 + float(np.max(np.abs(want))))
        worst = max(worst, err)
        if err > tol:
            problems.append(f"{name}: max |merged - peft rule| = {err:.3g} > {tol:.3g}")
    print(json.dumps({"adapted_modules": len(modules), "tensors_checked": len(expected), "max_abs_error": worst, "problems": problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
