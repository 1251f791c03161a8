import { defineConfig } from 'vitest/config';

// Packing and installing take minutes on a cold npm cache.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 15 * 60_000, hookTimeout: 15 * 60_000 } });
