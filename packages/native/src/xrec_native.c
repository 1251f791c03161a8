/*
 * xrec's native kernels: an N-API addon that loads the system BLAS at run time (dlopen, no link-time
 * dependency) and computes on Float32Arrays in place, with no copies (the arrays are views of tfjs-wasm's
 * heap or of tfjs-cpu's buffers). Without a BLAS it uses its own blocked C GEMM.
 *
 * Every function is synchronous and checks its arguments: a wrong type or a too-short array throws a
 * TypeError/RangeError naming the function and the argument; nothing is written past an array's end.
 */
#include <stdlib.h>

#include "xrec_args.h"
#include "xrec_blas.h"
#include "xrec_exports.h"
#include "xrec_fast.h"

/* ---------- exported functions ---------- */

/* sgemmBatched(ta, tb, batch, m, n, k, A, strideA, B, strideB, C, strideC, alpha, beta)
 * C_b = alpha op(A_b) op(B_b) + beta C_b, row-major, each operand packed (lda = cols of the stored matrix);
 * stride 0 broadcasts an operand over the batch. */
static napi_value sgemm_batched(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value a[14];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "sgemmBatched";
  if (argc != 14) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "sgemmBatched: expected 14 arguments");
    return NULL;
  }
  int64_t ta, tb, batch, m, n, k, sa, sb, sc;
  double alpha, beta;
  float *A, *B, *C;
  size_t la, lb, lc;
  if (!arg_int(env, a[0], fn, 0, &ta) || !arg_int(env, a[1], fn, 1, &tb) || !arg_int(env, a[2], fn, 2, &batch) ||
      !arg_int(env, a[3], fn, 3, &m) || !arg_int(env, a[4], fn, 4, &n) || !arg_int(env, a[5], fn, 5, &k) ||
      !arg_f32(env, a[6], fn, 6, &A, &la) || !arg_int(env, a[7], fn, 7, &sa) || !arg_f32(env, a[8], fn, 8, &B, &lb) ||
      !arg_int(env, a[9], fn, 9, &sb) || !arg_f32(env, a[10], fn, 10, &C, &lc) || !arg_int(env, a[11], fn, 11, &sc) ||
      !arg_num(env, a[12], fn, 12, &alpha) || !arg_num(env, a[13], fn, 13, &beta))
    return NULL;
  int64_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
  if (batch == 0) return NULL;
  if (too_short(env, fn, "A", (size_t)(sa * (batch - 1)) + xr_span((int)ta, m, k, lda), la) ||
      too_short(env, fn, "B", (size_t)(sb * (batch - 1)) + xr_span((int)tb, k, n, ldb), lb) ||
      too_short(env, fn, "C", (size_t)(sc * (batch - 1)) + xr_span(0, m, n, ldc), lc))
    return NULL;
  for (int64_t i = 0; i < batch; i++)
    xr_gemm((int)ta, (int)tb, (int)m, (int)n, (int)k, (float)alpha, A + i * sa, (int)lda, B + i * sb, (int)ldb, (float)beta, C + i * sc,
         (int)ldc);
  return NULL;
}

/* gelu(x, y, t): tanh-GELU, t = tanh(c (x + 0.044715 x^3)), y = 0.5 x (1 + t) */
static napi_value gelu(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float *x, *y, *t;
  size_t lx, ly, lt;
  if (argc != 3 || !arg_f32(env, a[0], "gelu", 0, &x, &lx) || !arg_f32(env, a[1], "gelu", 1, &y, &ly) ||
      !arg_f32(env, a[2], "gelu", 2, &t, &lt))
    return NULL;
  if (too_short(env, "gelu", "y", lx, ly) || too_short(env, "gelu", "t", lx, lt)) return NULL;
  xr_gelu(x, y, t, lx);
  return NULL;
}

/* geluGrad(dy, x, t, dx): dx = dy (0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)) */
static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float *dy, *x, *t, *dx;
  size_t l0, l1, l2, l3;
  const char *fn = "geluGrad";
  if (argc != 4 || !arg_f32(env, a[0], fn, 0, &dy, &l0) || !arg_f32(env, a[1], fn, 1, &x, &l1) || !arg_f32(env, a[2], fn, 2, &t, &l2) ||
      !arg_f32(env, a[3], fn, 3, &dx, &l3))
    return NULL;
  if (too_short(env, fn, "dy", l1, l0) || too_short(env, fn, "t", l1, l2) || too_short(env, fn, "dx", l1, l3)) return NULL;
  xr_gelu_grad(dy, x, t, dx, l1);
  return NULL;
}

