// The web app and the cli run the same example scripts to the same results: what the step engine's steps
// print, in order, is what `vmsim run` prints, on every model.
import { readdirSync, readFileSync } from 'node:fs';
import { main, type Io } from '@vmsim/cli';
import { MODEL_NAMES } from '@vmsim/sim-api';
import { describe, expect, it } from 'vitest';
import { StepEngine } from './engine/step-engine.js';
import { EXAMPLES } from './examples.js';

async function cli(script: string, model: string, extra: string[] = []): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    readFile: () => script,
    lines: () => (async function* () { /* no input */ })(),
    interactive: false,
    env: {},
  };
  const code = await main(['run', 'script.vmsim', '--hw', model, ...extra], io);
  return { code, stdout, stderr };
}

function web(script: string, model: (typeof MODEL_NAMES)[number], ramBytes?: number): { output: string[]; error: string | null } {
  const engine = new StepEngine({ script, model, ramBytes });
  engine.runToEnd();
  return { output: engine.records.flatMap((r) => [...r.output]), error: engine.last?.error ?? null };
}

/** Examples that end on a refused command by design (the run stops there, exit code 2). */
const ENDS_IN_ERROR = new Set(['memory-maps']);

describe('the web app runs scripts as the cli does', () => {
  it('finds the repository examples, the COW tour first', () => {
    const files = readdirSync(new URL('../../../examples/', import.meta.url)).filter((f) => f.endsWith('.vmsim')).map((f) => f.slice(0, -'.vmsim'.length));
    expect(EXAMPLES.map((e) => e.name)).toEqual(['cow-tour', ...files.filter((f) => f !== 'cow-tour').sort((a, b) => a.localeCompare(b))]);
    expect(EXAMPLES.map((e) => e.name)).toEqual(expect.arrayContaining(['cow-tour', 'processes', 'readme', ...ENDS_IN_ERROR]));
    expect(EXAMPLES[0]!.text).toBe(readFileSync(new URL('../../../examples/cow-tour.vmsim', import.meta.url), 'utf8'));
  });

  for (const example of EXAMPLES) {
    it.each(MODEL_NAMES)(`${example.name} on %s: the same output`, async (model) => {
      const expected = await cli(example.text, model);
      const got = web(example.text, model);
      if (ENDS_IN_ERROR.has(example.name)) {
        // Both stop on the same line with the same message.
        expect(expected.code).toBe(2);
        expect(got.error).not.toBeNull();
        expect(expected.stderr).toEqual([`script.vmsim:${got.error!.slice('line '.length)}`]);
      } else {
        expect(expected.code).toBe(0);
        expect(got.error).toBeNull();
      }
      expect(got.output).toEqual(expected.stdout);
      expect(got.output.length).toBeGreaterThan(3);
    });
  }

  it('a bad line stops both at the same place with the same message', async () => {
    const script = 'ptr a\nregister a\nwrite a unsigned 1\nread a u8 first\nwrite nope unsigned 2\necho never';
    const expected = await cli(script, 'x86-32');
    const got = web(script, 'x86-32');
    expect(got.output).toEqual(expected.stdout);
    expect(expected.stderr).toEqual([`script.vmsim:${got.error!.slice('line '.length)}`]);
  });

  it('the same RAM size gives the same out-of-memory messages', async () => {
    const script = 'ptr a\nregister a\nwrite a unsigned 7\nrepeat 6\nfork\nwrite a unsigned {i}\nend\nstats';
    const expected = await cli(script, 'x86-32', ['--ram', '24K']);
    const got = web(script, 'x86-32', 24 * 1024);
    expect(got.output).toEqual(expected.stdout);
    expect(got.output.join('\n')).toMatch(/out of memory/i);
  });
});
