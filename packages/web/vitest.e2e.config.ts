// Whole-page tests: Vite's dev server and Chromium started by the test itself (e2e/*.e2e.test.ts).
import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'web-e2e', include: ['e2e/**/*.e2e.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 },
});
