// The options every vmsim command shares, and the printer that writes results as text or JSON lines.

import { MODEL_NAMES, type ModelName } from '@vmsim/sim-api';
import type { Io } from './io.js';
import type { Printer } from '@vmsim/sim-api/script';

/** The paging hardware `--hw` can name: every model @vmsim/hw ships (sim-api's MODEL_NAMES). */
export const MODELS: readonly ModelName[] = MODEL_NAMES;

export interface CliOptions {
  readonly model: ModelName;
  readonly ramBytes: number | undefined;
  readonly verbose: boolean;
  readonly json: boolean;
  readonly stats: boolean;
}

/** Writes text lines, or one JSON object per line (bigints as decimal strings), to standard output. */
export function makePrinter(json: boolean, io: Io): Printer {
  return {
    json,
    line: (text) => io.stdout(text),
    record: (value) => io.stdout(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))),
  };
}
