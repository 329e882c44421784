// A tour of @vmsim/hw: build an x86 32-bit page directory and page table in RAM by hand, then let the MMU
// translate a few addresses through its TLB, take a fault, and show the Accessed/Dirty bits it set in RAM.

import {
  ACCESS_NAMES, ACCESS_READ, ACCESS_WRITE, FAULT_NAMES, findEntry, mapPage, Mmu, PhysicalMemory, PTE_R, PTE_U, PTE_V,
  PTE_W, readEntry, x86_32,
} from '@vmsim/hw';

const hex = (n: number, width = 8): string => `0x${n.toString(16).padStart(width, '0')}`;

export function main(print: (line: string) => void = console.log): void {
  const model = x86_32();
  const ram = new PhysicalMemory(1024 * 1024); // 256 frames of 4 KiB
  let nextFrame = 1;
  const allocTable = (): number => nextFrame++;

  const root = allocTable(); // the page directory: frame 1
  const mmu = new Mmu(ram, model, { tlb: { entries: 16, ways: 4 } });
  mmu.setRoot(root);
  print(`${model.name}: page directory in frame ${root}, CR3 = ${hex(Number(mmu.rootRegister()))}`);

  // Two user pages: one read-write (frame 0x40), one read-only (frame 0x41).
  mapPage(ram, model, root, 0x80000000, 0x40, PTE_V | PTE_R | PTE_W | PTE_U, allocTable);
  mapPage(ram, model, root, 0x80001000, 0x41, PTE_V | PTE_R | PTE_U, allocTable);
  const showPte = (va: number): string => {
    const pa = findEntry(ram, model, root, va);
    return pa < 0 ? 'no page table' : `PTE at ${hex(pa)} = ${hex(readEntry(ram, model, pa).lo)}`;
  };
  print(`mapped 0x80000000 -> frame 0x40 (rw), 0x80001000 -> frame 0x41 (ro); ${showPte(0x80000000)}`);

  const translate = (va: number, access: 0 | 1): void => {
    const pa = mmu.translate(va, access, true);
    const what = `${ACCESS_NAMES[access]} ${hex(va)}`;
    if (pa >= 0) print(`  ${what} -> ${hex(pa)}`);
    else print(`  ${what} -> ${FAULT_NAMES[-pa]} fault at level ${mmu.faultLevel} (faulting address ${hex(mmu.faultVa)})`);
  };
  translate(0x80000123, ACCESS_READ);
  translate(0x80000123, ACCESS_WRITE);
  translate(0x80001ffc, ACCESS_READ);
  translate(0x80001ffc, ACCESS_WRITE);
  translate(0x80002000, ACCESS_READ);
  translate(0x12345678, ACCESS_READ);

  mmu.store32(0x80000010, 0xcafef00d);
  print(`store32 0x80000010 = 0xcafef00d; frame 0x40 holds ${hex(ram.read32(0x40 * 4096 + 0x10))}`);
  print(`after the accesses: ${showPte(0x80000000)} (A and D set), ${showPte(0x80001000)} (A only)`);
  print(`TLB: ${mmu.tlb.hits} hits, ${mmu.tlb.misses} misses, ${mmu.tlb.occupancy} entries; ${mmu.walks} page walks`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
