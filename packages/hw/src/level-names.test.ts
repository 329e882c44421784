// Level names: each shipped model's, root first; the generic fallback for a model of your own; validation.

import { describe, expect, it } from 'vitest';
import {
  genericLevelNames, LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE, levelNames, type LevelName,
} from './level-names.js';
import { validateModel, type HardwareModel } from './model.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const show = (names: readonly LevelName[]): string[] => names.map((n) => `${n.table}/${n.entry}`);

describe('the shipped models name their levels', () => {
  it.each([
    ['x86-32', x86_32(), ['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']],
    ['x86-32 with PSE', x86_32({ pse: true }), ['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']],
    ['sv32', sv32(), ['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']],
    ['x86-64', x86_64(), ['PML4/PML4E', 'PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']],
    ['x86-64 with PCID', x86_64({ pcid: true }), ['PML4/PML4E', 'PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']],
    ['sv39', sv39(), ['PAGE DIRECTORY/PDE', 'PAGE MIDDLE DIRECTORY/PMDE', 'PAGE TABLE/PTE']],
  ])('%s', (_label, model, expected) => {
    expect(show(model.levelNames!)).toEqual(expected);
    expect(levelNames(model)).toBe(model.levelNames);
    expect(validateModel(model)).toBeNull();
  });

  it('cannot be changed through one model to affect another', () => {
    const names = x86_32().levelNames!;
    expect(Object.isFrozen(names)).toBe(true);
    expect(Object.isFrozen(names[0])).toBe(true);
    expect(() => {
      (names[0] as { table: string }).table = 'HACKED';
    }).toThrow(TypeError);
    expect(sv32().levelNames![0]!.table).toBe('PAGE DIRECTORY');
  });
});

describe('genericLevelNames', () => {
  it('counts the x86 names up from the last level, then numbers the levels above PML5', () => {
    expect(show(genericLevelNames(1))).toEqual(['PAGE TABLE/PTE']);
    expect(show(genericLevelNames(2))).toEqual(['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(show(genericLevelNames(3))).toEqual(['PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(show(genericLevelNames(6))).toEqual([
      'LEVEL 0 TABLE/L0E', 'PML5/PML5E', 'PML4/PML4E', 'PAGE DIRECTORY POINTER TABLE/PDPTE', 'PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE',
    ]);
    expect(genericLevelNames(0)).toEqual([]);
  });
});

describe('levelNames(model)', () => {
  const shaped = (levels: number, names?: readonly LevelName[]): HardwareModel =>
    ({ name: 'toy', levels, ...(names === undefined ? {} : { levelNames: names }) }) as HardwareModel;

  it('uses a model\'s own names when it has one per level', () => {
    const own = [{ table: 'ROOT', entry: 'RE' }, { table: 'LEAF TABLE', entry: 'LE' }];
    expect(levelNames(shaped(2, own))).toBe(own);
  });

  it('falls back to the generic names when a model has none, or not one per level', () => {
    expect(show(levelNames(shaped(2)))).toEqual(['PAGE DIRECTORY/PDE', 'PAGE TABLE/PTE']);
    expect(levelNames(shaped(2, [LEVEL_PAGE_TABLE]))).toEqual([LEVEL_PAGE_DIRECTORY, LEVEL_PAGE_TABLE]);
    expect(show(levelNames(shaped(4)))).toEqual(show(x86_64().levelNames!));
  });
});

describe('validateModel and levelNames', () => {
  const base = x86_32();
  const withNames = (levelNames: unknown): HardwareModel => Object.assign(Object.create(base) as HardwareModel, { levelNames });

  it('accepts a model without names and one with a name per level', () => {
    expect(validateModel(withNames(undefined))).toBeNull();
    expect(validateModel(withNames([{ table: 'A', entry: 'a' }, { table: 'B', entry: 'b' }]))).toBeNull();
  });

  it.each([
    [[LEVEL_PAGE_TABLE], 'one entry per level'],
    [[LEVEL_PAGE_TABLE, LEVEL_PAGE_TABLE, LEVEL_PAGE_TABLE], 'one entry per level'],
    ['PD,PT', 'one entry per level'],
    [[LEVEL_PAGE_DIRECTORY, null], '{ table: string, entry: string }'],
    [[LEVEL_PAGE_DIRECTORY, { table: 'PT' }], '{ table: string, entry: string }'],
    [[{ table: 1, entry: 'x' }, LEVEL_PAGE_TABLE], '{ table: string, entry: string }'],
  ])('rejects levelNames %j', (names, problem) => {
    expect(validateModel(withNames(names))).toContain(problem);
  });
});
