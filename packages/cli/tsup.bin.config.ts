import { defineConfig } from 'tsup';

// The `vmsim` binary: the workspace packages bundled in (no module resolution through three packages at
// startup), the simulator and the REPL split into chunks that bin.js imports only when the command needs
// them (`--version` loads bin.js alone). Runs after tsup.config.ts, which cleans dist/.
export default defineConfig({
  // trace-worker: the entry of `vmsim trace --jobs N`'s worker threads, loaded by URL beside the chunks.
  entry: { bin: 'src/bin.ts', 'trace-worker': 'src/commands/trace-worker.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: false,
  splitting: true,
  noExternal: [/^@vmsim\//],
  target: 'node20',
});
