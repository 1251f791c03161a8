/* Row kernels of the addon: LayerNorm/RMSNorm forward and backward, and the masked attention softmax. */
#include <stdlib.h>

#include "xrec_args.h"
#include "xrec_exports.h"
#include "xrec_fast.h"

/* ---------- LayerNorm / RMSNorm over the last axis of [n, d] (double accumulation, as the JS kernels) ---------- */
static void norm_fwd(const float *x, const float *w, const float *b, float *y, float *mu, float *rs, size_t n, size_t d, double eps, int rms) {
  for (size_t i = 0; i < n; i++) {
    const float *xi = x + i * d;
    float *yi = y + i * d;
    double mean = 0.0;
    if (!rms) {
      for (size_t j = 0; j < d; j++) mean += xi[j];
      mean /= (double)d;
    }
    double v = 0.0;
    for (size_t j = 0; j < d; j++) {
      const double c = xi[j] - mean;
      v += c * c;
    }
    const double r = 1.0 / sqrt(v / (double)d + eps);
    mu[i] = (float)mean;
    rs[i] = (float)r;
    /* the JS kernel reads μ and r back as float32 only in the backward pass; the forward uses the doubles */
    if (b)
      for (size_t j = 0; j < d; j++) yi[j] = (float)((xi[j] - mean) * r * w[j] + b[j]);
    else
      for (size_t j = 0; j < d; j++) yi[j] = (float)((xi[j] - mean) * r * w[j]);
  }
}

static void norm_bwd(const float *dy, const float *x, const float *w, const float *mu, const float *rs, float *dx, float *dw, float *db, size_t n, size_t d,
                     int rms) {
  double *xh = (double *)malloc(d * sizeof(double));
  double *adw = (double *)calloc(d, sizeof(double));
  double *adb = (double *)calloc(d, sizeof(double));
  if (!xh || !adw || !adb) {
    free(xh);
    free(adw);
    free(adb);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const size_t o = i * d;
    const double m = mu[i], r = rs[i];
    double sg = 0.0, sgx = 0.0;
    for (size_t j = 0; j < d; j++) {
      const double h = (x[o + j] - m) * r;
      xh[j] = h;
      const double g = (double)dy[o + j] * w[j];
      sg += g;
      sgx += g * h;
      adw[j] += dy[o + j] * h;
      adb[j] += dy[o + j];
    }
    const double mg = rms ? 0.0 : sg / (double)d;
    const double mgx = sgx / (double)d;
    for (size_t j = 0; j < d; j++) dx[o + j] = (float)(r * ((double)dy[o + j] * w[j] - mg - xh[j] * mgx));
  }
  for (size_t j = 0; j < d; j++) {
    dw[j] = (float)adw[j];
    db[j] = (float)adb[j];
  }
  free(xh);
  free(adw);
  free(adb);
}

/* normForward(x, w, b | null, y, mu, rs, n, d, eps, rms) */
napi_value xr_napi_norm_forward(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value a[10];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "normForward";
  float *x, *w, *b = NULL, *y, *mu, *rs;
  size_t lx, lw, lb = 0, ly, lmu, lrs;
  int64_t n, d, rms;
  double eps;
  napi_valuetype bt;
  if (argc != 10) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "normForward: expected 10 arguments");
    return NULL;
  }
  napi_typeof(env, a[2], &bt);
  if (!arg_f32(env, a[0], fn, 0, &x, &lx) || !arg_f32(env, a[1], fn, 1, &w, &lw) || (bt != napi_null && !arg_f32(env, a[2], fn, 2, &b, &lb)) ||
      !arg_f32(env, a[3], fn, 3, &y, &ly) || !arg_f32(env, a[4], fn, 4, &mu, &lmu) || !arg_f32(env, a[5], fn, 5, &rs, &lrs) ||
      !arg_int(env, a[6], fn, 6, &n) || !arg_int(env, a[7], fn, 7, &d) || !arg_num(env, a[8], fn, 8, &eps) || !arg_int(env, a[9], fn, 9, &rms))
    return NULL;
  const size_t nd = (size_t)(n * d);
  if (too_short(env, fn, "x", nd, lx) || too_short(env, fn, "y", nd, ly) || too_short(env, fn, "w", (size_t)d, lw) || (b && too_short(env, fn, "b", (size_t)d, lb)) ||
      too_short(env, fn, "mu", (size_t)n, lmu) || too_short(env, fn, "rs", (size_t)n, lrs))
    return NULL;
  norm_fwd(x, w, b, y, mu, rs, (size_t)n, (size_t)d, eps, (int)rms);
  return NULL;
}

