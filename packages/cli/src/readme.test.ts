// The package README's examples are run, and their shown output checked: every fenced ```vmsim <file> block
// is a script, and the blocks that follow it up to the next script, whose info string is
// `<lang> stdout|stderr [vmsim options]`, are what `vmsim [options] run <file>` prints on that stream. The
// README must also document every command, option, JSON record type and exit code.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPL_HELP } from './commands/repl.js';
import { main } from './main.js';
import { MODELS } from './options.js';
import { fakeIo } from './testing/fake-io.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Fence {
  readonly info: string[];
  readonly body: string;
}

/** The fenced code blocks of a Markdown text, in order. */
function fences(markdown: string): Fence[] {
  const blocks: Fence[] = [];
  const pattern = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = pattern.exec(markdown); m !== null; m = pattern.exec(markdown)) {
    blocks.push({ info: m[1]!.trim().split(/\s+/).filter((w) => w !== ''), body: m[2]! });
  }
  return blocks;
}

interface Example {
  readonly file: string;
  readonly script: string;
  readonly expected: { readonly stream: 'stdout' | 'stderr'; readonly options: string[]; readonly text: string }[];
}

function examples(markdown: string): Example[] {
  const result: { file: string; script: string; expected: Example['expected'][number][] }[] = [];
  for (const fence of fences(markdown)) {
    const [lang, word, ...options] = fence.info;
    if (lang === 'vmsim') {
      result.push({ file: word ?? 'example.vmsim', script: fence.body, expected: [] });
    } else if ((word === 'stdout' || word === 'stderr') && result.length > 0) {
      result[result.length - 1]!.expected.push({ stream: word, options, text: fence.body });
    }
  }
  return result;
}

/** The lines of a fenced block's body (which ends with a newline). */
function lines(body: string): string[] {
  return body === '' ? [] : body.replace(/\n$/, '').split('\n');
}

describe('README examples', () => {
  const found = examples(README);

  it('the README has its examples: a script with its text output, one with JSON, one with an error', () => {
    expect(found.map((e) => e.file)).toEqual(['tour.vmsim', 'json.vmsim', 'high.vmsim', 'bad.vmsim']);
    for (const example of found) expect(example.expected.length).toBeGreaterThan(0);
  });

  for (const example of found) {
    for (const { stream, options, text } of example.expected) {
      it(`${example.file}: \`vmsim ${[...options, 'run', example.file].join(' ')}\` prints the ${stream} shown`, async () => {
        const io = fakeIo({ files: { [example.file]: example.script } });
        const code = await main([...options, 'run', example.file], io);
        expect(stream === 'stdout' ? io.out : io.err).toEqual(lines(text));
        // Any run with something on stderr is a failed run; the others succeed.
        expect(code).toBe(io.err.length > 0 ? 2 : 0);
      });
    }
  }

  it('every stderr block belongs to a run that exits with code 2, and the README says so', () => {
    const bad = found.find((e) => e.expected.some((x) => x.stream === 'stderr'));
    expect(bad).toBeDefined();
    expect(README).toContain(`\`vmsim run ${bad!.file}\`, exit code 2`);
  });

  it('the demo output in the README is the seed README output', async () => {
    const demo = fences(README).find((f) => f.body.startsWith('Value of x: 5\n'));
    expect(demo).toBeDefined();
    const io = fakeIo();
    io.readFile = (path) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
    expect(await main(['run', 'examples/readme.vmsim'], io)).toBe(0);
    expect(io.out).toEqual(lines(demo!.body));
    expect(README).toContain('npx --yes pnpm@10.34.9 vmsim run examples/readme.vmsim');
  });
});

describe('README reference', () => {
  it('documents every script and REPL command', () => {
    for (const line of REPL_HELP) {
      const command = line.split(' ')[0]!;
      if (command === '' || command === 'types:') continue;
      expect(README).toMatch(new RegExp(`\\| \`${command}[ \`]`));
    }
  });

  it('documents every option', () => {
    for (const option of ['--hw <model>', '--ram <size>', '--verbose', '--json', '--stats', '--help', '--version', ...MODELS]) {
      expect(README).toContain(`\`${option}\``);
    }
  });

  it('documents every type', () => {
    for (const type of ['unsigned', 'signed', 'u8', 'u16', 'u32', 'i8', 'i16', 'i32', 'f32', 'f64', 'u64', 'i64']) expect(README).toContain(`\`${type}\``);
  });

  it('documents every JSON record type and its fields', () => {
    const fields: Record<string, string[]> = {
      message: ['text'],
      read: ['target', 'address', 'dataType', 'label', 'value'],
      echo: ['text'],
      stats: ['stats'],
      dump: ['lines'],
      error: ['file', 'line', 'message'],
      help: ['lines'],
      history: ['commands'],
    };
    const section = README.slice(README.indexOf('### JSON output'), README.indexOf('## Errors and exit codes'));
    expect(section.length).toBeGreaterThan(0);
    for (const [type, names] of Object.entries(fields)) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${type}\` |`));
      expect(row, type).toBeDefined();
      for (const name of names) expect(row).toContain(`\`${name}\``);
    }
  });

  it('documents the exit codes', () => {
    for (const code of [0, 1, 2]) expect(README).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
