// The whole page in headless Chromium: served by Vite's dev server (a shared link made by the app opens in a
// new page with its script and options), and built by `vite build` (one file that runs offline from disk).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { build, createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
let server: ViteDevServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  // root = packages/web, so its vite.config.ts (with the conditions) applies.
  server = await createServer({ root: here('..'), logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
  url = server.resolvedUrls!.local[0]!;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell' });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the served app', () => {
  it('a link made with Share link opens a new page on the same script, model and step', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    const script = 'ptr v\nregister v\nwrite v unsigned 77\nread v unsigned v holds';
    await page.getByLabel('script editor').fill(script);
    await page.getByRole('button', { name: 'Apply script' }).click();
    await page.getByLabel('hardware model').selectOption('x86-64');
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    await page.getByRole('button', { name: 'Share link' }).click();
    const link = await page.getByLabel('shared link').inputValue();
    expect(link).toContain('#hw=x86-64');

    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await other.goto(link);
    expect(await other.getByLabel('script editor').inputValue()).toBe(script);
    expect(await other.getByLabel('hardware model').inputValue()).toBe('x86-64');
    expect(await other.getByLabel('steps', { exact: true }).textContent()).toBe('3');
    expect(await other.locator('.proc .level-name').first().textContent()).toBe('PML4');
    await other.getByRole('button', { name: 'Step', exact: true }).click();
    expect(await other.getByLabel('output').textContent()).toContain('v holds: 77');
    await page.close();
    await other.close();
  });
});

describe('the built app', () => {
  it('is one file that runs offline from disk', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vmsim-web-'));
    try {
      await build({ root: here('..'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
      const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(join(out, 'index.html')).href);
      await page.getByRole('button', { name: 'Run to end' }).click();
      await expect.poll(() => page.getByLabel('output').textContent()).toContain('a in the parent after the child exited: 43');
      // The trace page offline too: the bundled sample, gunzipped and run in the inlined worker, and its curves.
      await page.getByRole('tab', { name: 'Traces' }).click();
      await page.getByRole('button', { name: 'Load sample', exact: true }).click();
      await page.getByRole('button', { name: 'Run policies', exact: true }).click();
      await expect.poll(() => page.locator('table.trace-table tbody tr').count()).toBe(15);
      expect(await page.getByLabel('trace summary').textContent()).toContain('40000 references to 30 pages of 4096 bytes; ran in a Web Worker');
      await expect.poll(() => page.locator('figure[aria-label="miss-ratio curves"] svg .mark-line path').count()).toBe(3);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
