// One vitest run over every package: each package is a project, resolved from source through the
// "@vmsim/source" export condition so tests never need a build first.
import { defineConfig } from 'vitest/config';

const conditions = ['@vmsim/source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@vmsim/source'] } },
  test: {
    projects: ['packages/*', 'packages/web/vitest.unit.config.ts', 'packages/web/vitest.e2e.config.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
  },
});
