// The web app's unit tests in Node: view models, the step engine, the shared link.
import { defineProject } from 'vitest/config';

const conditions = ['@vmsim/source', 'module', 'node', 'import', 'default'];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@vmsim/source'] } },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: { name: 'web-unit', include: ['src/**/*.test.ts'], exclude: ['src/**/*.browser.test.{ts,tsx}'], environment: 'node' },
});
