/* The N-API functions defined outside xrec_native.c (registered by its init). */
#ifndef XREC_EXPORTS_H
#define XREC_EXPORTS_H
#include "xrec_args.h"
napi_value xr_napi_norm_forward(napi_env env, napi_callback_info info);
napi_value xr_napi_norm_backward(napi_env env, napi_callback_info info);
napi_value xr_napi_masked_softmax(napi_env env, napi_callback_info info);
napi_value xr_napi_masked_softmax_grad(napi_env env, napi_callback_info info);
napi_value xr_napi_output_ce(napi_env env, napi_callback_info info);
napi_value xr_napi_attention_forward(napi_env env, napi_callback_info info);
napi_value xr_napi_attention_backward(napi_env env, napi_callback_info info);
#endif
