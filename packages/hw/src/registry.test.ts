// The model registry: every name round-trips to its model, options reach the factory, unknown names and bad
// options fail with typed errors that list what is known.

import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HwArgumentError, UnknownModelError, VmsimError } from './errors.js';
import * as hw from './index.js';
import { levelNames } from './level-names.js';
import { validateModel } from './model.js';
import { isModelName, MODEL_NAMES, modelByName, type ModelName } from './registry.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { expectArgumentError, thrown } from './testing/argument-errors.js';
import { x86_32 } from './x86-32.js';
import { x86_64 } from './x86-64.js';

const FACTORIES = { 'x86-32': () => x86_32(), sv32, 'x86-64': () => x86_64(), sv39 };
const SHAPES: Record<ModelName, { levels: number; vaBits: number; entryBytes: number }> = {
  'x86-32': { levels: 2, vaBits: 32, entryBytes: 4 },
  sv32: { levels: 2, vaBits: 32, entryBytes: 4 },
  'x86-64': { levels: 4, vaBits: 48, entryBytes: 8 },
  sv39: { levels: 3, vaBits: 39, entryBytes: 8 },
};

describe('MODEL_NAMES', () => {
  it('lists the four shipped models, 32-bit first, and cannot be changed', () => {
    expect(MODEL_NAMES).toEqual(['x86-32', 'sv32', 'x86-64', 'sv39']);
    expect(Object.isFrozen(MODEL_NAMES)).toBe(true);
    expect(() => (MODEL_NAMES as unknown as string[]).push('toy')).toThrow(TypeError);
  });
});

describe.each(MODEL_NAMES)('modelByName(%s)', (name) => {
  it('round-trips: the model it returns carries that name and the shape of its factory', () => {
    const model = modelByName(name);
    expect(model.name).toBe(name);
    expect({ levels: model.levels, vaBits: model.vaBits, entryBytes: model.entryBytes }).toEqual(SHAPES[name]);
    expect(validateModel(model)).toBeNull();
    const direct = FACTORIES[name]();
    for (const key of ['levels', 'pageShift', 'indexBits', 'entryBytes', 'vaBits', 'maxPfn', 'asidBits', 'supportedFlags'] as const) {
      expect(model[key]).toEqual(direct[key]);
    }
    expect(model.levelNames).toEqual(direct.levelNames);
  });

  it('has one level name per level', () => {
    const model = modelByName(name);
    expect(model.levelNames).toHaveLength(model.levels);
    expect(levelNames(model)).toBe(model.levelNames);
  });

  it('makes a fresh model on every call', () => {
    expect(modelByName(name)).not.toBe(modelByName(name));
  });

  it('is a known name', () => {
    expect(isModelName(name)).toBe(true);
  });
});

describe('modelByName options', () => {
  it('passes x86 options to the factory', () => {
    expect(modelByName('x86-64', { pcid: true }).asidBits).toBe(12);
    expect(modelByName('x86-64').asidBits).toBe(0);
    expect(modelByName('x86-64', { physBits: 36 }).maxPfn).toBe(2 ** 24 - 1);
    // A 4 MiB leaf at level 0 encodes only with CR4.PSE.
    expect(() => modelByName('x86-32', { pse: true }).encodeLo(0x400, 1, 0, true)).not.toThrow();
    expectArgumentError(() => modelByName('x86-32').encodeLo(0x400, 1, 0, true), 'level');
  });

  it('accepts no options or an empty object for the RISC-V models', () => {
    expect(modelByName('sv32', {}).name).toBe('sv32');
    expect(modelByName('sv39', undefined).name).toBe('sv39');
  });

  it.each([
    ['sv32', { pse: true }, 'option'],
    ['sv39', { pcid: true }, 'option'],
    ['x86-32', { pcid: true }, 'option'],
    ['x86-64', { pse: true }, 'option'],
    ['x86-32', { pse: 'yes' }, 'pse'],
    ['x86-64', { pcid: 1 }, 'pcid'],
    ['x86-64', { physBits: 40.5 }, 'physBits'],
    ['x86-64', { physBits: 60 }, 'physBits'],
    ['x86-32', null, 'options'],
    ['sv39', [], 'options'],
    ['x86-64', 'pcid', 'options'],
  ] as const)('%s with %j throws HwArgumentError about %s', (name, options, argument) => {
    const error = expectArgumentError(() => modelByName(name as ModelName, options as never), argument);
    expect(error.errno).toBe('EINVAL');
  });

  it('names the options a model takes when given one it does not', () => {
    expect(thrown(() => modelByName('x86-64', { pse: true } as never))).toMatchObject({ value: 'pse', reason: 'x86-64 takes nxe, pge, pcid, physBits' });
    expect(thrown(() => modelByName('sv32', { pse: true } as never))).toMatchObject({ reason: 'sv32 takes no options' });
  });

  it('lets an option be undefined (the default)', () => {
    expect(modelByName('x86-64', { pcid: undefined }).asidBits).toBe(0);
    expect(x86_32({ pse: undefined }).name).toBe('x86-32');
  });
});

describe('unknown model names', () => {
  it.each(['x86', 'X86-32', 'sv48', '', ' sv39', 'toString', 'constructor', '__proto__'])('%j throws UnknownModelError listing the known names', (name) => {
    const error = thrown(() => modelByName(name as ModelName));
    expect(UnknownModelError.isInstance(error)).toBe(true);
    expect(VmsimError.isInstance(error)).toBe(true);
    const e = error as UnknownModelError;
    expect(e.model).toBe(name);
    expect(e.known).toEqual(MODEL_NAMES);
    expect(e.name).toBe('UnknownModelError');
    expect(e.errno).toBe('EINVAL');
    expect(e.message).toBe(`unknown hardware model ${JSON.stringify(name)}: expected one of x86-32, sv32, x86-64, sv39`);
    expect(isModelName(name)).toBe(false);
  });

  it.each([undefined, null, 32, 0n, {}, ['x86-32'], Symbol('sv32')])('a name that is not a string (%s) throws UnknownModelError too', (name) => {
    const error = thrown(() => modelByName(name as unknown as ModelName));
    expect(UnknownModelError.isInstance(error)).toBe(true);
    expect((error as UnknownModelError).model).toBe(name);
    expect(isModelName(name)).toBe(false);
  });

  it('is not an HwArgumentError (one class per kind)', () => {
    expect(HwArgumentError.isInstance(thrown(() => modelByName('toy' as ModelName)))).toBe(false);
  });
});

describe('the README', () => {
  it('runs the registry example and prints what it shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /```ts\n(import \{[^}]*\} from '@vmsim\/hw';\n\nfor \(const name of MODEL_NAMES\)[\s\S]*?)```\n\nIt prints:\n\n```text\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const source = block![1]!.replace(/^import \{([^}]*)\} from '@vmsim\/hw';$/m, 'const {$1} = hw;');
    const lines: string[] = [];
    const log = (...args: unknown[]): void => {
      lines.push(args.join(' '));
    };
    new Function('hw', 'console', transformSync(source, { loader: 'ts' }).code)(hw, { log });
    expect(lines).toEqual(block![2]!.trimEnd().split('\n'));
  });
});
