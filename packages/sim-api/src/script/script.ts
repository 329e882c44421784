// Scenario scripts: one command per line, `#` comments, blank lines ignored, and `repeat <count> [var]` …
// `end` blocks whose lines may use {expressions} of the loop variables. Lines are fed in one at a time (a
// REPL uses the same reader); a block is compiled as it is read (its lines' expressions once, whatever the
// count) and run at its `end` by a loop with explicit frames, so any nesting depth costs linear time and no
// call stack. Every error names the line it came from.

import { ScriptError } from './errors.js';
import { compileExpression, evaluateExpression, expressionError, type Expression, type ExpressionError } from './expression.js';
import { isSpace, quote } from './parse.js';

/** One source line with its number (1-based) in its file. */
export interface SourceLine {
  readonly line: number;
  readonly text: string;
}

/** Strips a comment (a `#` at the start of a word begins one) and the surrounding whitespace. */
export function stripComment(text: string): string {
  let end = text.indexOf('#');
  while (end > 0 && !isSpace(text.charCodeAt(end - 1))) end = text.indexOf('#', end + 1);
  return (end < 0 ? text : text.slice(0, end)).trim();
}

/** Splits a command into its words (separated by runs of whitespace). */
export function words(text: string): string[] {
  const result: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return result;
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    result.push(text.slice(start, i));
  }
}

/** Where word `k` (0-based) of `text` begins; the text's length when it has fewer words. */
export function wordStart(text: string, k: number): number {
  const n = text.length;
  let i = 0;
  for (let w = 0; ; w++) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (w === k || i >= n) return i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
  }
}

/** The first word of a line, lowercased ('' for none). */
function headWord(text: string): string {
  const n = text.length;
  let i = 0;
  while (i < n && !isSpace(text.charCodeAt(i))) i++;
  return text.slice(0, i).toLowerCase();
}

/**
 * A line's text split around its {expressions}: parts[0] expressions[0] parts[1] … A `{` with another `{`
 * or no `}` after it is plain text, as is a lone `}`.
 */
interface Template {
  readonly parts: readonly string[];
  readonly expressions: readonly (Expression | ExpressionError)[];
}

function compileTemplate(text: string, scope: readonly string[]): Template | null {
  const parts: string[] = [];
  const expressions: (Expression | ExpressionError)[] = [];
  const n = text.length;
  let last = 0;
  let i = 0;
  for (;;) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    let close = open + 1;
    while (close < n && text.charCodeAt(close) !== 123 && text.charCodeAt(close) !== 125) close++;
    if (close >= n) break;
    i = close;
    if (text.charCodeAt(close) === 123) continue;
    parts.push(text.slice(last, open));
    expressions.push(compileExpression(text.slice(open + 1, close), scope));
    last = i = close + 1;
  }
  if (expressions.length === 0) return null;
  parts.push(text.slice(last));
  return { parts, expressions };
}

const LINE = 0;
const BLOCK = 1;

/** A command line inside a block. */
interface LineNode {
  readonly kind: typeof LINE;
  readonly line: number;
  /** The line without its comment; run as it is when it has no {expressions}. */
  readonly text: string;
  /** Its first word, lowercased: the command an expression error is reported under. */
  readonly head: string;
  readonly template: Template | null;
}

/** A `repeat` block. */
interface BlockNode {
  readonly kind: typeof BLOCK;
  readonly line: number;
  /** The count, compiled in the scope around the block. */
  readonly count: Expression | ExpressionError;
  /** The loop variable's slot: its index among the variables visible in the body. */
  readonly slot: number;
  readonly body: (LineNode | BlockNode)[];
}

/** The largest repeat count. */
export const MAX_REPEAT_COUNT = 100_000_000n;

export type LineRunner = (text: string) => void;

export class ScriptReader {
  /** The blocks being read, outermost first (empty at the top level). */
  #open: BlockNode[] = [];
  /** The variable names visible at the current point of reading: the given ones, then one per open block. */
  readonly #scope: string[];
  /** The variables' values while a block runs, by slot. */
  readonly #slots: bigint[];
  readonly #baseDepth: number;

  constructor(
    private readonly run: LineRunner,
    vars: ReadonlyMap<string, bigint> = new Map(),
  ) {
    this.#scope = [...vars.keys()];
    this.#slots = [...vars.values()];
    this.#baseDepth = this.#scope.length;
  }

  /** True while a `repeat` block is waiting for its `end`. */
  get pending(): boolean {
    return this.#open.length > 0;
  }

