/* Element-wise and row kernels compiled with relaxed floating-point flags so the compiler vectorises them
 * (see scripts/build.mjs); results agree with the JS kernels to float tolerance, not bit for bit. */
#ifndef XREC_FAST_H
#define XREC_FAST_H
#include <stddef.h>
void xr_gelu(const float *x, float *y, float *t, size_t n);
void xr_gelu_grad(const float *dy, const float *x, const float *t, float *dx, size_t n);
void xr_softmax_rows(const float *z, float *p, size_t rows, size_t cols);
#endif
