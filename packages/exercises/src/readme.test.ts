// The README's worked examples are run: every ```console block starting `$ vmsim ostep …` or
// `$ vmsim exercise …` must show exactly what the command prints (the CLI prints these functions' output
// and nothing else), with `answers.txt` taken from the README's ```text answers.txt block. The library
// snippet must import only what the package exports.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { checkAnswers, generateExercise, renderExercise, renderGrade, runOstep, type ExerciseFormat, type ExerciseOptions } from './index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Fence {
  readonly info: string;
  readonly body: string;
}

function fences(markdown: string): Fence[] {
  const out: Fence[] = [];
  const pattern = /^(`{3,})([^\n`]*)\n([\s\S]*?)^\1[ \t]*$/gm;
  for (let m = pattern.exec(markdown); m !== null; m = pattern.exec(markdown)) out.push({ info: m[2]!.trim(), body: m[3]! });
  return out;
}

/** What `vmsim <argv>` prints on stdout, for the two commands this package backs. */
function run(argv: readonly string[], files: ReadonlyMap<string, string>): string {
  if (argv[0] === 'ostep') return runOstep(argv[1]!, argv.slice(2)).stdout;
  expect(argv[0]).toBe('exercise');
  const words = argv.slice(1);
  const check = words[0] === 'check';
  const rest = check ? words.slice(1) : words;
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === '--answers') flags.set('answers', 'true');
    else if (w.startsWith('--')) flags.set(w.slice(2), rest[++i]!);
    else positionals.push(w);
  }
  const options: ExerciseOptions = {
    kind: positionals[0] as ExerciseOptions['kind'],
    hw: flags.get('hw') as ExerciseOptions['hw'],
    seed: flags.has('seed') ? Number(flags.get('seed')) : undefined,
    size: flags.get('size') as ExerciseOptions['size'],
    ...(flags.has('policy') ? { policy: flags.get('policy') as ExerciseOptions['policy'] } : {}),
  };
  const format = (flags.get('format') ?? 'text') as ExerciseFormat;
  if (check) return `${renderGrade(checkAnswers(options, files.get(positionals[1]!)!), format)}\n`;
  return `${renderExercise(generateExercise(options), format, flags.has('answers'))}\n`;
}

describe('README', () => {
  const blocks = fences(README);
  const files = new Map(blocks.filter((b) => b.info.startsWith('text ')).map((b) => [b.info.split(' ')[1]!, b.body] as const));
  const commands = blocks.filter((b) => b.info === 'console');

  it('has a worked example of vmsim ostep, vmsim exercise and vmsim exercise check', () => {
    const lines = commands.map((c) => c.body.split('\n')[0]!);
    expect(lines.some((l) => l.startsWith('$ vmsim ostep '))).toBe(true);
    expect(lines.some((l) => l.startsWith('$ vmsim exercise ') && !l.includes(' check '))).toBe(true);
    expect(lines.some((l) => l.startsWith('$ vmsim exercise check '))).toBe(true);
    expect(files.has('answers.txt')).toBe(true);
  });

  it('shows exactly what each command prints', () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const block of commands) {
      const newline = block.body.indexOf('\n');
      const command = block.body.slice(0, newline);
      expect(command).toMatch(/^\$ vmsim /);
      expect(run(command.slice('$ vmsim '.length).split(' '), files), command).toBe(block.body.slice(newline + 1));
    }
  });

  it("the library snippet imports only the package's exports", () => {
    const ts = blocks.find((b) => b.info === 'ts')!.body;
    const names = /^import \{([^}]*)\} from '@vmsim\/exercises';$/m.exec(ts)![1]!.split(',').map((n) => n.trim());
    for (const name of names) expect(api, name).toHaveProperty(name);
    expect(checkAnswers({ kind: 'fork-cow', hw: 'sv39', seed: 5, size: 'medium' }, '2\n1\n0\n').total).toBe(9);
  });
});
