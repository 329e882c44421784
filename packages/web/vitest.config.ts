// Component tests of the web app in a real headless Chromium (Debian's chromium-headless-shell, driven by
// Playwright): *.browser.test.ts(x). The view models' unit tests run in Node (vitest.unit.config.ts).
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell';

export default defineProject({
  // Not inherited from the root config; setting conditions drops Vite's defaults, so they are repeated.
  resolve: { conditions: ['@vmsim/source', 'module', 'browser', 'development|production'] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    name: 'web',
    include: ['src/**/*.browser.test.{ts,tsx}'],
    browser: {
      enabled: true,
      headless: true,
      viewport: { width: 1280, height: 900 },
      provider: playwright({ launchOptions: { executablePath } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
