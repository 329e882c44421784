// End to end: the BUILT `vmsim` binary (packages/cli/dist/bin.js), spawned as a user runs it. When the build is
// missing or older than the sources of cli and the packages it is built on, it is rebuilt first with
// `pnpm --filter @vmsim/cli... build` (which builds hw, kernel and sim-api too).

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const PACKAGES = ['hw', 'kernel', 'sim-api', 'replacement', 'trace', 'exercises', 'cli'];
/** The command the package's `bin` names: a committed file that imports dist/bin.js. */
const COMMAND = join(ROOT, 'packages/cli/bin/vmsim.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
const POSIX = process.platform !== 'win32';

/** The newest modification time of the files a build is made from (tests and benchmarks left out). */
function newestSource(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test' && entry.name !== 'testing') visit(path);
      } else if (!/\.(test|bench)\.ts$/.test(entry.name)) {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  for (const name of PACKAGES) {
    const dir = join(ROOT, 'packages', name);
    visit(join(dir, 'src'));
    for (const file of ['package.json', 'tsup.config.ts', 'tsup.bin.config.ts']) if (existsSync(join(dir, file))) newest = Math.max(newest, statSync(join(dir, file)).mtimeMs);
  }
  return newest;
}

/** Why the binary must be (re)built, or null when the build is there and newer than every source. */
function buildNeeded(): string | null {
  const outputs = [BIN, ...PACKAGES.map((name) => join(ROOT, 'packages', name, 'dist/index.js'))];
  const missing = outputs.find((path) => !existsSync(path));
  if (missing !== undefined) return `${missing} is missing`;
  const oldest = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  return oldest < newestSource() ? 'the build is older than the sources' : null;
}

function vmsim(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
}

let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'vmsim-e2e-'));
  if (buildNeeded() === null) return;
  const build = spawnSync('npx', ['--yes', 'pnpm@10.34.9', '--filter', '@vmsim/cli...', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    shell: !POSIX,
    timeout: 280_000,
  });
  if (build.status !== 0) throw new Error(`building the vmsim binary failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
}, 300_000);

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('the built vmsim binary', () => {
  it('is an executable node script', () => {
    expect(existsSync(BIN)).toBe(true);
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    if (POSIX) expect(statSync(BIN).mode & 0o111).not.toBe(0);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ vmsim: './bin/vmsim.js' });
    expect(pkg.files).toContain('bin');
    expect(readFileSync(COMMAND, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    if (POSIX) expect(statSync(COMMAND).mode & 0o111).not.toBe(0);
  });

  it.runIf(POSIX)('runs through its shebang, from the command the package names and from the build itself', () => {
    const command = spawnSync(COMMAND, ['--version'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect([command.stderr, command.stdout, command.status]).toEqual(['', `${VERSION}\n`, 0]);
    const result = spawnSync(BIN, ['--version'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${VERSION}\n`);
    expect(result.status).toBe(0);
  });

  it('--help', () => {
    const result = vmsim(['--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^vmsim \S+: a virtual-memory simulator\n/);
    expect(result.stdout).toContain('vmsim run <file|->');
  });

  it('--version', () => {
    const result = vmsim(['--version']);
    expect([result.status, result.stdout, result.stderr]).toEqual([0, `${VERSION}\n`, '']);
  });

  it('run examples/readme.vmsim prints the seed README output', () => {
    const result = vmsim(['run', 'examples/readme.vmsim']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('Value of x: 5\nMapping already registered for 0x80000010.\nValue of y: 6\nInvalid address 0x80004000\n');
  });

  it('a bad script: the earlier output, file:line: message on stderr, exit code 2, no stack trace', () => {
    const file = join(scratch, 'bad.vmsim');
    writeFileSync(file, 'ptr x\nregister x\nwrite x 5\nread x\nwrite x u8 256\necho not run\n');
    const result = vmsim(['run', file]);
    expect(result.stdout).toBe('x: 5\n');
    expect(result.stderr).toBe(`${file}:5: write: u8 value 256 is out of range (0 to 255)\n`);
    expect(result.status).toBe(2);
  });

  it('usage errors: exit code 2, one line, no stack trace', () => {
    for (const [args, message] of [
      [['run', 'no/such/file.vmsim'], 'vmsim: cannot read no/such/file.vmsim: no such file'],
      [['run', 'examples'], 'vmsim: cannot read examples: it is a directory'],
      [['--ram', '4K', 'run', 'examples/readme.vmsim'], "vmsim: invalid option ramBytes = 4096: expected at least 2 frames: the zero page and the first process's page directory"],
      [['--nope'], 'vmsim: unknown option --nope (try vmsim --help)'],
      [[], 'vmsim: missing command (try vmsim --help)'],
    ] as const) {
      const result = vmsim(args);
      expect(result.stderr).toBe(`${message}\n`);
      expect(result.stdout).toBe('');
      expect(result.status).toBe(2);
    }
  });

  it('run - reads the script from standard input', () => {
    const result = vmsim(['--json', 'run', '-'], 'ptr x\nregister x\nwrite x signed -2\nread x unsigned\n');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      { type: 'read', target: 'x', address: '0x80000000', dataType: 'unsigned', label: 'x', value: '18446744073709551614' },
    ]);
  });

  it('repl with piped input: no prompt, errors do not end the session', () => {
    const result = vmsim(['repl'], 'ptr x\nregister x\nbogus\nwrite x 9\nread x\nhistory\nexit\necho not run\n');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('<repl>:3: unknown command "bogus" (try help)\n');
    expect(result.stdout).toBe('x: 9\n   1  ptr x\n   2  register x\n   3  bogus\n   4  write x 9\n   5  read x\n');
  });

  it.runIf(POSIX)('stdout is buffered but flushed before an error line: one stream shows them in order', () => {
    const file = join(scratch, 'order.vmsim');
    writeFileSync(file, 'echo one\necho two\nbogus\n');
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" run "${file}" 2>&1`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toBe(`one\ntwo\n${file}:3: unknown command "bogus" (try help)\n`);
  });

  it('the workspace packages are bundled in; --version loads nothing of the simulator', () => {
    const dist = join(ROOT, 'packages/cli/dist');
    const imports = (file: string, dynamic: boolean): string[] => {
      const text = readFileSync(join(dist, file), 'utf8');
      const pattern = dynamic ? /\bimport\("\.\/([^"]+)"\)/g : /\bfrom "\.\/([^"]+)"/g;
      return [...text.matchAll(pattern)].map((m) => m[1]!);
    };
    // Every file of the binary's graph, static and dynamic imports followed.
    const graph = new Set<string>();
    const pending = ['bin.js'];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (graph.has(file)) continue;
      graph.add(file);
      pending.push(...imports(file, false), ...imports(file, true));
    }
    for (const file of graph) expect(readFileSync(join(dist, file), 'utf8'), file).not.toMatch(/from "@vmsim\/|import\("@vmsim\//);
    expect([...graph].some((file) => readFileSync(join(dist, file), 'utf8').includes('Mapping already registered for'))).toBe(true);
    // What --version loads: bin.js and its static imports, which hold no simulator code.
    const eager = ['bin.js', ...imports('bin.js', false)];
    for (const file of eager) expect(readFileSync(join(dist, file), 'utf8'), file).not.toContain('Mapping already registered for');
    expect(imports('bin.js', true)).toHaveLength(1);
  });

  it.runIf(POSIX)('a reader that stops early (| head) ends the output quietly', () => {
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" run examples/processes.vmsim | head -n 2`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toBe('Value of x: 0\nValue of x before write for pid 0: 0\n');
    expect(result.stderr).toBe('');
  });
});
