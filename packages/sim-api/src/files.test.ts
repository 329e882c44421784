import { describe, expect, it } from 'vitest';
import { BadFileDescriptorError, FileExistsError, Files, NoSuchFileError, OpenFlags, Simulator } from './index.js';

function start(): { sim: Simulator; files: Files } {
  const sim = Simulator.begin(false, { output: () => {} });
  return { sim, files: new Files(sim) };
}

describe('Files', () => {
  it('creates, opens, reads and writes files by name and by descriptor of the current process', () => {
    const { files } = start();
    files.create('notes', 'hello');
    const fd = files.open('notes', 'rw');
    expect(fd).toBe(0);
    expect(files.readText(fd)).toBe('hello');
    expect(files.write(fd, 5, ', world')).toBe(7);
    expect(files.readText('notes')).toBe('hello, world');
    expect(Array.from(files.read('notes', 0, 2))).toEqual([104, 101]);
    files.truncate('notes', 4);
    expect(files.readText(fd)).toBe('hell');
    expect(files.list()).toEqual([{ name: 'notes', size: 4, cachedPages: 0, opens: 1 }]);
    expect(files.descriptors()).toEqual([{ fd: 0, name: 'notes', access: OpenFlags.O_RDWR }]);
    files.close(fd);
    expect(files.descriptors()).toEqual([]);
    files.unlink('notes');
    expect(files.list()).toEqual([]);
  });

  it('passes the kernel\'s typed errors on', () => {
    const { files } = start();
    files.create('f');
    expect(() => files.create('f')).toThrow(FileExistsError);
    expect(() => files.open('g', 'r')).toThrow(NoSuchFileError);
    expect(() => files.close(7)).toThrow(BadFileDescriptorError);
    const r = files.open('f', 'r');
    expect(() => files.write(r, 0, 'x')).toThrow(BadFileDescriptorError);
    expect(() => files.open('f', 'x' as 'r')).toThrow(expect.objectContaining({ errno: 'EINVAL' }));
    expect(files.open('h', OpenFlags.O_CREAT | OpenFlags.O_WRONLY)).toBe(1);
  });

  it('descriptors follow the simulator\'s current process: a forked child inherits them', () => {
    const { sim, files } = start();
    files.create('f', 'abc');
    const fd = files.open('f', 'r');
    sim.fork();
    expect(files.readText(fd)).toBe('abc');
    sim.kill();
    sim.kill();
    expect(() => files.open('f', 'r')).toThrow(expect.objectContaining({ errno: 'ESRCH' }));
    expect(files.list()[0]!.opens).toBe(0);
  });
});
