// The real Io: the process streams (standard output buffered), the file system, and readline (which gives the
// REPL its line history; loaded only when standard input is read).

import { readFileSync } from 'node:fs';
import { BufferedWriter } from '@vmsim/sim-api';
import type { Io } from './io.js';

/** The streams `nodeIo` talks to (the process's own by default; tests pass their own). */
export interface NodeStreams {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Standard output goes through a BufferedWriter: lines are written in large chunks, in order. It is flushed
 * before anything goes to standard error, before each line of standard input is awaited (so a prompt, or a
 * program driving the REPL through a pipe, sees the output of the previous line first), and by `flush()`,
 * which `main` calls when it ends.
 */
export function nodeIo(streams: Partial<NodeStreams> = {}): Io {
  const stdin = streams.stdin ?? process.stdin;
  const stdout = streams.stdout ?? process.stdout;
  const stderr = streams.stderr ?? process.stderr;
  const out = new BufferedWriter((chunk) => {
    stdout.write(chunk);
  });
  const interactive = stdin.isTTY === true;
  return {
    stdout: (line) => out.writeLine(line),
    stderr: (line) => {
      out.flush();
      stderr.write(`${line}\n`);
    },
    flush: () => out.flush(),
    readFile: (path) => readFileSync(path, 'utf8'),
    lines: (prompt) => ({
      async *[Symbol.asyncIterator]() {
        const { createInterface } = await import('node:readline');
        const terminal = prompt !== undefined && interactive;
        const rl = createInterface({ input: stdin, output: terminal ? stdout : undefined, terminal, historySize: 1000 });
        if (terminal) rl.setPrompt(prompt);
        const it = rl[Symbol.asyncIterator]();
        try {
          for (;;) {
            out.flush();
            if (terminal) rl.prompt();
            const next = await it.next();
            if (next.done === true) return;
            yield next.value;
          }
        } finally {
          rl.close();
        }
      },
    }),
    interactive,
    env: process.env,
  };
}
