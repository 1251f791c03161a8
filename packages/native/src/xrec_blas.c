/* The system BLAS, loaded at run time (dlopen, no link-time dependency), and a blocked C GEMM when there is none. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrec_blas.h"

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

void xr_blas_load(void) {
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

void xr_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda, const float *B, int ldb, float beta,
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

void xr_blas_set_threads(int n) {
  if (blas_set_threads) blas_set_threads(n);
  builtin_threads = n;
}

int xr_blas_threads(void) { return blas_get_threads ? blas_get_threads() : builtin_threads; }

const char *xr_blas_name(void) { return blas_sgemm ? blas_name : "builtin"; }

const char *xr_blas_config(void) { return blas_get_config ? blas_get_config() : ""; }

const char *xr_blas_note(void) { return blas_note; }
