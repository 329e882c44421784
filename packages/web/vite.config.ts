// The web app's build: one self-contained index.html (script and styles inlined, relative base), so dist/
// works from any folder of any static host, and offline straight from the disk (file://, where browsers
// refuse to load module scripts from separate files). The workspace packages are resolved from source.
import { defineConfig, type Plugin } from 'vite';

/** Inlines the entry chunk and the CSS into index.html and drops them from the output. */
function inlineIntoHtml(): Plugin {
  return {
    name: 'vmsim-inline-into-html',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = bundle['index.html'];
      if (html === undefined || html.type !== 'asset') return;
      let text = String(html.source);
      for (const [file, item] of Object.entries(bundle)) {
        const script = new RegExp(`<script type="module" crossorigin src="\\./${file.replace(/[.]/g, '\\.')}"></script>`);
        const style = new RegExp(`<link rel="stylesheet" crossorigin href="\\./${file.replace(/[.]/g, '\\.')}">`);
        if (item.type === 'chunk' && item.isEntry && script.test(text)) {
          // A "</script" inside the code would end the element early.
          const code = item.code.replace(/<\/script/gi, '<\\/script');
          text = text.replace(script, () => `<script type="module">${code}</script>`);
          delete bundle[file];
        } else if (item.type === 'asset' && file.endsWith('.css') && style.test(text)) {
          text = text.replace(style, () => `<style>${String(item.source)}</style>`);
          delete bundle[file];
        }
      }
      html.source = text;
    },
  };
}

export default defineConfig({
  base: './',
  // Setting conditions drops Vite's defaults, so they are repeated after the source condition.
  resolve: { conditions: ['@vmsim/source', 'module', 'browser', 'development|production'] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, modulePreload: false, assetsInlineLimit: 100_000 },
  server: { fs: { allow: ['../..'] } },
  plugins: [inlineIntoHtml()],
});
