// The hardware models vmsim knows by name ('x86-32', 'sv32', 'x86-64', 'sv39'): one list for every layer
// (the simulator's `model` option, the CLI's `--hw`), each name with the options its factory takes.

import { UnknownModelError } from './errors.js';
import { checkModelOptions, type HardwareModel } from './model.js';
import { sv32 } from './sv32.js';
import { sv39 } from './sv39.js';
import { x86_32, type X86_32Options } from './x86-32.js';
import { x86_64, type X86_64Options } from './x86-64.js';

/** The names `modelByName` knows, in the order vmsim lists them (32-bit models first). */
export const MODEL_NAMES = Object.freeze(['x86-32', 'sv32', 'x86-64', 'sv39'] as const);
export type ModelName = (typeof MODEL_NAMES)[number];

/** The options each named model's factory takes (the RISC-V models take none). */
export interface ModelOptionsByName {
  'x86-32': X86_32Options;
  sv32: Readonly<Record<string, never>>;
  'x86-64': X86_64Options;
  sv39: Readonly<Record<string, never>>;
}

/** Is `name` one of MODEL_NAMES? */
export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (MODEL_NAMES as readonly string[]).includes(name);
}

type Factory = (options: unknown) => HardwareModel;

const FACTORIES: Readonly<Record<ModelName, Factory>> = {
  'x86-32': (options) => x86_32(options as X86_32Options | undefined),
  sv32: (options) => {
    checkModelOptions('sv32', options, {});
    return sv32();
  },
  'x86-64': (options) => x86_64(options as X86_64Options | undefined),
  sv39: (options) => {
    checkModelOptions('sv39', options, {});
    return sv39();
  },
};

/**
 * A fresh model by name, with its factory's options: `modelByName('x86-64', { pcid: true })` is
 * `x86_64({ pcid: true })`. Throws UnknownModelError for a name not in MODEL_NAMES, and HwArgumentError for
 * options the model does not take.
 */
export function modelByName<N extends ModelName>(name: N, options?: ModelOptionsByName[N]): HardwareModel {
  if (!isModelName(name)) throw new UnknownModelError(name, MODEL_NAMES);
  return FACTORIES[name](options);
}
