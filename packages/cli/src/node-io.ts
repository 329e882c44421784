// The real Io: process streams, the file system and readline (which gives the REPL its line history).

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Io } from './io.js';

export function nodeIo(): Io {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    readFile: (path) => readFileSync(path, 'utf8'),
    lines: (prompt) => ({
      async *[Symbol.asyncIterator]() {
        const terminal = prompt !== undefined && process.stdin.isTTY === true;
        const rl = createInterface({ input: process.stdin, output: terminal ? process.stdout : undefined, terminal, historySize: 1000 });
        if (terminal) rl.setPrompt(prompt);
        const it = rl[Symbol.asyncIterator]();
        try {
          for (;;) {
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
    interactive: process.stdin.isTTY === true,
    env: process.env,
  };
}
