// A fake Io for running `main` in-process: it records what the CLI writes, serves script files from a Map
// and standard input from an array. Only the tests import this file (vitest runs `*.test.ts` files only,
// and the build starts from src/index.ts and src/bin.ts, which never import it).

import { main } from '../main.js';
import type { Io } from '../io.js';

export interface FakeIoOptions {
  /** Script files by path. */
  readonly files?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** The lines of standard input. */
  readonly stdin?: readonly string[];
  /** Pretend standard input is a terminal. */
  readonly interactive?: boolean;
}

export interface FakeIo extends Io {
  /** Every stdout line, in order. */
  readonly out: string[];
  /** Every stderr line, in order. */
  readonly err: string[];
  /** The prompt of each `lines()` call (undefined when none was given). */
  readonly prompts: (string | undefined)[];
}

export function fakeIo(options: FakeIoOptions = {}): FakeIo {
  const files = options.files instanceof Map ? options.files : new Map(Object.entries(options.files ?? {}));
  const stdin = [...(options.stdin ?? [])];
  const out: string[] = [];
  const err: string[] = [];
  const prompts: (string | undefined)[] = [];
  return {
    out,
    err,
    prompts,
    stdout: (line) => {
      out.push(line);
    },
    stderr: (line) => {
      err.push(line);
    },
    readFile: (path) => {
      const text = files.get(path);
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      }
      return text;
    },
    lines: (prompt) => {
      prompts.push(prompt);
      return {
        async *[Symbol.asyncIterator]() {
          // Yield to the event loop between lines, as a real stream does.
          for (const line of stdin) {
            await Promise.resolve();
            yield line;
          }
        },
      };
    },
    interactive: options.interactive ?? false,
    env: {},
  };
}

export interface RunResult {
  readonly code: number;
  /** stdout lines */
  readonly out: string[];
  /** stderr lines */
  readonly err: string[];
}

/** The file name scripts get in `runText`, so error messages read `test.vmsim:N: ...`. */
export const SCRIPT = 'test.vmsim';

/** Runs `vmsim [...options] run test.vmsim` on `script` (lines joined with \n when given as an array). */
export async function runText(script: string | readonly string[], options: readonly string[] = []): Promise<RunResult> {
  const text = typeof script === 'string' ? script : script.join('\n');
  const io = fakeIo({ files: { [SCRIPT]: text } });
  const code = await main([...options, 'run', SCRIPT], io);
  return { code, out: io.out, err: io.err };
}

/** Runs `vmsim [...argv]` with the given Io options. */
export async function runMain(argv: readonly string[], options: FakeIoOptions = {}): Promise<RunResult & { io: FakeIo }> {
  const io = fakeIo(options);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err, io };
}

/** Runs `vmsim [...options] repl` with the given lines on standard input. */
export async function runRepl(input: readonly string[], options: readonly string[] = [], interactive = false): Promise<RunResult & { io: FakeIo }> {
  return runMain([...options, 'repl'], { stdin: input, interactive });
}

/** A trace of Error.stack: "    at fn (file:line:col)". */
export const STACK_FRAME = '    at ';
