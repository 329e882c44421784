import { defineConfig } from 'tsup';

// Two entries: the API, and ./script (the scenario language the cli and the web app run). With code
// splitting, what both share lands in a chunk both import, so the classes have one identity.
export default defineConfig({
  entry: { index: 'src/index.ts', 'script/index': 'src/script/index.ts' },
  format: ['esm'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
