import {
  PTE_R, PTE_U, PTE_V, PTE_W,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { AlreadyMappedError } from '../errors.js';
import { SEGV_MAPERR } from '../codes.js';
import { lastTableSpan, levelSpan, MODELS, newTablesFor, tablesFor } from '../testing/models.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../mm/vma.js';
import { caught, expectSameSnapshot } from '../testing/assertions.js';
import { PAGE, VA, boot, tablesOf, processStats } from '../testing/kernel-helpers.js';

describe.each(MODELS)('register on $name', ({ make: makeModel }) => {
  const anonRw = { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS };

  it('maps the page holding va private, anonymous, read-write, to the zero page read-only', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA + 123);
    expect(k.regions()).toEqual([{ start: VA, end: VA + PAGE, ...anonRw }]);
    expect(k.isRegistered(VA)).toBe(true);
    expect(k.isRegistered(VA + PAGE - 1)).toBe(true);
    expect(k.isRegistered(VA + PAGE)).toBe(false);
    expect(k.isRegistered(VA - 1)).toBe(false);
    const [m] = k.mappings(a.pid);
    expect(m).toMatchObject({ va: VA, pfn: k.zeroPfn, zeroPage: true, cow: false });
    expect(m!.flags & (PTE_V | PTE_R | PTE_U)).toBe(PTE_V | PTE_R | PTE_U);
    expect(m!.flags & PTE_W).toBe(0);
  });

  it('merges with neighbours: adjacent → one region, a gap → two, filling the gap → one', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + 2 * PAGE, ...anonRw }]);
    k.register(VA + 3 * PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + 2 * PAGE, ...anonRw }, { start: VA + 3 * PAGE, end: VA + 4 * PAGE, ...anonRw }]);
    k.register(VA + 2 * PAGE);
    expect(k.regions()).toEqual([{ start: VA, end: VA + 4 * PAGE, ...anonRw }]);
    k.register(VA - PAGE);
    expect(k.regions()).toEqual([{ start: VA - PAGE, end: VA + 4 * PAGE, ...anonRw }]);
    expect(processStats(k, k.current!.pid).regions).toBe(1);
  });

  it('an already registered page throws AlreadyMappedError with pid and va and changes nothing', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    k.register(VA);
    k.register(VA + PAGE);
    const before = k.snapshot();
    for (const va of [VA, VA + 4095, VA + PAGE + 8]) {
      const e = caught(() => k.register(va));
      expect(AlreadyMappedError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ pid: a.pid, va });
    }
    expectSameSnapshot(k.snapshot(), before);
  });

  it('a page no table covers gets the tables its levels need; a page under an existing last-level table, none', () => {
    const model = makeModel();
    const span = lastTableSpan(model);
    const k = boot(makeModel);
    const a = k.spawn();
    const s0 = k.stats().frames;
    // The first page of an empty space needs a table at every level below the root.
    expect(newTablesFor(model, [], VA)).toBe(model.levels - 1);
    k.register(VA);
    const s1 = k.stats().frames;
    expect(s1.pageTables).toBe(s0.pageTables + model.levels - 1);
    expect(s1.free).toBe(s0.free - (model.levels - 1));
    expect(s1.data).toBe(s0.data);
    // The last page the same last-level table covers: nothing new.
    k.register(VA + span - PAGE);
    expect(k.stats().frames).toEqual(s1);
    // The next page after it: a new last-level table (and more when it crosses a higher boundary).
    const registered = [VA, VA + span - PAGE];
    const next = newTablesFor(model, registered, VA + span);
    expect(next).toBeGreaterThanOrEqual(1);
    k.register(VA + span);
    registered.push(VA + span);
    expect(k.stats().frames.pageTables).toBe(s1.pageTables + next);
    // A page under another entry of the root: a new table at every level below the root again.
    const far = VA + 2 * levelSpan(model, 0);
    expect(newTablesFor(model, registered, far)).toBe(model.levels - 1);
    k.register(far);
    registered.push(far);
    const tables = tablesFor(model, registered);
    expect(k.stats().frames.pageTables).toBe(tables); // the only process: its tables are all there are
    expect(tablesOf(k, a.pid)).toHaveLength(tables);
    expect(processStats(k, a.pid).pageTables).toBe(tables);
  });

  it('registers into another process by pid, leaving the running one alone', () => {
    const k = boot(makeModel);
    const a = k.spawn();
    const b = k.spawn();
    k.register(VA, b.pid);
    expect(k.isRegistered(VA, b.pid)).toBe(true);
    expect(k.isRegistered(VA, a.pid)).toBe(false);
    expect(k.store(VA, 4, 1)).toBe(SEGV_MAPERR);
    k.switchTo(b.pid);
    expect(k.store(VA, 4, 1)).toBe(0);
  });
});
