#!/usr/bin/env python3
"""Independent oracle for @xrec/metrics' explanation suite (Python 3 standard library only).

A plain, deliberately slow re-statement of the definitions used by the PETER / PEPLER evaluation
(lileipisces/PETER, lileipisces/PEPLER: utils.py, bleu.py = tensorflow/nmt compute_bleu, rouge.py =
tensorflow/nmt rouge): word tokens from the `postprocessing` rules + str.split(), corpus BLEU with clipped
n-gram counts, per-pair ROUGE-1/2 on n-gram sets and sentence-level ROUGE-L, USR by comparing sequences
pairwise, FMR / FCR, DIV by the O(N^2) pair loop, RMSE / MAE with clipping. Written for xrec; it shares no
code with the TypeScript implementation, so agreement checks the fast algorithms against the definitions.

Usage: python3 pepler_reference.py < request.json > result.json
request = {"rows": [{"reference", "generated", "feature"?, "rating"?, "predicted"?}],
           "features": [..] | null, "minRating": x | null, "maxRating": y | null}
"""
import json
import math
import re
import sys

SUBSTITUTIONS = [
    (r"'s", " 's"), (r"'m", " 'm"), (r"'ve", " 've"), (r"n't", " n't"), (r"'re", " 're"),
    (r"'d", " 'd"), (r"'ll", " 'll"), (r"\(", " ( "), (r"\)", " ) "), (r",+", " , "),
    (r":+", " , "), (r";+", " . "), (r"\.+", " . "), (r"!+", " ! "), (r"\?+", " ? "),
]


def tokens_of(text):
    for pattern, replacement in SUBSTITUTIONS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(" +", " ", text).strip()
    return text.split()


def ngram_counts(seq, order):
    counts = {}
    for i in range(len(seq) - order + 1):
        g = tuple(seq[i:i + order])
        counts[g] = counts.get(g, 0) + 1
    return counts


def corpus_bleu(refs, gens, max_order):
    matches = [0] * max_order
    possible = [0] * max_order
    ref_len = 0
    gen_len = 0
    for ref, gen in zip(refs, gens):
        ref_len += len(ref)
        gen_len += len(gen)
        for order in range(1, max_order + 1):
            rc = ngram_counts(ref, order)
            gc = ngram_counts(gen, order)
            for g, c in gc.items():
                matches[order - 1] += min(c, rc.get(g, 0))
            if len(gen) - order + 1 > 0:
                possible[order - 1] += len(gen) - order + 1
    precisions = [(matches[i] / possible[i]) if possible[i] > 0 else 0.0 for i in range(max_order)]
    if ref_len == 0 or gen_len == 0:
        return 0.0  # documented value (the reference divides by zero here)
    if min(precisions) > 0:
        geo = math.exp(sum((1.0 / max_order) * math.log(p) for p in precisions))
    else:
        geo = 0.0
    ratio = gen_len / ref_len
    bp = 1.0 if ratio > 1.0 else math.exp(1 - 1.0 / ratio)
    return geo * bp * 100


def ngram_set(words, n):
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def rouge_n_pair(hyp_words, ref_words, n):
    e = ngram_set(hyp_words, n)
    r = ngram_set(ref_words, n)
    overlap = len(e & r)
    p = overlap / len(e) if len(e) > 0 else 0.0
    rec = overlap / len(r) if len(r) > 0 else 0.0
    f = 2.0 * ((p * rec) / (p + rec + 1e-8))
    return f, p, rec


def lcs_table_length(x, y):
    rows = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i in range(1, len(x) + 1):
        for j in range(1, len(y) + 1):
            if x[i - 1] == y[j - 1]:
                rows[i][j] = rows[i - 1][j - 1] + 1
            else:
                rows[i][j] = max(rows[i - 1][j], rows[i][j - 1])
    return rows[len(x)][len(y)]


def rouge_l_pair(hyp_words, ref_words):
    lcs = lcs_table_length(hyp_words, ref_words)
    r = lcs / len(ref_words)
    p = lcs / len(hyp_words)
    beta = p / (r + 1e-12)
    f = ((1 + beta ** 2) * r * p) / ((r + (beta ** 2) * p) + 1e-12)
    return f, p, r


def mean(values):
    return sum(values) / len(values)


def evaluate(request):
    rows = request["rows"]
    refs = [tokens_of(r["reference"]) for r in rows]
    gens = [tokens_of(r["generated"]) for r in rows]
    out = {"n": len(rows)}
    out["bleu1"] = corpus_bleu(refs, gens, 1)
    out["bleu4"] = corpus_bleu(refs, gens, 4)

    r1, r2, rl = [], [], []
    for ref, gen in zip(refs, gens):
        hw = " ".join(gen).split(" ")
        rw = " ".join(ref).split(" ")
        r1.append(rouge_n_pair(hw, rw, 1))
        r2.append(rouge_n_pair(hw, rw, 2))
        rl.append(rouge_l_pair(hw, rw))
    for name, vals in (("rouge1", r1), ("rouge2", r2), ("rougeL", rl)):
        out[name + "_f"] = mean([v[0] for v in vals]) * 100
        out[name + "_p"] = mean([v[1] for v in vals]) * 100
        out[name + "_r"] = mean([v[2] for v in vals]) * 100

    distinct = []
    for g in gens:
        if not any(len(g) == len(u) and all(a == b for a, b in zip(g, u)) for u in distinct):
            distinct.append(g)
    out["usr"] = len(distinct) / len(gens)
    out["usn"] = len(distinct)

    row_features = [r.get("feature") for r in rows]
    feature_set = set(request["features"]) if request.get("features") is not None else {f for f in row_features if f is not None}
    detected = [set(t for t in g if t in feature_set) for g in gens]
    out["fmr"] = sum(1 for fs, f in zip(detected, row_features) if f in fs) / len(detected)
    covered = set()
    for fs in detected:
        covered |= fs
    out["fcr"] = len(covered) / len(feature_set)
    total = 0
    for i in range(len(detected)):
        for j in range(i + 1, len(detected)):
            total += len(detected[i] & detected[j])
    out["div"] = total / (len(detected) * (len(detected) - 1) / 2)

    if all("rating" in r and "predicted" in r for r in rows):
        ratings = [r["rating"] for r in rows]
        lo = request.get("minRating")
        hi = request.get("maxRating")
        if lo is None:
            lo, hi = min(ratings), max(ratings)
        sq, ab = 0.0, 0.0
        for r in rows:
            p = min(max(r["predicted"], lo), hi)
            sq += (p - r["rating"]) ** 2
            ab += abs(p - r["rating"])
        out["rmse"] = math.sqrt(sq / len(rows))
        out["mae"] = ab / len(rows)
    return out


def main():
    request = json.load(sys.stdin)
    if isinstance(request, list):
        json.dump([evaluate(r) for r in request], sys.stdout)
    else:
        json.dump(evaluate(request), sys.stdout)


if __name__ == "__main__":
    main()
