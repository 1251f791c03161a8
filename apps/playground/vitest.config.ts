import { xrecVitestConfig } from '../../tooling/vitest.shared.mjs';

export default xrecVitestConfig(import.meta.dirname);
