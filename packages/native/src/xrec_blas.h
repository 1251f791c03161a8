/* BLAS access shared by the addon's files (see xrec_blas.c). */
#ifndef XREC_BLAS_H
#define XREC_BLAS_H
/* Load the BLAS named by XREC_BLAS, else libopenblas.so.0, libopenblas.so, libblas.so.3 (once, at module init). */
void xr_blas_load(void);
/* Row-major C = alpha op(A) op(B) + beta C (op = transpose when ta/tb), through the BLAS or the builtin GEMM. */
void xr_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
void xr_blas_set_threads(int n);
int xr_blas_threads(void);
const char *xr_blas_name(void);
const char *xr_blas_config(void);
const char *xr_blas_note(void);
#endif
