// The CLI's place in the layers (the root README's table): of vmsim's simulator packages it depends on
// @vmsim/sim-api, which re-exports what the CLI needs from below (VmsimError, the stats types) and holds the
// scenario language (@vmsim/sim-api/script); `vmsim ostep` and `vmsim exercise` add @vmsim/exercises (those two
// command files only), and `vmsim trace` the two packages that stand beside the simulator, @vmsim/replacement
// and @vmsim/trace.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SRC = new URL('./', import.meta.url);

/** Every .ts file under src/, tests included, as paths relative to src/. */
function sources(dir = SRC, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...sources(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('.ts')) out.push(`${prefix}${entry.name}`);
  }
  return out;
}

describe('the CLI depends on @vmsim/sim-api, @vmsim/exercises, @vmsim/replacement and @vmsim/trace only', () => {
  it('declares no other vmsim package in its manifest', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const ours = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((name) => name.startsWith('@vmsim/'));
    expect(ours.sort()).toEqual(['@vmsim/exercises', '@vmsim/replacement', '@vmsim/sim-api', '@vmsim/trace']);
  });

  it('imports no other vmsim package from any source or test file', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(new URL(file, SRC), 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(@vmsim\/[^']+)'/g)].map((m) => m[1]);
      for (const specifier of specifiers) {
        if (specifier === '@vmsim/exercises') expect(file).toMatch(/^commands\/(ostep|exercise)(\.test)?\.ts$/);
        else expect(specifier, file).toMatch(/^@vmsim\/(sim-api(\/script)?|replacement|trace|trace\/testing|dev-util\/[a-z]+)$/);
      }
    }
  });
});
