import { defineConfig } from 'tsup';

// The library entry (`import { main } from '@vmsim/cli'`): @vmsim/sim-api stays an external dependency.
// The `vmsim` binary is built after it by tsup.bin.config.ts, into the same dist/.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
