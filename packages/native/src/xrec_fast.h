/* Element-wise and row kernels compiled with relaxed floating-point flags so the compiler vectorises them
 * (see scripts/build.mjs); results agree with the JS kernels to float tolerance, not bit for bit. */
#ifndef XREC_FAST_H
#define XREC_FAST_H
#include <stddef.h>
void xr_gelu(const float *x, float *y, float *t, size_t n);
void xr_gelu_grad(const float *dy, const float *x, const float *t, float *dx, size_t n);
void xr_softmax_rows(const float *z, float *p, size_t rows, size_t cols);
#endif
#ifndef XREC_FAST_MASKED_H
#define XREC_FAST_MASKED_H
/* Masked softmax of one attention block, as the transformer's XrecMaskedSoftmax JS kernel: p, pT, span. */
void xr_masked_softmax(const float *sc, const float *mask, float *p, float *pT, float *span, size_t r, size_t c);
/* Its backward: ds = p (dp - rowsum(dp p)) and dsT over the spans of the forward pass. */
void xr_masked_softmax_grad(const float *p, const float *dp, const float *span, float *ds, float *dsT, size_t r, size_t c);
#endif
#ifndef XREC_FAST_CE_H
#define XREC_FAST_CE_H
#include <stdint.h>
/* Cross-entropy rows of logits z [rows, v] in place: loss[i] = logsumexp(z_i) - z_i[labels[i]] (0 where
 * weight[i] = 0); with grads, z becomes weight[i] (softmax(z_i) - onehot(labels[i])), the gradient of
 * Σ weight[i] loss[i] with respect to z. */
void xr_ce_rows(float *z, size_t rows, size_t v, const int32_t *labels, const float *weight, float *loss, int grads);
#endif
