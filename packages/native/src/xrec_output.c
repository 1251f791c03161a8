/* The output layer and its cross-entropy in one call: logits, softmax, loss and both gradients computed a
 * block of rows at a time, so the [N, V] logits never exist whole and each block stays in cache between its
 * three products (see outputCrossEntropy in index.ts). */
#include <stdlib.h>
#include <string.h>

#include "xrec_args.h"
#include "xrec_blas.h"
#include "xrec_exports.h"
#include "xrec_fast.h"

/* w is [v, d] (dv = 0, a tied embedding) or [d, v] (dv = 1). With dh: dh = G W_vd; with dw: dw = Gᵀ h in w's
 * layout, where G = diag(weight)(softmax(h W_vdᵀ) - Y). Returns 0 when out of memory. */
static int output_ce(const float *h, const float *w, int dv, const int32_t *labels, const float *weight, float *loss, float *dh, float *dw, size_t n,
                     size_t d, size_t v, size_t chunk) {
  if (dw && n == 0) memset(dw, 0, v * d * sizeof(float));
  if (n == 0) return 1;
  if (chunk > n) chunk = n;
  float *z = (float *)malloc(chunk * v * sizeof(float));
  if (!z) return 0;
  const int ld = dv ? (int)v : (int)d;
  for (size_t r0 = 0; r0 < n; r0 += chunk) {
    const int r = (int)(n - r0 < chunk ? n - r0 : chunk);
    const float *hc = h + r0 * d;
    xr_gemm(0, dv ? 0 : 1, r, (int)v, (int)d, 1.0f, hc, (int)d, w, ld, 0.0f, z, (int)v);
    xr_ce_rows(z, (size_t)r, v, labels + r0, weight + r0, loss + r0, dh != NULL || dw != NULL);
    if (dh) xr_gemm(0, dv ? 1 : 0, r, (int)d, (int)v, 1.0f, z, (int)v, w, ld, 0.0f, dh + r0 * d, (int)d);
    const float beta = r0 == 0 ? 0.0f : 1.0f;
    if (dw && !dv) xr_gemm(1, 0, (int)v, (int)d, r, 1.0f, z, (int)v, hc, (int)d, beta, dw, (int)d);
    if (dw && dv) xr_gemm(1, 0, (int)d, (int)v, r, 1.0f, hc, (int)d, z, (int)v, beta, dw, (int)v);
  }
  free(z);
  return 1;
}

static int opt_f32(napi_env env, napi_value v, const char *fn, int idx, float **data, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  return arg_f32(env, v, fn, idx, data, len);
}

/* outputCrossEntropy(h, w, layout, labels, weight, loss, dh | null, dw | null, n, d, v, chunk) */
napi_value xr_napi_output_ce(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value a[12];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "outputCrossEntropy";
  float *h, *w, *weight, *loss, *dh, *dw;
  int32_t *labels;
  size_t lh, lw, llab, lwt, lloss, ldh, ldw;
  int64_t dv, n, d, v, chunk;
  if (argc != 12) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "outputCrossEntropy: expected 12 arguments");
    return NULL;
  }
  if (!arg_f32(env, a[0], fn, 0, &h, &lh) || !arg_f32(env, a[1], fn, 1, &w, &lw) || !arg_int(env, a[2], fn, 2, &dv) ||
      !arg_i32arr(env, a[3], fn, 3, &labels, &llab) || !arg_f32(env, a[4], fn, 4, &weight, &lwt) || !arg_f32(env, a[5], fn, 5, &loss, &lloss) ||
      !opt_f32(env, a[6], fn, 6, &dh, &ldh) || !opt_f32(env, a[7], fn, 7, &dw, &ldw) || !arg_int(env, a[8], fn, 8, &n) ||
      !arg_int(env, a[9], fn, 9, &d) || !arg_int(env, a[10], fn, 10, &v) || !arg_int(env, a[11], fn, 11, &chunk))
    return NULL;
  const size_t nd = (size_t)(n * d), vd = (size_t)(v * d);
  if (too_short(env, fn, "h", nd, lh) || too_short(env, fn, "w", vd, lw) || too_short(env, fn, "labels", (size_t)n, llab) ||
      too_short(env, fn, "weight", (size_t)n, lwt) || too_short(env, fn, "loss", (size_t)n, lloss) || (dh && too_short(env, fn, "dh", nd, ldh)) ||
      (dw && too_short(env, fn, "dw", vd, ldw)))
    return NULL;
  if (v == 0 || d == 0 || chunk == 0) {
    napi_throw_range_error(env, "XREC_NATIVE_ARG", "outputCrossEntropy: v, d and chunk must be positive");
    return NULL;
  }
  for (int64_t i = 0; i < n; i++)
    if (weight[i] != 0.0f && (labels[i] < 0 || labels[i] >= v)) {
      char msg[160];
      snprintf(msg, sizeof msg, "outputCrossEntropy: label %d at row %lld is outside [0, %lld)", labels[i], (long long)i, (long long)v);
      napi_throw_range_error(env, "XREC_NATIVE_ARG", msg);
      return NULL;
    }
  if (!output_ce(h, w, dv != 0, labels, weight, loss, dh, dw, (size_t)n, (size_t)d, (size_t)v, (size_t)chunk))
    napi_throw_error(env, "XREC_NATIVE_OOM", "outputCrossEntropy: out of memory for the logits block");
  return NULL;
}
