// Lints what would actually be published for every packages/* directory.
//
// For each package: `pnpm pack` (so publishConfig overrides and workspace: rewrites apply) into a
// temp dir, extract the tarball, run publint (strict) on the extracted package and attw
// (esm-only profile) on the tarball, over every subpath export (`.` and `./testing`). Any publint
// message of any level, or any attw problem, fails. Then, on the extracted files:
// - the tarball holds CHANGELOG.md and a LICENSE identical to the repository's;
// - from each entry (every exports target, every bin) the code reaches only packages its manifest
//   declares (dependencies or peerDependencies): the layering of the README, so @vmsim/hw/testing
//   imports nothing of ours and @vmsim/kernel/testing only @vmsim/hw; and `node:` built-ins only in a
//   package with a `bin` (the others must run in a browser);
// - the main entry (".") reaches no file of another subpath export and no optional peer dependency:
//   importing @vmsim/kernel never loads ./testing or vitest.
// Expects `turbo run build` to have run first (the root `check:packages` script does that).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_SPEC = 'pnpm@10.34.9';
// Export condition that points at ./src for in-repo use; publishConfig.exports must drop it.
const SOURCE_CONDITION = '@vmsim/source';
// Resolutions attw's own "esm-only" profile ignores (CommonJS consumers of an ESM-only package).
const ATTW_IGNORED_RESOLUTIONS = ['node10', 'node16-cjs'];
const ATTW_DOCS = 'https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems';
// Files every published tarball must hold, besides package.json and what `files` lists for the code.
const REQUIRED_FILES = ['CHANGELOG.md', 'LICENSE', 'README.md'];
const ROOT_LICENSE = readFileSync(join(root, 'LICENSE'), 'utf8');

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

/** The JavaScript file each entry runs: [entry name, ./path] for every exports subpath and every bin. */
function entryFiles(pkg) {
  const entries = [];
  const pick = (target) => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object') return pick(target.import ?? target.default);
    return undefined;
  };
  const exportsMap = typeof pkg.exports === 'object' && pkg.exports !== null && Object.keys(pkg.exports).every((k) => k.startsWith('.'))
    ? pkg.exports
    : { '.': pkg.exports };
  for (const [subpath, target] of Object.entries(exportsMap)) {
    const file = pick(target);
    if (file !== undefined && /\.[cm]?js$/.test(file)) entries.push([subpath, file]);
  }
  const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
  for (const [name, file] of Object.entries(bins)) entries.push([`bin ${name}`, file]);
  return entries;
}

/** The files `file` reaches by static and dynamic imports inside the package, and the bare specifiers they import. */
async function importGraph(packageDir, file) {
  const bare = new Set();
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: [join(packageDir, file)],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [{
      name: 'bare-imports-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          bare.add(args.path);
          return { path: args.path, external: true };
        });
      },
    }],
  });
  const files = Object.keys(result.metafile.inputs).map((f) => relative(packageDir, resolve(packageDir, f)).split(sep).join('/'));
  return { files, bare: [...bare].sort() };
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

async function checkImports(packageDir, pkg) {
  const problems = [];
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const optionalPeers = Object.entries(pkg.peerDependenciesMeta ?? {}).filter(([, meta]) => meta?.optional).map(([name]) => name);
  const nodeProgram = pkg.bin !== undefined;
  const entries = entryFiles(pkg);
  const graphs = new Map();
  for (const [name, file] of entries) {
    const graph = await importGraph(packageDir, file);
    graphs.set(name, graph);
    for (const specifier of graph.bare) {
      // tsup drops the node: prefix, so a built-in may come as `fs` as well as `node:fs`.
      if (specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier))) {
        if (!nodeProgram) problems.push(`${name} (${file}) imports ${specifier}, but a package without a bin must be browser-safe`);
      } else if (!declared.has(packageOf(specifier))) {
        problems.push(`${name} (${file}) imports ${specifier}, which the manifest does not declare`);
      }
    }
  }
  const main = graphs.get('.');
  if (main !== undefined) {
    const otherEntries = new Set(entries.filter(([name]) => name !== '.' && !name.startsWith('bin ')).map(([, file]) => file.replace(/^\.\//, '')));
    for (const file of main.files) {
      if (otherEntries.has(file)) problems.push(`the main entry reaches ${file}, the file of another subpath export`);
    }
    for (const specifier of main.bare) {
      if (optionalPeers.includes(packageOf(specifier))) problems.push(`the main entry imports ${specifier}, an optional peer dependency`);
    }
  }
  return problems;
}

/**
 * The same rules on the sources, where a bundler's shared chunks cannot hide them: src/index.ts reaches no
 * file under src/testing/, and each src entry imports only the workspace packages the manifest declares.
 */
async function checkSourceImports(pkgDir, pkg) {
  const problems = [];
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  for (const entry of ['src/index.ts', 'src/testing/index.ts']) {
    if (!existsSync(join(pkgDir, entry))) continue;
    const graph = await importGraph(pkgDir, entry);
    if (entry === 'src/index.ts') {
      for (const file of graph.files) {
        if (file.startsWith('src/testing/')) problems.push(`${entry} reaches ${file}: the main entry must not pull in the testing one`);
      }
    }
    for (const specifier of graph.bare) {
      if (specifier.startsWith('@vmsim/') && !declared.has(packageOf(specifier))) {
        problems.push(`${entry} imports ${specifier}, which the manifest does not declare (the layering of the README)`);
      }
    }
  }
  return problems;
}

async function checkPackage(pkgDir, tmp) {
  const problems = [];
  problems.push(...(await checkSourceImports(pkgDir, JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')))));

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

  for (const file of REQUIRED_FILES) {
    if (!existsSync(join(packageDir, file))) problems.push(`the tarball has no ${file}`);
  }
  if (existsSync(join(packageDir, 'LICENSE')) && readFileSync(join(packageDir, 'LICENSE'), 'utf8') !== ROOT_LICENSE) {
    problems.push('the packed LICENSE differs from the repository LICENSE');
  }
  problems.push(...(await checkImports(packageDir, pkg)));

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
// `node scripts/check-packages.mjs [dir...]`: only the packages/<dir> named (default: all).
const only = process.argv.slice(2);
const pkgDirs = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(packagesDir, d.name, 'package.json')))
  // Private packages (the web app) are never published: nothing to lint.
  .filter((d) => JSON.parse(readFileSync(join(packagesDir, d.name, 'package.json'), 'utf8')).private !== true)
  .filter((d) => only.length === 0 || only.includes(d.name))
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
