// `pnpm bench [filter...]`: runs every packages/*/src/**/*.bench.ts (sorted by path), or only those
// whose repo-relative path contains one of the filters. Each bench file exports
// `async function run(): Promise<void>` and prints its own figures (see @vmsim/dev-util/bench, tools/dev-util).
// Started by tsx with --conditions=@vmsim/source, so packages are imported from source.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2).filter((arg) => arg !== '--');

const files: string[] = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  if (!existsSync(src)) continue;
  for (const entry of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.bench.ts')) files.push(relative(root, join(src, entry)).split(sep).join('/'));
  }
}
files.sort();

if (files.length === 0) {
  console.log('no bench files (packages/*/src/**/*.bench.ts) yet');
  process.exit(0);
}

// Named groups of bench files: `pnpm bench mm` runs the memory manager's (not mmu's, whose path also holds
// "mm"); `pnpm bench pt` the page-table API's; `pnpm bench trace` the replacement policies, the trace readers
// and the page-mode replay of `vmsim trace`.
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  mm: ['packages/kernel/src/mm.bench.ts'],
  pt: ['packages/kernel/src/pt/'],
  trace: ['packages/replacement/src/', 'packages/trace/src/', 'packages/cli/src/commands/trace'],
};
const patterns = filters.flatMap((f) => (Object.hasOwn(GROUPS, f) ? GROUPS[f]! : [f]));
const selected = patterns.length ? files.filter((f) => patterns.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error(`no bench file matches ${filters.map((s) => JSON.stringify(s)).join(' or ')}; have:`);
  for (const f of files) console.error(`  ${f}`);
  process.exit(1);
}

let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file}`);
  try {
    const mod: { run?: unknown } = await import(pathToFileURL(join(root, file)).href);
    if (typeof mod.run !== 'function') throw new Error('does not export `async function run()`');
    await mod.run();
  } catch (error) {
    failed++;
    console.error(`FAILED ${file}:`, error);
  }
}
if (failed > 0) {
  console.error(`\n${failed} of ${selected.length} bench file(s) failed`);
  process.exit(1);
}
