import {
  PTE_W,
} from '@vmsim/hw';
import { describe, expect, it } from 'vitest';
import { KernelInvariantError } from './errors.js';
import { FRAME_DATA } from './mm/frame-allocator.js';
import { Kernel } from './kernel.js';
import { MODELS } from './testing/models.js';
import { caught } from './testing/assertions.js';
import { PAGE, VA, boot, pfnOf } from './testing/kernel-helpers.js';

describe.each(MODELS)('checkInvariants on $name', ({ make: makeModel }) => {
  function machine(): { k: Kernel; frame: number } {
    const k = boot(makeModel, { checkInvariants: false });
    const a = k.spawn();
    k.register(VA);
    k.store(VA, 4, 1);
    k.fork();
    k.checkInvariants();
    return { k, frame: pfnOf(k, VA, a.pid) };
  }

  const problem = (k: Kernel): string[] => {
    const e = caught(() => k.checkInvariants());
    expect(KernelInvariantError.isInstance(e)).toBe(true);
    return (e as KernelInvariantError).problems as string[];
  };

  it('catches a reference count that disagrees with the mappings', () => {
    const { k, frame } = machine();
    k.frames.refCounts[frame] = 3;
    expect(problem(k).some((s) => s.includes(`data frame ${frame}`))).toBe(true);
  });

  it('catches a written zero page', () => {
    const { k } = machine();
    k.ram.write8(k.zeroPfn * PAGE + 9, 1);
    expect(problem(k)).toContain('the zero page is not all zeros');
  });

  it('catches a shared private page mapped writable', () => {
    const { k, frame } = machine();
    const space = k.current!.space!;
    const leaf = space.leaf(VA);
    space.setLeaf(leaf.entryPa, frame, leaf.flags | PTE_W);
    expect(problem(k).some((s) => s.includes(`shared frame ${frame} writable`))).toBe(true);
  });

  it('catches a mapping outside every region and a table count that is off', () => {
    const { k } = machine();
    k.current!.space!.vmas.remove(VA, VA + PAGE);
    k.current!.space!.tables++;
    const problems = problem(k);
    expect(problems.some((s) => s.includes('outside every region'))).toBe(true);
    expect(problems.some((s) => s.includes('tables but has'))).toBe(true);
  });

  it('with the option on, a corrupted state is reported by the next operation', () => {
    const k = boot(makeModel);
    k.spawn();
    k.register(VA);
    k.frames.refCounts[k.zeroPfn] = 7;
    expect(KernelInvariantError.isInstance(caught(() => k.register(VA + PAGE)))).toBe(true);
  });

  it('catches a mapping of a frame never handed out (past the books\' high-water mark) and one outside RAM', () => {
    const { k } = machine();
    const space = k.current!.space!;
    const leaf = space.leaf(VA);
    const never = k.frames.highWater + 3;
    space.setLeaf(leaf.entryPa, never, leaf.flags);
    expect(problem(k)).toContain(`frame ${never} is free and mapped`);
    space.setLeaf(leaf.entryPa, k.frames.total + 1, leaf.flags);
    expect(problem(k).some((s) => s.includes(`frame ${k.frames.total + 1} is mapped but lies outside RAM`))).toBe(true);
  });

  it('a frame of kind data is what every written page maps', () => {
    const { k, frame } = machine();
    expect(k.frames.kindOf(frame)).toBe(FRAME_DATA);
  });
});
