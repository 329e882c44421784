// Runs the first ```ts block of a package README, so every README example is a test. Imports from the
// given packages are replaced by the modules the test passes in; console.log output is captured,
// formatted as Node's console would print it.

import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { transformSync } from 'esbuild';

export async function runReadmeExample(readmePath: string, modules: Record<string, unknown>): Promise<string[]> {
  const readme = readFileSync(readmePath, 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error(`${readmePath} has no \`\`\`ts example`);
  let source = block[1]!;
  const bindings: string[] = [];
  source = source.replace(/^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';?\s*$/gm, (_all, typeOnly: string | undefined, names: string, from: string) => {
    if (!(from in modules)) throw new Error(`README imports ${from}, which the test did not provide`);
    if (typeOnly === undefined) bindings.push(`const {${names.replace(/\btype\s+\w+,?/g, '')}} = __modules[${JSON.stringify(from)}];`);
    return '';
  });
  const js = transformSync(bindings.join('\n') + '\n' + source, { loader: 'ts', format: 'esm' }).code;
  const lines: string[] = [];
  const fakeConsole = { ...console, log: (...args: unknown[]) => lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')) };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('__modules', 'console', js)(modules, fakeConsole);
  return lines;
}