/* normBackward(dy, x, w, mu, rs, dx, dw, db, n, d, rms) */
napi_value xr_napi_norm_backward(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value a[11];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "normBackward";
  float *arr[8];
  size_t len[8];
  int64_t n, d, rms;
  if (argc != 11) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "normBackward: expected 11 arguments");
    return NULL;
  }
  for (int i = 0; i < 8; i++)
    if (!arg_f32(env, a[i], fn, i, &arr[i], &len[i])) return NULL;
  if (!arg_int(env, a[8], fn, 8, &n) || !arg_int(env, a[9], fn, 9, &d) || !arg_int(env, a[10], fn, 10, &rms)) return NULL;
  const size_t nd = (size_t)(n * d);
  if (too_short(env, fn, "dy", nd, len[0]) || too_short(env, fn, "x", nd, len[1]) || too_short(env, fn, "w", (size_t)d, len[2]) ||
      too_short(env, fn, "mu", (size_t)n, len[3]) || too_short(env, fn, "rs", (size_t)n, len[4]) || too_short(env, fn, "dx", nd, len[5]) ||
      too_short(env, fn, "dw", (size_t)d, len[6]) || too_short(env, fn, "db", (size_t)d, len[7]))
    return NULL;
  norm_bwd(arr[0], arr[1], arr[2], arr[3], arr[4], arr[5], arr[6], arr[7], (size_t)n, (size_t)d, (int)rms);
  return NULL;
}

/* maskedSoftmax(scores, mask, maskOffset, p, pT, span, r, c) */
napi_value xr_napi_masked_softmax(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value a[8];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "maskedSoftmax";
  float *sc, *mask, *p, *pT, *span;
  size_t ls, lm, lp, lpt, lsp;
  int64_t moff, r, c;
  if (argc != 8 || !arg_f32(env, a[0], fn, 0, &sc, &ls) || !arg_f32(env, a[1], fn, 1, &mask, &lm) || !arg_int(env, a[2], fn, 2, &moff) ||
      !arg_f32(env, a[3], fn, 3, &p, &lp) || !arg_f32(env, a[4], fn, 4, &pT, &lpt) || !arg_f32(env, a[5], fn, 5, &span, &lsp) ||
      !arg_int(env, a[6], fn, 6, &r) || !arg_int(env, a[7], fn, 7, &c))
    return NULL;
  const size_t rc = (size_t)(r * c);
  if (too_short(env, fn, "scores", rc, ls) || too_short(env, fn, "mask", (size_t)moff + rc, lm) || too_short(env, fn, "p", rc, lp) ||
      too_short(env, fn, "pT", rc, lpt) || too_short(env, fn, "span", (size_t)(2 * r), lsp))
    return NULL;
  xr_masked_softmax(sc, mask + moff, p, pT, span, (size_t)r, (size_t)c);
  return NULL;
}

/* maskedSoftmaxGrad(p, dp, span, ds, dsT, r, c) */
napi_value xr_napi_masked_softmax_grad(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value a[7];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "maskedSoftmaxGrad";
  float *p, *dp, *span, *ds, *dsT;
  size_t lp, ldp, lsp, lds, ldst;
  int64_t r, c;
  if (argc != 7 || !arg_f32(env, a[0], fn, 0, &p, &lp) || !arg_f32(env, a[1], fn, 1, &dp, &ldp) || !arg_f32(env, a[2], fn, 2, &span, &lsp) ||
      !arg_f32(env, a[3], fn, 3, &ds, &lds) || !arg_f32(env, a[4], fn, 4, &dsT, &ldst) || !arg_int(env, a[5], fn, 5, &r) || !arg_int(env, a[6], fn, 6, &c))
    return NULL;
  const size_t rc = (size_t)(r * c);
  if (too_short(env, fn, "p", rc, lp) || too_short(env, fn, "dp", rc, ldp) || too_short(env, fn, "span", (size_t)(2 * r), lsp) ||
      too_short(env, fn, "ds", rc, lds) || too_short(env, fn, "dsT", rc, ldst))
    return NULL;
  for (int64_t i = 0; i < r; i++)
    if (span[2 * i] < 0 || span[2 * i + 1] > (float)c || span[2 * i] > span[2 * i + 1]) {
      napi_throw_range_error(env, "XREC_NATIVE_ARG", "maskedSoftmaxGrad: span outside [0, c]");
      return NULL;
    }
  xr_masked_softmax_grad(p, dp, span, ds, dsT, (size_t)r, (size_t)c);
  return NULL;
}
