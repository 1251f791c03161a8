/* N-API argument helpers shared by the addon's files: each throws a TypeError/RangeError naming the function
 * and the argument, and returns 0, when an argument is not what the kernel needs. */
#ifndef XREC_ARGS_H
#define XREC_ARGS_H
#define NAPI_VERSION 8
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

/* ---------- argument helpers ---------- */
#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "XREC_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static inline int arg_f32(napi_env env, napi_value v, const char *fn, int idx, float **data, size_t *len) {
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

static inline int arg_i32arr(napi_env env, napi_value v, const char *fn, int idx, int32_t **data, size_t *len) {
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

static inline int arg_num(napi_env env, napi_value v, const char *fn, int idx, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: argument %d must be a number", fn, idx);
    napi_throw_type_error(env, "XREC_NATIVE_ARG", msg);
    return 0;
  }
  return 1;
}

static inline int arg_int(napi_env env, napi_value v, const char *fn, int idx, int64_t *out) {
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

static inline int too_short(napi_env env, const char *fn, const char *what, size_t need, size_t have) {
  if (need <= have) return 0;
  char msg[200];
  snprintf(msg, sizeof msg, "%s: %s needs %zu elements but has %zu", fn, what, need, have);
  napi_throw_range_error(env, "XREC_NATIVE_ARG", msg);
  return 1;
}

static inline size_t xr_span(int trans, int64_t rows, int64_t cols, int64_t ld) {
  /* elements touched by a row-major rows x cols operand (op applied) with leading dimension ld */
  int64_t r = trans ? cols : rows, c = trans ? rows : cols;
  if (r == 0 || c == 0) return 0;
  return (size_t)((r - 1) * ld + c);
}
#endif
