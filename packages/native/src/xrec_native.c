/*
 * xrec's native kernels: an N-API addon that loads the system BLAS at run time (dlopen, no link-time
 * dependency) and computes on Float32Arrays in place, with no copies (the arrays are views of tfjs-wasm's
 * heap or of tfjs-cpu's buffers). Without a BLAS it uses its own blocked C GEMM.
 *
 * Every function is synchronous and checks its arguments: a wrong type or a too-short array throws a
 * TypeError/RangeError naming the function and the argument; nothing is written past an array's end.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrec_fast.h"

/* ---------- BLAS loading ---------- */
enum { CblasRowMajor = 101 };
enum { CblasNoTrans = 111, CblasTrans = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_config_fn)(void);

static sgemm_fn blas_sgemm = NULL;
static set_threads_fn blas_set_threads = NULL;
static get_threads_fn blas_get_threads = NULL;
static get_config_fn blas_get_config = NULL;
static char blas_name[512] = "builtin";
static char blas_note[512] = "";
static int builtin_threads = 1;

static void load_blas(void) {
  const char *env = getenv("XREC_BLAS");
  const char *candidates[] = {env, "libopenblas.so.0", "libopenblas.so", "libblas.so.3", NULL};
  if (env && strcmp(env, "builtin") == 0) {
    snprintf(blas_note, sizeof blas_note, "XREC_BLAS=builtin");
    return;
  }
  for (int i = 0; i < 4; i++) {
    const char *name = candidates[i];
    if (!name || !*name) continue;
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) continue;
    sgemm_fn f = (sgemm_fn)dlsym(h, "cblas_sgemm");
    if (!f) {
      dlclose(h);
      continue;
    }
    blas_sgemm = f;
    blas_set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    blas_get_threads = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
    blas_get_config = (get_config_fn)dlsym(h, "openblas_get_config");
    snprintf(blas_name, sizeof blas_name, "%s", name);
    return;
  }
  snprintf(blas_note, sizeof blas_note, "no BLAS found (tried %s%slibopenblas.so.0, libopenblas.so, libblas.so.3)", env ? env : "", env ? ", " : "");
}


/* ---------- builtin GEMM (row-major, C = alpha op(A) op(B) + beta C) ---------- */
static void builtin_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda, const float *B, int ldb,
                          float beta, float *C, int ldc) {
  /* pack op(B) as [k, n] row-major so the inner loop is contiguous */
  float *bp = (float *)malloc((size_t)k * n * sizeof(float));
  float *ap = (float *)malloc((size_t)k * sizeof(float));
  if (!bp || !ap) {
    free(bp);
    free(ap);
    return;
  }
  for (int p = 0; p < k; p++)
    for (int j = 0; j < n; j++) bp[(size_t)p * n + j] = tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
  for (int i = 0; i < m; i++) {
    float *c = C + (size_t)i * ldc;
    if (beta == 0.0f)
      memset(c, 0, (size_t)n * sizeof(float));
    else if (beta != 1.0f)
      for (int j = 0; j < n; j++) c[j] *= beta;
    for (int p = 0; p < k; p++) ap[p] = alpha * (ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]);
    for (int p = 0; p < k; p++) {
      const float a = ap[p];
      if (a == 0.0f) continue;
      const float *restrict b = bp + (size_t)p * n;
      float *restrict cc = c;
      for (int j = 0; j < n; j++) cc[j] += a * b[j];
    }
  }
  free(bp);
  free(ap);
}

static void gemm(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda, const float *B, int ldb, float beta,
                 float *C, int ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
    return;
  }
  if (blas_sgemm)
    blas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  else
    builtin_sgemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* ---------- argument helpers ---------- */
#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "XREC_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static int arg_f32(napi_env env, napi_value v, const char *fn, int idx, float **data, size_t *len) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  char msg[160];
  if (!is_ta) {
    snprintf(msg, sizeof msg, "%s: argument %d must be a Float32Array", fn, idx);
    napi_throw_type_error(env, "XREC_NATIVE_ARG", msg);
    return 0;
  }
  napi_typedarray_type t;
  void *d;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(env, v, &t, len, &d, &ab, &off);
  if (t != napi_float32_array) {
    snprintf(msg, sizeof msg, "%s: argument %d must be a Float32Array", fn, idx);
    napi_throw_type_error(env, "XREC_NATIVE_ARG", msg);
    return 0;
  }
  *data = (float *)d;
  return 1;
}

