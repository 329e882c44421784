// Lints what would actually be published for every packages/* directory.
//
// For each package: `pnpm pack` (so publishConfig overrides and workspace: rewrites apply) into a
// temp dir, extract the tarball, run publint (strict) on the extracted package and attw
// (esm-only profile) on the tarball. Any publint message of any level, or any attw problem, fails.
// Expects `turbo run build` to have run first (the root `check:packages` script does that).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_SPEC = 'pnpm@10.34.9';
// Export condition that points at ./src for in-repo use; publishConfig.exports must drop it.
const SOURCE_CONDITION = '@vmsim/source';
// Resolutions attw's own "esm-only" profile ignores (CommonJS consumers of an ESM-only package).
const ATTW_IGNORED_RESOLUTIONS = ['node10', 'node16-cjs'];
const ATTW_DOCS = 'https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems';

/** The pnpm that runs us when invoked as a pnpm script, else the pinned one through npx. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /^pnpm(\.c?js|\.mjs)?$/.test(basename(execPath))) {
    return /\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []];
  }
  return ['npx', ['--yes', PNPM_SPEC]];
}

/** Runs a command, never through a shell; returns { status, stdout, stderr }. */
function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function commandFailure(what, r) {
  const output = `${r.stderr}\n${r.stdout}`.trim();
  return `${what} exited with status ${r.status}${output ? `:\n${output}` : ''}`;
}

/** Yields [where, key, target] for main/module/types and every leaf of exports. */
function* manifestTargets(pkg) {
  for (const field of ['main', 'module', 'types', 'typings']) {
    if (pkg[field] !== undefined) yield [field, field, pkg[field]];
  }
  function* walk(value, where) {
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        const path = `${where}[${JSON.stringify(key)}]`;
        if (inner && typeof inner === 'object') {
          if (!key.startsWith('.')) yield [path, key, undefined];
          yield* walk(inner, path);
        } else {
          yield [path, key, inner];
        }
      }
    }
  }
  yield* walk(pkg.exports, 'exports');
}

async function checkPackage(pkgDir, tmp) {
  const problems = [];

  const [pnpm, pnpmArgs] = pnpmCommand();
  const packed = run(pnpm, [...pnpmArgs, 'pack', '--pack-destination', tmp], pkgDir);
  const tarballs = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  if (packed.status !== 0 || tarballs.length !== 1) {
    return [commandFailure('pnpm pack', packed)];
  }
  const tgz = join(tmp, tarballs[0]);

  const extractDir = join(tmp, 'extract');
  mkdirSync(extractDir);
  const untar = run('tar', ['-xzf', tgz, '-C', extractDir], root);
  if (untar.status !== 0) return [commandFailure('tar', untar)];
  const packageDir = join(extractDir, 'package');

  // publint on the extracted files: the tarball content is exactly what is published.
  const { messages, pkg } = await publint({ pkgDir: packageDir, pack: false, strict: true });
  for (const message of messages) {
    problems.push(`publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
  }

  // publint skips custom conditions, so check by hand that the dev-only source condition is gone
  // and that every path the packed manifest points at is in the tarball.
  for (const [where, key, target] of manifestTargets(pkg)) {
    if (key === SOURCE_CONDITION) problems.push(`packed ${where} still has the "${key}" condition`);
    if (typeof target === 'string' && target.startsWith('./') && !target.includes('*')) {
      if (!existsSync(join(packageDir, target))) problems.push(`packed ${where} -> ${target} is not in the tarball`);
    }
  }

  // Dependencies must have had their workspace: protocol rewritten by pnpm pack.
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
      if (String(spec).startsWith('workspace:')) {
        problems.push(`packed ${field}.${name} still uses "${spec}"`);
      }
    }
  }

  const attwBin = join(root, 'node_modules', '.bin', 'attw');
  const attw = run(attwBin, [tgz, '--profile', 'esm-only', '--format', 'json', '--no-color'], root);
  let analysis;
  try {
    analysis = JSON.parse(attw.stdout).analysis;
  } catch {
    problems.push(commandFailure('attw', attw));
    return problems;
  }
  if (!analysis?.types) {
    problems.push('attw: the package ships no type declarations');
  }
  const attwProblems = (analysis?.problems ?? []).filter(
    (p) => !('resolutionKind' in p) || !ATTW_IGNORED_RESOLUTIONS.includes(p.resolutionKind),
  );
  for (const p of attwProblems) {
    const files = [p.fileName, p.typesFileName, p.implementationFileName].map((f) =>
      f?.replace(`/node_modules/${pkg.name}/`, ''),
    );
    const where = [p.entrypoint, p.resolutionKind, ...files].filter(Boolean).join(', ');
    problems.push(`attw ${p.kind}${where ? ` (${where})` : ''}: ${ATTW_DOCS}/${p.kind}.md`);
  }
  if (attw.status !== 0 && attwProblems.length === 0) {
    problems.push(commandFailure('attw', attw));
  }
  return problems;
}

const packagesDir = join(root, 'packages');
const pkgDirs = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(packagesDir, d.name, 'package.json')))
  .map((d) => join(packagesDir, d.name))
  .sort();

if (pkgDirs.length === 0) {
  console.error('check-packages: no packages found under packages/');
  process.exit(1);
}

let failed = 0;
for (const pkgDir of pkgDirs) {
  const { name } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const tmp = mkdtempSync(join(tmpdir(), 'vmsim-pack-'));
  let problems;
  try {
    problems = await checkPackage(pkgDir, tmp);
  } catch (error) {
    problems = [`check crashed: ${error instanceof Error ? error.stack : String(error)}`];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (problems.length === 0) {
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const problem of problems) console.log(`  - ${problem.replace(/\n/g, '\n    ')}`);
  }
}

if (failed > 0) {
  console.error(`check-packages: ${failed} of ${pkgDirs.length} package(s) have problems`);
  process.exit(1);
}
