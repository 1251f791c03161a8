/* Masked attention over G independent groups (one per batch row and head) in one call each way, for the
 * transformer's XrecAttention / XrecAttentionGrad kernels. Per group b, with q pre-scaled by 1/sqrt(hd):
 *   forward:  S = q kᵀ, P = softmax(S + M) (masked entries skipped), o = P v
 *   backward: dP = do vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = dS k, dk = dSᵀ q, dv = Pᵀ do
 * P and each row's kept span are returned by the forward for the backward. */
#include <stdlib.h>

#include "xrec_args.h"
#include "xrec_blas.h"
#include "xrec_exports.h"
#include "xrec_fast.h"

static int attention_fwd(const float *q, const float *k, const float *v, const float *mask, size_t mask_blocks, size_t per, float *o, float *p,
                         float *span, size_t g, size_t r, size_t hd) {
  float *s = (float *)malloc(2 * r * r * sizeof(float));
  if (!s) return 0;
  float *pT = s + r * r;
  const size_t rr = r * r, rh = r * hd;
  for (size_t b = 0; b < g; b++) {
    const float *mb = mask + (mask_blocks > 1 ? (b / per) * rr : 0);
    xr_gemm(0, 1, (int)r, (int)r, (int)hd, 1.0f, q + b * rh, (int)hd, k + b * rh, (int)hd, 0.0f, s, (int)r);
    xr_masked_softmax(s, mb, p + b * rr, pT, span + b * 2 * r, r, r);
    xr_gemm(0, 0, (int)r, (int)hd, (int)r, 1.0f, p + b * rr, (int)r, v + b * rh, (int)hd, 0.0f, o + b * rh, (int)hd);
  }
  free(s);
  return 1;
}

static int attention_bwd(const float *dy, const float *q, const float *k, const float *v, const float *p, const float *span, float *dq, float *dk,
                         float *dv, size_t g, size_t r, size_t hd) {
  float *dp = (float *)malloc(3 * r * r * sizeof(float));
  if (!dp) return 0;
  float *ds = dp + r * r, *dsT = ds + r * r;
  const size_t rr = r * r, rh = r * hd;
  for (size_t b = 0; b < g; b++) {
    const float *pb = p + b * rr, *dyb = dy + b * rh;
    xr_gemm(0, 1, (int)r, (int)r, (int)hd, 1.0f, dyb, (int)hd, v + b * rh, (int)hd, 0.0f, dp, (int)r);
    xr_masked_softmax_grad(pb, dp, span + b * 2 * r, ds, dsT, r, r);
    xr_gemm(0, 0, (int)r, (int)hd, (int)r, 1.0f, ds, (int)r, k + b * rh, (int)hd, 0.0f, dq + b * rh, (int)hd);
    xr_gemm(0, 0, (int)r, (int)hd, (int)r, 1.0f, dsT, (int)r, q + b * rh, (int)hd, 0.0f, dk + b * rh, (int)hd);
    xr_gemm(1, 0, (int)r, (int)hd, (int)r, 1.0f, pb, (int)r, dyb, (int)hd, 0.0f, dv + b * rh, (int)hd);
  }
  free(dp);
  return 1;
}

/* attentionForward(q, k, v, mask, o, p, span, g, r, hd, maskBlocks): q, k, v, o [g, r, hd]; mask [maskBlocks, r, r]
 * (group b uses block b / (g / maskBlocks)); p [g, r, r]; span [g, r, 2]. */
napi_value xr_napi_attention_forward(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value a[11];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "attentionForward";
  float *arr[7];
  size_t len[7];
  int64_t g, r, hd, mb;
  if (argc != 11) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "attentionForward: expected 11 arguments");
    return NULL;
  }
  for (int i = 0; i < 7; i++)
    if (!arg_f32(env, a[i], fn, i, &arr[i], &len[i])) return NULL;
  if (!arg_int(env, a[7], fn, 7, &g) || !arg_int(env, a[8], fn, 8, &r) || !arg_int(env, a[9], fn, 9, &hd) || !arg_int(env, a[10], fn, 10, &mb)) return NULL;
  if (mb < 1 || (g > 0 && g % mb != 0)) {
    napi_throw_range_error(env, "XREC_NATIVE_ARG", "attentionForward: maskBlocks must be positive and divide g");
    return NULL;
  }
  const size_t grh = (size_t)(g * r * hd), grr = (size_t)(g * r * r);
  if (too_short(env, fn, "q", grh, len[0]) || too_short(env, fn, "k", grh, len[1]) || too_short(env, fn, "v", grh, len[2]) ||
      too_short(env, fn, "mask", (size_t)(mb * r * r), len[3]) || too_short(env, fn, "o", grh, len[4]) || too_short(env, fn, "p", grr, len[5]) ||
      too_short(env, fn, "span", (size_t)(2 * g * r), len[6]))
    return NULL;
  if (g == 0 || r == 0) return NULL;
  if (!attention_fwd(arr[0], arr[1], arr[2], arr[3], (size_t)mb, (size_t)(g / mb), arr[4], arr[5], arr[6], (size_t)g, (size_t)r, (size_t)hd))
    napi_throw_error(env, "XREC_NATIVE_OOM", "attentionForward: out of memory");
  return NULL;
}

/* attentionBackward(dy, q, k, v, p, span, dq, dk, dv, g, r, hd) */
napi_value xr_napi_attention_backward(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value a[12];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "attentionBackward";
  float *arr[9];
  size_t len[9];
  int64_t g, r, hd;
  if (argc != 12) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "attentionBackward: expected 12 arguments");
    return NULL;
  }
  for (int i = 0; i < 9; i++)
    if (!arg_f32(env, a[i], fn, i, &arr[i], &len[i])) return NULL;
  if (!arg_int(env, a[9], fn, 9, &g) || !arg_int(env, a[10], fn, 10, &r) || !arg_int(env, a[11], fn, 11, &hd)) return NULL;
  const size_t grh = (size_t)(g * r * hd), grr = (size_t)(g * r * r);
  static const char *names[9] = {"dy", "q", "k", "v", "p", "span", "dq", "dk", "dv"};
  for (int i = 0; i < 9; i++) {
    const size_t need = i == 4 ? grr : i == 5 ? (size_t)(2 * g * r) : grh;
    if (too_short(env, fn, names[i], need, len[i])) return NULL;
  }
  for (size_t i = 0; i < (size_t)(g * r); i++) {
    const float *sp = arr[5] + 2 * i;
    if (sp[0] < 0 || sp[1] > (float)r || sp[0] > sp[1]) {
      napi_throw_range_error(env, "XREC_NATIVE_ARG", "attentionBackward: span outside [0, r]");
      return NULL;
    }
  }
  if (g == 0 || r == 0) return NULL;
  if (!attention_bwd(arr[0], arr[1], arr[2], arr[3], arr[4], arr[5], arr[6], arr[7], arr[8], (size_t)g, (size_t)r, (size_t)hd))
    napi_throw_error(env, "XREC_NATIVE_OOM", "attentionBackward: out of memory");
  return NULL;
}
