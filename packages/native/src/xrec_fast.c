/* See xrec_fast.h. Built with -O3 -fno-math-errno -fno-trapping-math -fassociative-math -fno-signed-zeros. */
#include "xrec_fast.h"

#include <stdint.h>
#include <math.h>
#include <string.h>

/* exp(x) in float (Cephes polynomial, max rel. error ~2 ulp on [-87.3, 88.3]; 0 below, clamped above). */
static inline float fast_expf(float x) {
  const float hi = 88.3762626647949f, lo = -87.3365447505531f;
  const float xc = x > hi ? hi : (x < lo ? lo : x);
  const float fx = xc * 1.44269504088896341f + 0.5f;
  const int32_t ni = (int32_t)fx - (fx < 0.0f ? 1 : 0); /* floor */
  const float n = (float)ni;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float q = 1.9875691500E-4f;
  q = q * r + 1.3981999507E-3f;
  q = q * r + 8.3334519073E-3f;
  q = q * r + 4.1665795894E-2f;
  q = q * r + 1.6666665459E-1f;
  q = q * r + 5.0000001201E-1f;
  q = q * r * r + r + 1.0f;
  const int32_t bits = (ni + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return x < lo ? 0.0f : q * scale;
}

void xr_gelu(const float *restrict x, float *restrict y, float *restrict t, size_t n) {
  const float c = 0.7978845608028654f;
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    const float u = c * (v + 0.044715f * v * v * v);
    /* tanh(u) = sign(u) (1 - 2 / (exp(2|u|) + 1)): the form with exp(2|u|) keeps the tiny distance of t from
     * -1 for large negative u (with exp(2u) it rounds to exactly -1 in float and the gradient to 0) */
    const float a = 1.0f - 2.0f / (fast_expf(2.0f * fabsf(u)) + 1.0f);
    const float th = copysignf(a, u);
    t[i] = th;
    y[i] = 0.5f * v * (1.0f + th);
  }
}

void xr_gelu_grad(const float *restrict dy, const float *restrict x, const float *restrict t, float *restrict dx, size_t n) {
  /* in double, as the JS kernel: near |x| ~ 5 the two terms are tiny differences of float-rounded products */
  const double c = 0.7978845608028654;
  for (size_t i = 0; i < n; i++) {
    const double v = x[i], th = t[i];
    dx[i] = (float)(dy[i] * (0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * c * (1.0 + 3.0 * 0.044715 * v * v)));
  }
}

void xr_softmax_rows(const float *restrict z, float *restrict p, size_t rows, size_t cols) {
  for (size_t i = 0; i < rows; i++) {
    const float *zi = z + i * cols;
    float *pi = p + i * cols;
    float mx = zi[0];
    for (size_t j = 1; j < cols; j++) mx = zi[j] > mx ? zi[j] : mx;
    float sum = 0.0f;
    for (size_t j = 0; j < cols; j++) {
      const float e = fast_expf(zi[j] - mx);
      pi[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (size_t j = 0; j < cols; j++) pi[j] *= inv;
  }
}

#define MASK_OFF (-1e8f)

void xr_masked_softmax(const float *restrict sc, const float *restrict mask, float *restrict p, float *restrict pT, float *restrict span, size_t r,
                       size_t c) {
  memset(p, 0, r * c * sizeof(float));
  memset(pT, 0, r * c * sizeof(float));
  for (size_t i = 0; i < r; i++) {
    const size_t o = i * c;
    size_t lo = 0, hi = c;
    while (lo < c && mask[o + lo] <= MASK_OFF) lo++;
    const int all = lo == c; /* nothing kept: every entry takes part (uniform), as the JS kernel */
    if (all)
      lo = 0;
    else
      while (mask[o + hi - 1] <= MASK_OFF) hi--;
    span[2 * i] = (float)lo;
    span[2 * i + 1] = (float)hi;
    float mx = -INFINITY;
    for (size_t j = lo; j < hi; j++) {
      const float m = mask[o + j];
      if (!all && m <= MASK_OFF) continue;
      const float x = sc[o + j] + m;
      mx = x > mx ? x : mx;
    }
    float sum = 0.0f;
    for (size_t j = lo; j < hi; j++) {
      const float m = mask[o + j];
      const float e = (!all && m <= MASK_OFF) ? 0.0f : fast_expf(sc[o + j] + m - mx);
      p[o + j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (size_t j = lo; j < hi; j++) {
      const float v = p[o + j] * inv;
      p[o + j] = v;
      pT[j * r + i] = v;
    }
  }
}

void xr_masked_softmax_grad(const float *restrict p, const float *restrict dp, const float *restrict span, float *restrict ds, float *restrict dsT,
                            size_t r, size_t c) {
  memset(ds, 0, r * c * sizeof(float));
  memset(dsT, 0, r * c * sizeof(float));
  for (size_t i = 0; i < r; i++) {
    const size_t o = i * c;
    const size_t lo = (size_t)span[2 * i], hi = (size_t)span[2 * i + 1];
    float dot = 0.0f;
    for (size_t j = lo; j < hi; j++) dot += p[o + j] * dp[o + j];
    for (size_t j = lo; j < hi; j++) {
      const float v = p[o + j] * (dp[o + j] - dot);
      ds[o + j] = v;
      dsT[j * r + i] = v;
    }
  }
}

void xr_ce_rows(float *restrict z, size_t rows, size_t v, const int32_t *restrict labels, const float *restrict weight, float *restrict loss, int grads) {
  for (size_t i = 0; i < rows; i++) {
    float *zi = z + i * v;
    const float w = weight[i];
    if (w == 0.0f) {
      loss[i] = 0.0f;
      if (grads) memset(zi, 0, v * sizeof(float));
      continue;
    }
    const size_t y = (size_t)labels[i];
    const float zy = zi[y];
    float mx = zi[0];
    for (size_t j = 1; j < v; j++) mx = zi[j] > mx ? zi[j] : mx;
    float sum = 0.0f;
    if (grads) {
      for (size_t j = 0; j < v; j++) {
        const float e = fast_expf(zi[j] - mx);
        zi[j] = e;
        sum += e;
      }
      const float s = w / sum;
      for (size_t j = 0; j < v; j++) zi[j] *= s;
      zi[y] -= w;
    } else {
      for (size_t j = 0; j < v; j++) sum += fast_expf(zi[j] - mx);
    }
    loss[i] = logf(sum) + mx - zy;
  }
}