  /** Takes one line: runs it, or keeps it for the `repeat` block being read. */
  feed(source: SourceLine): void {
    const text = stripComment(source.text);
    if (text === '') return;
    const head = headWord(text);
    try {
      if (head === 'repeat') return this.#startBlock(source, text);
      if (head === 'end') return this.#endBlock(text);
      const open = this.#open;
      if (open.length > 0) {
        open[open.length - 1]!.body.push({ kind: LINE, line: source.line, text, head, template: compileTemplate(text, this.#scope) });
      } else if (this.#baseDepth === 0) {
        this.run(text);
      } else {
        const template = compileTemplate(text, this.#scope);
        this.run(template === null ? text : render(template, this.#slots, head));
      }
    } catch (error) {
      if (error instanceof ScriptError && error.line === 0) error.line = source.line;
      // A block with a bad repeat or end line never runs: start over at the top level.
      this.#open = [];
      this.#scope.length = this.#baseDepth;
      throw error;
    }
  }

  /** At the end of the input: a block still open is an error on its outermost `repeat` line. */
  finish(): void {
    const outer = this.#open[0];
    this.#open = [];
    this.#scope.length = this.#baseDepth;
    if (outer !== undefined) {
      const error = new ScriptError('repeat without end');
      error.line = outer.line;
      throw error;
    }
  }

  #startBlock(source: SourceLine, text: string): void {
    // A {count expression} is one word however many spaces it holds: `repeat {n + 1} j`.
    const w = headerWords(text);
    if (w.length < 2 || w.length > 3) throw new ScriptError('repeat: expected `repeat <count> [variable]`');
    const variable = w[2] ?? 'i';
    if (!isIdentifier(variable)) throw new ScriptError(`repeat: bad variable name ${quote(variable)}`);
    const word = w[1]!;
    const braced = word.length >= 2 && word.charCodeAt(0) === 123 && word.charCodeAt(word.length - 1) === 125;
    const count = compileExpression(braced ? word.slice(1, -1) : word, this.#scope);
    const block: BlockNode = { kind: BLOCK, line: source.line, count, slot: this.#scope.length, body: [] };
    const open = this.#open;
    if (open.length > 0) open[open.length - 1]!.body.push(block);
    open.push(block);
    this.#scope.push(variable);
  }

  #endBlock(text: string): void {
    if (this.#open.length === 0) throw new ScriptError('end without repeat');
    if (wordStart(text, 1) < text.length) throw new ScriptError('end: too many arguments (expected end)');
    const block = this.#open.pop()!;
    this.#scope.pop();
    if (this.#open.length === 0) this.#runBlock(block);
  }

  /** Runs a whole block: a loop over explicit frames (block, next line, iteration, count), no recursion. */
  #runBlock(root: BlockNode): void {
    const slots = this.#slots;
    const blocks: BlockNode[] = [];
    const next: number[] = [];
    const iteration: bigint[] = [];
    const counts: bigint[] = [];
    let top = -1;
    let entering: BlockNode | null = root;
    for (;;) {
      if (entering !== null) {
        const count = blockCount(entering, slots);
        if (count > 0n) {
          top++;
          blocks[top] = entering;
          next[top] = 0;
          iteration[top] = 0n;
          counts[top] = count;
          slots[entering.slot] = 0n;
        }
        entering = null;
      }
      if (top < 0) break;
      const block = blocks[top]!;
      const pc = next[top]!;
      if (pc < block.body.length) {
        next[top] = pc + 1;
        const node = block.body[pc]!;
        if (node.kind === BLOCK) entering = node;
        else this.#runLine(node, slots);
      } else {
        const i = iteration[top]! + 1n;
        if (i < counts[top]!) {
          iteration[top] = i;
          slots[block.slot] = i;
          next[top] = 0;
        } else {
          top--;
        }
      }
    }
    slots.length = this.#baseDepth;
  }

  #runLine(node: LineNode, slots: readonly bigint[]): void {
    try {
      this.run(node.template === null ? node.text : render(node.template, slots, node.head));
    } catch (error) {
      if (error instanceof ScriptError && error.line === 0) error.line = node.line;
      throw error;
    }
  }
}

/** A block's count, evaluated now (an error names the block's repeat line). */
function blockCount(block: BlockNode, slots: readonly bigint[]): bigint {
  try {
    if ('why' in block.count) throw expressionError(block.count);
    const count = evaluateExpression(block.count, slots);
    if (count < 0n || count > MAX_REPEAT_COUNT) throw new ScriptError(`count ${count} is out of range (0 to ${MAX_REPEAT_COUNT})`);
    return count;
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    const tagged = new ScriptError(`repeat: ${error.message}`);
    tagged.line = block.line;
    throw tagged;
  }
}

/** A line with its {expressions} replaced by their values; an error is reported under the line's command. */
function render(template: Template, slots: readonly bigint[], head: string): string {
  const { parts, expressions } = template;
  let text = parts[0]!;
  for (let k = 0; k < expressions.length; k++) {
    const expression = expressions[k]!;
    try {
      if ('why' in expression) throw expressionError(expression);
      text += evaluateExpression(expression, slots).toString() + parts[k + 1]!;
    } catch (error) {
      if (error instanceof ScriptError) throw new ScriptError(`${head}: ${error.message}`);
      throw error;
    }
  }
  return text;
}

/** Letters, digits and `_`, not starting with a digit. */
export function isIdentifier(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

/** The words of a repeat line: a `{…}` group (no braces inside) is one word, spaces and all; a lone brace is a word. */
function headerWords(text: string): string[] {
  const result: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return result;
    const start = i;
    const c = text.charCodeAt(i);
    if (c === 123) {
      let close = i + 1;
      while (close < n && text.charCodeAt(close) !== 123 && text.charCodeAt(close) !== 125) close++;
      i = close < n && text.charCodeAt(close) === 125 ? close + 1 : i + 1;
    } else if (c === 125) {
      i++;
    } else {
      while (i < n && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 123 && text.charCodeAt(i) !== 125) i++;
    }
    result.push(text.slice(start, i));
  }
}
