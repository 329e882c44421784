// Scenario scripts: one command per line, `#` comments, blank lines ignored, and `repeat <count> [var]` …
// `end` blocks whose lines may use {expressions} of the loop variables. Lines are fed in one at a time, so
// a script runs line by line (a REPL uses the same reader), and every error names the line it came from.

import { ScriptError } from './errors.js';
import { evaluate, interpolate } from './parse.js';

/** One source line with its number (1-based) in its file. */
export interface SourceLine {
  readonly line: number;
  readonly text: string;
}

/** Strips a comment: a `#` at the start of a word begins one. */
export function stripComment(text: string): string {
  const m = /(^|\s)#/.exec(text);
  return (m === null ? text : text.slice(0, m.index)).trim();
}

/** Splits a command into its words. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

interface OpenBlock {
  readonly start: SourceLine;
  readonly count: string;
  readonly variable: string;
  readonly body: SourceLine[];
  depth: number;
}

export type LineRunner = (text: string) => void;

export class ScriptReader {
  private open: OpenBlock | null = null;

  constructor(
    private readonly run: LineRunner,
    private readonly vars: ReadonlyMap<string, bigint> = new Map(),
  ) {}

  /** True while a `repeat` block is waiting for its `end`. */
  get pending(): boolean {
    return this.open !== null;
  }

  /** Takes one line: runs it, or keeps it for the `repeat` block being collected. */
  feed(source: SourceLine): void {
    const text = stripComment(source.text);
    const head = words(text)[0]?.toLowerCase();
    if (this.open !== null) {
      if (head === 'repeat') this.open.depth++;
      if (head === 'end' && --this.open.depth === 0) {
        const block = this.open;
        this.open = null;
        this.runBlock(block);
      } else {
        this.open.body.push(source);
      }
      return;
    }
    if (text === '') return;
    this.at(source, () => {
      if (head === 'end') throw new ScriptError('end without repeat');
      if (head === 'repeat') this.open = this.startBlock(source, text);
      else this.run(this.vars.size === 0 ? text : this.expand(text, head!));
    });
  }

  /** Replaces the {expressions} of a line; a bad one is reported with the line's command, like its other mistakes. */
  private expand(text: string, command: string): string {
    try {
      return interpolate(text, this.vars);
    } catch (error) {
      if (error instanceof ScriptError) throw new ScriptError(`${command}: ${error.message}`);
      throw error;
    }
  }

  /** At the end of the input: a block still open is an error on its `repeat` line. */
  finish(): void {
    const block = this.open;
    this.open = null;
    if (block !== null) this.at(block.start, () => {
      throw new ScriptError('repeat without end');
    });
  }

  private startBlock(source: SourceLine, text: string): OpenBlock {
    // A {count expression} is one word however many spaces it holds: `repeat {n + 1} j`.
    const w = text.match(/\{[^{}]*\}|[^\s{}]+|\S/g) ?? [];
    if (w.length < 2 || w.length > 3) throw new ScriptError('repeat: expected `repeat <count> [variable]`');
    const variable = w[2] ?? 'i';
    if (!/^[a-z_][a-z0-9_]*$/i.test(variable)) throw new ScriptError(`repeat: bad variable name ${JSON.stringify(variable)}`);
    return { start: source, count: w[1]!, variable, body: [], depth: 1 };
  }

  private runBlock(block: OpenBlock): void {
    let count = 0n;
    this.at(block.start, () => {
      try {
        count = evaluate(block.count.replace(/^\{(.*)\}$/, '$1'), this.vars);
      } catch (error) {
        if (error instanceof ScriptError) throw new ScriptError(`repeat: ${error.message}`);
        throw error;
      }
      if (count < 0n || count > 100_000_000n) throw new ScriptError(`repeat: count ${count} is out of range (0 to 100000000)`);
    });
    for (let i = 0n; i < count; i++) {
      const inner = new ScriptReader(this.run, new Map(this.vars).set(block.variable, i));
      for (const line of block.body) inner.feed(line);
      inner.finish();
    }
  }

  /** Runs `fn`, tagging a ScriptError it throws with the source line (unless a nested line already did). */
  private at(source: SourceLine, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (error instanceof ScriptError && error.line === 0) error.line = source.line;
      throw error;
    }
  }
}
