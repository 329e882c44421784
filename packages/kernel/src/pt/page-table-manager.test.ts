import { PT_PRESENT, PT_USER_ACCESSIBLE, PT_WRITABLE } from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { Kernel } from '../kernel.js';
import { caught } from '../testing/assertions.js';
import { ASID_MODELS, withAsidBits } from '../testing/models.js';
import { PageTableManager } from './page-table-manager.js';

const PWU = PT_PRESENT | PT_WRITABLE | PT_USER_ACCESSIBLE;
const VA = 0x40000000;

describe.each(ASID_MODELS)('PageTableManager on $name', ({ make }) => {
  const model = make();
  const hasAsids = model.asidBits > 0;

  function setup() {
    const kernel = new Kernel({ model: make(), checkInvariants: true });
    const m = kernel.pageTableManager();
    const a = m.create();
    const b = m.create();
    a.map(VA, 0x10000, PWU);
    b.map(VA, 0x20000, PWU);
    return { kernel, m, a, b };
  }

  it('switching loads the root register with the table root and its ASID', () => {
    const { m, a, b } = setup();
    m.switchTo(a);
    expect(m.active).toBe(a);
    expect(m.mmu.rootRegister()).toBe(model.encodeRoot(a.rootPfn, Math.max(0, m.asidOfTable(a))));
    m.switchTo(b);
    expect(m.mmu.rootRegister()).toBe(model.encodeRoot(b.rootPfn, Math.max(0, m.asidOfTable(b))));
    if (hasAsids) {
      expect(m.asidOfTable(a)).toBe(0);
      expect(m.asidOfTable(b)).toBe(1);
    } else {
      expect(m.asidOfTable(a)).toBe(-1);
    }
  });

  it(hasAsids ? 'keeps the other table’s entries on a switch (ASID tags)' : 'flushes the TLB on every switch (MOV CR3 without PCID)', () => {
    const { m, a, b } = setup();
    m.switchTo(a);
    expect(m.translate(VA + 4, 'read', true)).toBe(0x10004);
    expect(m.tlbStats()).toMatchObject({ misses: 1, hits: 0, entries: 1 });
    expect(m.translate(VA + 8, 'read', true)).toBe(0x10008);
    expect(m.tlbStats()).toMatchObject({ misses: 1, hits: 1 });
    const flushes = m.tlbStats().flushes;
    m.switchTo(b);
    // Never the other table's translation.
    expect(m.translate(VA + 4, 'read', true)).toBe(0x20004);
    expect(m.tlbStats().misses).toBe(2);
    m.switchTo(a);
    expect(m.translate(VA + 4, 'read', true)).toBe(0x10004);
    if (hasAsids) {
      expect(m.tlbStats()).toMatchObject({ misses: 2, flushes, entries: 2 });
    } else {
      expect(m.tlbStats()).toMatchObject({ misses: 3, flushes: flushes + 2, entries: 1 });
    }
  });

  it('flushPage and flushAll drop cached translations; the next access walks again', () => {
    const { m, a } = setup();
    m.switchTo(a);
    m.translate(VA, 'read', true);
    m.flushPage(VA + 0x123);
    expect(m.tlbStats().entries).toBe(0);
    m.translate(VA, 'read', true);
    expect(m.tlbStats().misses).toBe(2);
    m.flushAll();
    expect(m.tlbStats().entries).toBe(0);
    m.translate(VA, 'read', true);
    expect(m.tlbStats().misses).toBe(3);
  });

  it('an unmap through a held table flushes its TLB entry, active or not', () => {
    const { m, a, b } = setup();
    m.switchTo(a);
    m.translate(VA, 'read', true);
    a.unmap(VA);
    expect(m.translate(VA, 'read', true)).toBeNull();
    expect(m.lastFault).toBe('not-present');
    m.switchTo(b);
    m.translate(VA, 'read', true);
    m.switchTo(a);
    b.unmap(VA);
    b.map(VA, 0x30000, PWU);
    m.switchTo(b);
    expect(m.translate(VA, 'read', true)).toBe(0x30000);
  });

  it('honours rights: a user write to a read-only page faults with protection', () => {
    const { m, a } = setup();
    a.map(VA + 0x1000, 0x11000, PT_PRESENT | PT_USER_ACCESSIBLE);
    m.switchTo(a);
    expect(m.translate(VA + 0x1000, 'write', true)).toBeNull();
    expect(m.lastFault).toBe('protection');
    expect(m.translate(VA + 0x1000, 'read', true)).toBe(0x11000);
  });

  it('destroying or removing a table lets it go; the active one leaves the register', () => {
    const { kernel, m, a, b } = setup();
    m.switchTo(a);
    m.translate(VA, 'read', true);
    a.destroy();
    expect(m.active).toBeNull();
    expect(m.tables).toEqual([b]);
    expect(caught(() => m.translate(VA, 'read', true))).toBeInstanceOf(InvalidArgumentError);
    m.remove(b);
    expect(m.tables).toEqual([]);
    b.map(VA + 0x1000, 0, PT_PRESENT);
    const other = kernel.pageTableManager();
    other.add(b);
    expect(caught(() => m.add(b))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => m.switchTo(b))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => other.add(b))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => other.switchTo(a))).toBeInstanceOf(InvalidArgumentError);
    const foreign = new Kernel({ model: make() }).createPageTable();
    expect(caught(() => other.add(foreign))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => other.translate(VA, 'fly' as 'read'))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => new PageTableManager({} as Kernel))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('PageTableManager with more tables than ASIDs', () => {
  it('takes an ASID from an inactive table, flushing it, and still translates each table correctly', () => {
    const kernel = new Kernel({ model: withAsidBits(ASID_MODELS[1]!.make(), 1) });
    const m = kernel.pageTableManager();
    const tables = [m.create(), m.create(), m.create()];
    tables.forEach((t, i) => t.map(VA, 0x10000 * (i + 1), PWU));
    for (let round = 0; round < 3; round++) {
      tables.forEach((t, i) => {
        m.switchTo(t);
        expect(m.translate(VA + 1, 'read', true)).toBe(0x10000 * (i + 1) + 1);
      });
    }
    const asids = tables.map((t) => m.asidOfTable(t)).filter((a) => a >= 0);
    expect(new Set(asids).size).toBe(asids.length);
    expect(asids.length).toBe(2);
  });
});
