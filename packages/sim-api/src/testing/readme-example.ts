// Test helper (not exported by the package): runs a TypeScript example from the README as written, with the
// package's own exports in place of its `import { … } from '@vmsim/sim-api'` line.

import { transformSync } from 'esbuild';
import * as api from '../index.js';

/** The body of the README's fenced block that opens with `opening` (for example "```ts replay"). */
export function fencedBlock(readme: string, opening: string): string {
  const at = readme.indexOf(`${opening}\n`);
  if (at < 0) throw new Error(`the README has no block opening with ${opening}`);
  const start = at + opening.length + 1;
  return readme.slice(start, readme.indexOf('```', start));
}

/**
 * Runs `code` with the package's exports bound to the names its import line takes, and `scope`'s entries as
 * further names in scope (a stand-in `process`, say). Throws when the code has no such import line.
 */
export async function runExample(code: string, scope: Record<string, unknown> = {}): Promise<void> {
  const source = code.replace(/^import \{([^}]*)\} from '@vmsim\/sim-api';$/m, 'const {$1} = __api;');
  if (source === code) throw new Error("the example has no `import { … } from '@vmsim/sim-api'` line");
  const js = transformSync(source, { loader: 'ts' }).code;
  const names = Object.keys(scope);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
  await new AsyncFunction('__api', ...names, js)(api, ...names.map((name) => scope[name]));
}

/**
 * Runs `code` as runExample does with the global console.log captured, and returns the lines it printed:
 * the example's own lines and the simulator's (whose default sink is console.log) in one ordered stream.
 */
export async function runExampleLogged(code: string): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]): void => {
    lines.push(args.map(String).join(' '));
  };
  try {
    await runExample(code);
  } finally {
    console.log = log;
  }
  return lines;
}