/* softmaxRows(z, p, rows, cols): p[i, :] = softmax(z[i, :]) */
static napi_value softmax_rows(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float *z, *p;
  size_t lz, lp;
  int64_t rows, cols;
  const char *fn = "softmaxRows";
  if (argc != 4 || !arg_f32(env, a[0], fn, 0, &z, &lz) || !arg_f32(env, a[1], fn, 1, &p, &lp) || !arg_int(env, a[2], fn, 2, &rows) ||
      !arg_int(env, a[3], fn, 3, &cols))
    return NULL;
  if (too_short(env, fn, "z", (size_t)(rows * cols), lz) || too_short(env, fn, "p", (size_t)(rows * cols), lp)) return NULL;
  xr_softmax_rows(z, p, (size_t)rows, (size_t)cols);
  return NULL;
}

/* adamw(p, g, m, v, pOut, mOut, vOut, scale, beta1, beta2, eps, keep, stepSize, invSqrtBc2) */
static napi_value adamw(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value a[14];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  const char *fn = "adamw";
  float *arr[7];
  size_t len[7];
  double s[7];
  if (argc != 14) {
    napi_throw_type_error(env, "XREC_NATIVE_ARG", "adamw: expected 14 arguments");
    return NULL;
  }
  for (int i = 0; i < 7; i++)
    if (!arg_f32(env, a[i], fn, i, &arr[i], &len[i])) return NULL;
  for (int i = 0; i < 7; i++)
    if (!arg_num(env, a[7 + i], fn, 7 + i, &s[i])) return NULL;
  const size_t n = len[0];
  for (int i = 1; i < 7; i++)
    if (too_short(env, fn, "an array", n, len[i])) return NULL;
  const float *p = arr[0], *g = arr[1], *m = arr[2], *v = arr[3];
  float *po = arr[4], *mo = arr[5], *vo = arr[6];
  const double c = s[0], b1 = s[1], b2 = s[2], eps = s[3], keep = s[4], step = s[5], ib = s[6];
  for (size_t i = 0; i < n; i++) {
    /* double arithmetic in the order of the JS kernel, so both give the same float32 results */
    const double gi = (double)g[i] * c;
    const double mi = b1 * m[i] + (1.0 - b1) * gi;
    const double vi = b2 * v[i] + (1.0 - b2) * gi * gi;
    mo[i] = (float)mi;
    vo[i] = (float)vi;
    po[i] = (float)(p[i] * keep - (step * mi) / (sqrt(vi) * ib + eps));
  }
  return NULL;
}



/* sumSquares(x) -> number (double accumulation) */
static napi_value sum_squares(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float *x;
  size_t n;
  if (argc != 1 || !arg_f32(env, a[0], "sumSquares", 0, &x, &n)) return NULL;
  double acc = 0.0;
  for (size_t i = 0; i < n; i++) acc += (double)x[i] * x[i];
  CHECK(napi_create_double(env, acc, &out));
  return out;
}


static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int64_t n;
  if (argc != 1 || !arg_int(env, a[0], "setThreads", 0, &n)) return NULL;
  if (n < 1) n = 1;
  xr_blas_set_threads((int)n);
  return NULL;
}

static napi_value get_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, xr_blas_name(), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blas", v));
  CHECK(napi_create_string_utf8(env, xr_blas_config(), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blasConfig", v));
  CHECK(napi_create_int32(env, xr_blas_threads(), &v));
  CHECK(napi_set_named_property(env, obj, "threads", v));
  CHECK(napi_create_string_utf8(env, xr_blas_note(), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "note", v));
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  xr_blas_load();
  napi_property_descriptor props[] = {
      {"sgemmBatched", NULL, sgemm_batched, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxRows", NULL, softmax_rows, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"normForward", NULL, xr_napi_norm_forward, NULL, NULL, NULL, napi_default, NULL},
      {"normBackward", NULL, xr_napi_norm_backward, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmax", NULL, xr_napi_masked_softmax, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmaxGrad", NULL, xr_napi_masked_softmax_grad, NULL, NULL, NULL, napi_default, NULL},
      {"outputCrossEntropy", NULL, xr_napi_output_ce, NULL, NULL, NULL, napi_default, NULL},
      {"attentionForward", NULL, xr_napi_attention_forward, NULL, NULL, NULL, napi_default, NULL},
      {"attentionBackward", NULL, xr_napi_attention_backward, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)