// The real Io: the process streams (standard output buffered), the file system, and readline (which gives the
// REPL its line history; loaded only when standard input is read).

import { BufferedWriter } from '@vmsim/sim-api';
import { quietOnEpipe } from './epipe.js';
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
  // Built-in modules through process.getBuiltinModule, not `import`: an ESM import of node:fs builds its module
  // namespace, which loads Node's streams (~3 ms of every start). process.stdin and process.stderr are made
  // only when first used: a script run never reads standard input, and making a stream (for a terminal,
  // node:tty) costs another 1-5 ms.
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const stdinStream = (): NodeStreams['stdin'] => streams.stdin ?? process.stdin;
  const stdout = streams.stdout ?? process.stdout;
  let stderr = streams.stderr;
  const stderrStream = (): NodeJS.WritableStream => {
    if (stderr === undefined) {
      stderr = process.stderr;
      quietOnEpipe(stderr);
    }
    return stderr;
  };
  const out = new BufferedWriter((chunk) => {
    stdout.write(chunk);
  });
  return {
    stdout: (line) => out.writeLine(line),
    stderr: (line) => {
      out.flush();
      stderrStream().write(`${line}\n`);
    },
    flush: () => out.flush(),
    readFile: (path) => readFileSync(path, 'utf8'),
    lines: (prompt) => ({
      async *[Symbol.asyncIterator]() {
        const { createInterface } = await import('node:readline');
        const terminal = prompt !== undefined && stdinStream().isTTY === true;
        const rl = createInterface({ input: stdinStream(), output: terminal ? stdout : undefined, terminal, historySize: 1000 });
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
    // Asked only by the REPL: a script run never makes process.stdin (nor loads node:tty to ask).
    get interactive() {
      return stdinStream().isTTY === true;
    },
    env: process.env,
  };
}
