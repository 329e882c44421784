// The web app's build: a static single page (relative base, so dist/ works from any folder of any static
// host and from file-free offline copies), the workspace packages resolved from source.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  // Setting conditions drops Vite's defaults, so they are repeated after the source condition.
  resolve: { conditions: ['@vmsim/source', 'module', 'browser', 'development|production'] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  server: { fs: { allow: ['../..'] } },
});