__attribute__((unused)) static int arg_i32arr(napi_env env, napi_value v, const char *fn, int idx, int32_t **data, size_t *len) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  char msg[160];
  napi_typedarray_type t = napi_int8_array;
  void *d = NULL;
  napi_value ab;
  size_t off;
  if (is_ta) napi_get_typedarray_info(env, v, &t, len, &d, &ab, &off);
  if (!is_ta || t != napi_int32_array) {
    snprintf(msg, sizeof msg, "%s: argument %d must be an Int32Array", fn, idx);
    napi_throw_type_error(env, "XREC_NATIVE_ARG", msg);
    return 0;
  }
  *data = (int32_t *)d;
  return 1;
}

static int arg_num(napi_env env, napi_value v, const char *fn, int idx, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: argument %d must be a number", fn, idx);
    napi_throw_type_error(env, "XREC_NATIVE_ARG", msg);
    return 0;
  }
  return 1;
}

static int arg_int(napi_env env, napi_value v, const char *fn, int idx, int64_t *out) {
  double d;
  if (!arg_num(env, v, fn, idx, &d)) return 0;
  if (d != floor(d) || d < 0 || d > 2147483647.0) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: argument %d must be a non-negative integer, got %g", fn, idx, d);
    napi_throw_range_error(env, "XREC_NATIVE_ARG", msg);
    return 0;
  }
  *out = (int64_t)d;
  return 1;
}

static int too_short(napi_env env, const char *fn, const char *what, size_t need, size_t have) {
  if (need <= have) return 0;
  char msg[200];
  snprintf(msg, sizeof msg, "%s: %s needs %zu elements but has %zu", fn, what, need, have);
  napi_throw_range_error(env, "XREC_NATIVE_ARG", msg);
  return 1;
}

static size_t span(int trans, int64_t rows, int64_t cols, int64_t ld) {
  /* elements touched by a row-major rows x cols operand (op applied) with leading dimension ld */
  int64_t r = trans ? cols : rows, c = trans ? rows : cols;
  if (r == 0 || c == 0) return 0;
  return (size_t)((r - 1) * ld + c);
}

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
  if (too_short(env, fn, "A", (size_t)(sa * (batch - 1)) + span((int)ta, m, k, lda), la) ||
      too_short(env, fn, "B", (size_t)(sb * (batch - 1)) + span((int)tb, k, n, ldb), lb) ||
      too_short(env, fn, "C", (size_t)(sc * (batch - 1)) + span(0, m, n, ldc), lc))
    return NULL;
  for (int64_t i = 0; i < batch; i++)
    gemm((int)ta, (int)tb, (int)m, (int)n, (int)k, (float)alpha, A + i * sa, (int)lda, B + i * sb, (int)ldb, (float)beta, C + i * sc,
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
static napi_value norm_forward(napi_env env, napi_callback_info info) {
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
static napi_value norm_backward(napi_env env, napi_callback_info info) {
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
static napi_value masked_softmax(napi_env env, napi_callback_info info) {
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
static napi_value masked_softmax_grad(napi_env env, napi_callback_info info) {
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
  if (blas_set_threads) blas_set_threads((int)n);
  builtin_threads = (int)n;
  return NULL;
}

static napi_value get_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, blas_sgemm ? blas_name : "builtin", NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blas", v));
  CHECK(napi_create_string_utf8(env, blas_get_config ? blas_get_config() : "", NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blasConfig", v));
  CHECK(napi_create_int32(env, blas_get_threads ? blas_get_threads() : builtin_threads, &v));
  CHECK(napi_set_named_property(env, obj, "threads", v));
  CHECK(napi_create_string_utf8(env, blas_note, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "note", v));
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  load_blas();
  napi_property_descriptor props[] = {
      {"sgemmBatched", NULL, sgemm_batched, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxRows", NULL, softmax_rows, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"normForward", NULL, norm_forward, NULL, NULL, NULL, napi_default, NULL},
      {"normBackward", NULL, norm_backward, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmax", NULL, masked_softmax, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmaxGrad", NULL, masked_softmax_grad, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
