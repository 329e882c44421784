// The app in a real headless Chromium: the COW tour's copy-on-write seen in the DOM (frame reference counts,
// the child's and the parent's PTE bits), step back, the model picker's level names, and a shared link.
import { afterEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { encodeHash } from '../share.js';
import { mountApp, unmountApp } from './app.js';
import './styles.css';

let root: HTMLElement | null = null;

function mount(hash = ''): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  mountApp(root, hash);
  return root;
}

afterEach(() => {
  if (root !== null) {
    unmountApp(root);
    root.remove();
    root = null;
  }
});

async function steps(n: number): Promise<void> {
  const step = page.getByRole('button', { name: 'Step', exact: true });
  for (let i = 0; i < n; i++) await step.click();
}

/** The set bits of the leaf entry (last level, index 0) of `pid`. */
function leafBits(el: HTMLElement, pid: number, level = 1): string[] {
  const entry = el.querySelector(`.pt-entry[data-pid="${pid}"][data-level="${level}"][data-index="0"]`);
  if (entry === null) throw new Error(`no leaf entry for pid ${pid}`);
  return entry.getAttribute('data-bits')!.split(' ');
}

function dataFrames(el: HTMLElement): [number, number][] {
  return [...el.querySelectorAll('.frame[data-kind="data"]')].map((f) => [Number(f.getAttribute('data-pfn')), Number(f.getAttribute('data-refcount'))]);
}

describe('the web app', () => {
  it('opens on the COW tour; after the COW write the frames and both PTEs show the copy, and Back undoes it', async () => {
    const el = mount();
    await expect.element(page.getByLabelText('script editor')).toHaveValue(expect.stringContaining('A tour of copy-on-write'));
    await expect.element(page.getByLabelText('steps', { exact: true })).toHaveTextContent('0');
    // To just before `write a unsigned 42` in the child: fork done, the data frame shared.
    await steps(10);
    await expect.element(page.getByLabelText('steps', { exact: true })).toHaveTextContent('10');
    expect(dataFrames(el)).toEqual([[3, 2]]);
    expect(el.querySelector('.frame[data-pfn="3"]')!.classList.contains('shared')).toBe(true);
    expect(leafBits(el, 0)).toContain('COW');
    expect(leafBits(el, 0)).not.toContain('R/W');
    expect(leafBits(el, 1)).toContain('COW');
    expect(leafBits(el, 1)).not.toContain('R/W');

    // The COW write: the child gets its own writable copy; the parent's frame drops to one reference.
    await steps(1);
    await expect.element(page.getByTestId('fault')).toHaveTextContent('COW copy');
    expect(dataFrames(el)).toEqual([[3, 1], [6, 1]]);
    expect(leafBits(el, 1)).toEqual(['P', 'R/W', 'U/S', 'A', 'D']);
    expect(leafBits(el, 0)).toContain('COW');
    expect(el.querySelectorAll('.walk .walk-level.changed').length).toBeGreaterThan(0);
    // Mid-walk: the walk of the COW write just drawn. docs/web-screenshot.png is a copy of this file.
    await page.screenshot({ path: '../../.screenshots/cow-write.png' });

    // Back: exactly the state before the write.
    await page.getByRole('button', { name: 'Back' }).click();
    await expect.element(page.getByLabelText('steps', { exact: true })).toHaveTextContent('10');
    expect(dataFrames(el)).toEqual([[3, 2]]);
    expect(leafBits(el, 1)).toContain('COW');
    expect(leafBits(el, 1)).not.toContain('R/W');
  });

  it('switching the hardware model keeps the step and names the levels of the new model', async () => {
    const el = mount();
    await steps(6);
    const names = () => [...new Set([...el.querySelectorAll('.proc .level-name')].map((n) => n.textContent))];
    expect(names()).toEqual(['PAGE DIRECTORY', 'PAGE TABLE']);
    await userEvent.selectOptions(page.getByLabelText('hardware model'), 'x86-64');
    await expect.element(page.getByLabelText('steps', { exact: true })).toHaveTextContent('6');
    expect(names()).toEqual(['PML4', 'PAGE DIRECTORY POINTER TABLE', 'PAGE DIRECTORY', 'PAGE TABLE']);
    expect(leafBits(el, 0, 3)).toEqual(expect.arrayContaining(['P', 'R/W', 'U/S', 'D', 'NX']));
    await userEvent.selectOptions(page.getByLabelText('hardware model'), 'sv39');
    expect(names()).toEqual(['PAGE DIRECTORY', 'PAGE MIDDLE DIRECTORY', 'PAGE TABLE']);
    expect(leafBits(el, 0, 2)).toEqual(expect.arrayContaining(['V', 'R', 'W', 'U', 'D']));
  });

  it('a shared link opens with its script, model, RAM size and step', async () => {
    const script = 'ptr q\nregister q\nwrite q unsigned 5\nread q unsigned q is';
    mount(encodeHash({ script, model: 'sv32', ramBytes: 64 << 10, step: 3 }));
    await expect.element(page.getByLabelText('script editor')).toHaveValue(script);
    await expect.element(page.getByLabelText('hardware model')).toHaveValue('sv32');
    await expect.element(page.getByLabelText('RAM size')).toHaveValue(String(64 << 10));
    await expect.element(page.getByLabelText('steps', { exact: true })).toHaveTextContent('3');
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect.element(page.getByLabelText('output')).toHaveTextContent('q is: 5');
  });

  it('a table of 1,024 entries renders only the rows in sight', async () => {
    const el = mount();
    await steps(4);
    await page.getByRole('button', { name: 'all 1024' }).first().click();
    const list = el.querySelector('[aria-label="PAGE DIRECTORY entries"]')!;
    const rows = list.querySelectorAll('.vrow').length;
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(40);
    list.scrollTop = 512 * 20;
    list.dispatchEvent(new Event('scroll'));
    await expect.poll(() => list.textContent).toContain('[512]');
  });

  it('Run to end runs the whole script; the timeline jumps back', async () => {
    const el = mount();
    await page.getByRole('button', { name: 'Run to end' }).click();
    await expect.element(page.getByLabelText('output')).toHaveTextContent('a in the parent after the child exited: 43');
    const total = el.querySelector('[aria-label="timeline"]') as HTMLInputElement;
    expect(Number(total.max)).toBeGreaterThan(15);
    // The timeline marks the faults the steps took.
    await expect.poll(() => [...el.querySelectorAll('.step .badge')].map((b) => b.textContent)).toContain('cow-reuse');
    await page.getByRole('button', { name: /^9\. / }).click();
    await expect.element(page.getByLabelText('steps', { exact: true })).toHaveTextContent('9');
    expect(el.querySelectorAll('.proc').length).toBe(2);
  });

  it('a step updates every view quickly (the COW tour: well under a frame on a quiet machine)', async () => {
    const el = mount();
    const step = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Step')!;
    const times: number[] = [];
    while (!step.disabled) {
      const t0 = performance.now();
      step.click();
      // Preact renders in a microtask: by the next task the DOM shows the step.
      await new Promise((resolve) => setTimeout(resolve, 0));
      times.push(performance.now() - t0);
    }
    expect(times.length).toBe(21);
    expect(el.querySelector('[aria-label="steps"]')!.textContent).toBe('21');
    times.sort((a, b) => a - b);
    const median = times[times.length >> 1]!;
    console.log(`step + render: median ${median.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
    // 16 ms is the goal; the bound leaves room for a loaded CI machine.
    expect(median).toBeLessThan(100);
  });
});
