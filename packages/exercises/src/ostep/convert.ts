// The OSTEP scripts' `convert(size)`: '16k', '32m', '1g' (either case) or a plain integer, as a byte count.
// Where the script would crash (an empty or non-numeric size) this throws a clean ExerciseArgumentError.

import { ExerciseArgumentError } from '../errors.js';
import { pyInt } from './python-format.js';

const UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/** `convert(text)` as a safe integer (negative allowed: '-1' means "pick at random" in the scripts). */
export function convertSize(script: string, option: string, text: string): number {
  const unit = UNITS[text.slice(-1).toLowerCase()];
  const digits = unit === undefined ? text : text.slice(0, -1);
  const n = text === '' ? null : pyInt(digits);
  if (n === null) throw new ExerciseArgumentError(script, option, text, `option ${option}: invalid size ${JSON.stringify(text)} (expected a number, optionally followed by k, m or g)`);
  const bytes = n * BigInt(unit ?? 1);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER) || bytes < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ExerciseArgumentError(script, option, text, `option ${option}: size ${text} is too large`);
  }
  return Number(bytes);
}

/** An int option's value as a safe integer, or an ExerciseArgumentError naming the option. */
export function safeInt(script: string, option: string, value: bigint, max = Number.MAX_SAFE_INTEGER): number {
  if (value > BigInt(max) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ExerciseArgumentError(script, option, value, `option ${option}: ${value} is too large (at most ${max})`);
  }
  return Number(value);
}

/** The most addresses a script generates in one run: Python would print more, but a browser tab should not. */
export const MAX_ADDRESSES = 1_000_000;
