import { defineConfig } from 'tsup';

// Two entries: the library, and ./testing (fixtures for the tests of this layer and the ones above). With
// code splitting, what both share lands in a chunk both import, so the classes have one identity; the main
// entry never imports the testing one.
export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  // Members marked @internal (sim-api's prechecked access entries) stay out of the published types.
  dts: { compilerOptions: { stripInternal: true } },
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
