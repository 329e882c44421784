import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as hw from '@vmsim/hw';
import * as api from './index.js';

describe('the public entry', () => {
  it('exports the API by name', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ADDRESS_LIMIT', 'BufferedWriter', 'DataType', 'I64_MAX', 'I64_MIN', 'InvalidArgumentError', 'InvalidOptionError', 'InvalidPointerError',
      'InvalidValueError', 'KERNBASE', 'MODEL_NAMES', 'MemoryManager', 'MmapFlags', 'POINTER_LIMIT', 'Pointer', 'ProtectionFlags',
      'SIZE_OF_VALUE_TYPE', 'Simulator', 'U64_MAX',
      'ValueType', 'VmsimError', 'dumpLines', 'dumpProcess', 'levelNames', 'messages', 'pageTables',
      // The file store (files.ts) and the kernel's file errors.
      'BadFileDescriptorError', 'BeyondEndOfFileError', 'FileAccessError', 'FileExistsError', 'Files', 'NoSuchFileError',
      'OpenFlags', 'TooManyOpenFilesError', 'UnmappedRangeError',
      // Machine-mode trace replay (trace-replay.ts).
      'MachineReplay', 'REPLAY_BACKINGS', 'TraceReplayError', 'replayMachine',
    ].sort());
    expect(api.MODEL_NAMES).toEqual(['x86-32', 'sv32', 'x86-64', 'sv39']);
    expect(api.messages.zombie(1)).toBe('ZOMBIE 1');
  });

  it('re-exports the model registry and level names of @vmsim/hw rather than keeping its own', () => {
    expect(api.MODEL_NAMES).toBe(hw.MODEL_NAMES);
    expect(api.levelNames).toBe(hw.levelNames);
    expect(api.VmsimError).toBe(hw.VmsimError);
  });

  it('uses no Node API outside tests and benches, so it runs in a browser', () => {
    const dir = new URL('./', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.bench.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(8);
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/from '(node:|fs|path|url|util|os|process)/);
      expect(text, file).not.toMatch(/\bprocess\.(argv|env|exit|std|cwd|platform|version)|\bBuffer\.|\brequire\(/);
    }
  });

  it('opens every source file with a line on what it models', () => {
    const dir = new URL('./', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      expect(readFileSync(new URL(file, dir), 'utf8'), file).toMatch(/^\/\/ \S/);
    }
  });
});
