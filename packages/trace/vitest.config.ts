import { defineProject } from 'vitest/config';

const conditions = ['@vmsim/source', 'module', 'node', 'import', 'default'];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@vmsim/source'] } },
  test: { name: 'trace', include: ['src/**/*.test.ts'] },
});
