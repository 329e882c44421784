// The shareable link: the script and the options (model, RAM size, step) carried in the URL's hash, so a
// link opens the app with the same script at the same step, and needs no server.

import { MODEL_NAMES, type ModelName } from '@vmsim/sim-api';

export interface SharedState {
  readonly script: string;
  readonly model: ModelName;
  /** RAM size in bytes; undefined for the default. */
  readonly ramBytes: number | undefined;
  /** Commands run when the link opens. */
  readonly step: number;
}

/** The hash (with its `#`) for a state. */
export function encodeHash(state: SharedState): string {
  const params = new URLSearchParams();
  params.set('hw', state.model);
  if (state.ramBytes !== undefined) params.set('ram', String(state.ramBytes));
  if (state.step > 0) params.set('step', String(state.step));
  params.set('script', state.script);
  return `#${params.toString()}`;
}

/**
 * The state a hash carries, or null when it carries no script. A model or RAM size it cannot use falls
 * back to the default, a bad step to 0.
 */
export function decodeHash(hash: string): SharedState | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const script = params.get('script');
  if (script === null) return null;
  const hw = params.get('hw');
  const model: ModelName = hw !== null && (MODEL_NAMES as readonly string[]).includes(hw) ? (hw as ModelName) : 'x86-32';
  const ram = Number(params.get('ram') ?? NaN);
  const step = Number(params.get('step') ?? 0);
  return {
    script,
    model,
    ramBytes: Number.isSafeInteger(ram) && ram > 0 ? ram : undefined,
    step: Number.isSafeInteger(step) && step > 0 ? step : 0,
  };
}
