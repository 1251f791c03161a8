export { registerExplainMethod, unregisterExplainMethod, explainMethods, getExplainMethod, parseMethods } from './registry.js';
export { peplerMethod, commonPeplerConfig } from './pepler-method.js';
export type { ExplainMethod, MethodRole, MethodRunContext, MethodOutput, TestPair } from './method.js';
