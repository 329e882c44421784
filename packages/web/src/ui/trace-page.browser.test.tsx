// The trace page in a real headless Chromium: load the bundled sample, run fifo, lru and opt at five frame
// counts in the worker, and check the table's numbers equal those @vmsim/replacement computed in node for the
// same trace (sample-expected.json, which the node test checks against a fresh computation), and that the
// miss-ratio curves are drawn as SVG.
import { afterEach, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import expected from '../trace/sample-expected.json';
import { mountApp, unmountApp } from './app.js';
import './styles.css';

let root: HTMLElement | null = null;

afterEach(() => {
  if (root !== null) {
    unmountApp(root);
    root.remove();
    root = null;
  }
});

function tableRows(el: HTMLElement): string[][] {
  return [...el.querySelectorAll('table.trace-table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));
}

it('runs the sample trace and shows the policies\' numbers and their curves', async () => {
  root = document.createElement('div');
  document.body.append(root);
  mountApp(root, '');
  await page.getByRole('tab', { name: 'Traces' }).click();
  await page.getByRole('button', { name: 'Load sample', exact: true }).click();
  await expect.element(page.getByLabelText('trace name')).toHaveTextContent('sample.lackey.gz (20236 bytes)');
  // fifo, lru and opt are the default choice; the frames field is set here all the same.
  await page.getByRole('textbox', { name: 'frame counts' }).fill('2,4,8,16,32');
  for (const p of ['fifo', 'lru', 'opt']) await expect.element(page.getByRole('checkbox', { name: p, exact: true })).toBeChecked();
  await expect.element(page.getByRole('checkbox', { name: 'clock', exact: true })).not.toBeChecked();
  await page.getByRole('button', { name: 'Run policies', exact: true }).click();

  await expect.element(page.getByRole('table', { name: 'trace table' })).toBeVisible();
  await expect.element(page.getByLabelText('trace summary')).toHaveTextContent('lackey format, 40000 lines, 40000 references');
  await expect.element(page.getByLabelText('trace summary')).toHaveTextContent('ran in a Web Worker');
  const rows = tableRows(root);
  expect(rows).toEqual(
    expected.map((r) => [r.policy, String(r.frames), String(r.references), String(r.hits), String(r.misses), ((100 * r.misses) / r.references).toFixed(2), String(r.writebacks)]),
  );
  expect(rows).toHaveLength(15);

  // The curves: one SVG line per policy, and the axis titles of the shared spec.
  const chart = root.querySelector('figure[aria-label="miss-ratio curves"]')!;
  await expect.poll(() => chart.querySelectorAll('svg .mark-line path').length).toBe(3);
  const svgText = chart.querySelector('svg')!.textContent ?? '';
  expect(svgText).toContain('miss ratio (log scale)');
  expect(svgText).toContain('sample.lackey.gz: miss ratio by frames (4096-byte pages)');
  for (const p of ['fifo', 'lru', 'opt']) expect(svgText).toContain(p);
  await page.screenshot({ path: '../../.screenshots/trace-page.png' });
});

it('rejects a bad frames list without running, and keeps the simulator tab as it was', async () => {
  root = document.createElement('div');
  document.body.append(root);
  mountApp(root, '');
  await page.getByRole('tab', { name: 'Traces' }).click();
  await page.getByRole('button', { name: 'Load sample', exact: true }).click();
  await expect.element(page.getByLabelText('trace name')).toHaveTextContent('sample.lackey.gz');
  await page.getByRole('textbox', { name: 'frame counts' }).fill('8-2');
  await page.getByRole('button', { name: 'Run policies', exact: true }).click();
  await expect.element(page.getByRole('alert')).toHaveTextContent('frames must be a range that ends after it starts');
  expect(root.querySelector('table.trace-table')).toBeNull();
  await page.getByRole('tab', { name: 'Simulator' }).click();
  await expect.element(page.getByRole('button', { name: 'Step', exact: true })).toBeVisible();
});

it('runs a plain hex R/W file picked by the user, with the policy and format chosen', async () => {
  root = document.createElement('div');
  document.body.append(root);
  mountApp(root, '');
  await page.getByRole('tab', { name: 'Traces' }).click();
  // Pages 1, 2, 3, 1, 2, 3 of 4 KiB; page 2 written first, page 3 last.
  const text = '0x1000 R\n0x2000 W\n0x3000 R\n0x1000 R\n0x2000 R\n0x3000 W\n';
  await userEvent.upload(page.getByLabelText('trace file picker'), new File([text], 'tiny.hexrw', { type: 'text/plain' }));
  await expect.element(page.getByLabelText('trace name')).toHaveTextContent(`tiny.hexrw (${text.length} bytes)`);
  for (const p of ['fifo', 'opt']) await page.getByRole('checkbox', { name: p, exact: true }).click();
  await page.getByRole('textbox', { name: 'frame counts' }).fill('2-3');
  await page.getByRole('combobox', { name: 'trace format' }).selectOptions('hex-rw');
  await page.getByRole('button', { name: 'Run policies', exact: true }).click();
  await expect.element(page.getByLabelText('trace summary')).toHaveTextContent('hex-rw format, 6 lines, 6 references to 3 pages of 4096 bytes');
  // LRU with 2 frames misses every time (dirty page 2 is evicted by the second 1: one write-back); with 3,
  // only the first three miss and nothing is evicted.
  expect(tableRows(root)).toEqual([
    ['lru', '2', '6', '0', '6', '100.00', '1'],
    ['lru', '3', '6', '3', '3', '50.00', '0'],
  ]);
  await expect.poll(() => root!.querySelectorAll('figure[aria-label="miss-ratio curves"] svg .mark-line path').length).toBe(1);
});

it('takes a file dropped on the trace panel', async () => {
  root = document.createElement('div');
  document.body.append(root);
  mountApp(root, '');
  await page.getByRole('tab', { name: 'Traces' }).click();
  const zone = root.querySelector('section[aria-label="trace file"]')!;
  const data = new DataTransfer();
  data.items.add(new File(['1\n2\n1\n'], 'dropped.pages', { type: 'text/plain' }));
  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
  await expect.poll(() => zone.classList.contains('over')).toBe(true);
  zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  await expect.element(page.getByLabelText('trace name')).toHaveTextContent('dropped.pages (6 bytes)');
  expect(zone.classList.contains('over')).toBe(false);
  await page.getByRole('textbox', { name: 'frame counts' }).fill('1');
  await page.getByRole('button', { name: 'Run policies', exact: true }).click();
  await expect.element(page.getByLabelText('trace summary')).toHaveTextContent('pages format, 3 lines, 3 references to 2 pages');
  // One frame: every reference misses, for every policy.
  expect(tableRows(root).map((r) => r.slice(1, 5))).toEqual([['1', '3', '0', '3'], ['1', '3', '0', '3'], ['1', '3', '0', '3']]);
});

it('shows progress while a long run goes on in the worker, and Cancel stops it', async () => {
  root = document.createElement('div');
  document.body.append(root);
  mountApp(root, '');
  await page.getByRole('tab', { name: 'Traces' }).click();
  await page.getByRole('button', { name: 'Load sample', exact: true }).click();
  await expect.element(page.getByLabelText('trace name')).toHaveTextContent('sample.lackey.gz');
  for (const p of ['mru', 'random', 'clock', 'nru', 'aging', 'wsclock', 'lfu', 'arc']) await page.getByRole('checkbox', { name: p, exact: true }).click();
  await page.getByRole('textbox', { name: 'frame counts' }).fill('1-256');
  await page.getByRole('button', { name: 'Run policies', exact: true }).click();
  // 11 policies × 256 frame counts: the worker reports its runs while the page stays live.
  await expect.element(page.getByLabelText('trace progress text')).toHaveTextContent(/running \d+ of 2816/);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect.element(page.getByRole('alert')).toHaveTextContent('cancelled');
  expect(root.querySelector('[aria-label="trace progress"]')).toBeNull();
  expect(root.querySelector('table.trace-table')).toBeNull();
  await expect.element(page.getByRole('button', { name: 'Run policies', exact: true })).toBeEnabled();
});
