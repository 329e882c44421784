// The CLI's window on the world, passed to `main` so tests run the CLI in-process with fake streams.

export interface Io {
  /** Writes one line to standard output (possibly held back in a buffer until `flush`). */
  stdout(line: string): void;
  /** Writes one line to standard error (after whatever standard output holds back, so the order stays right). */
  stderr(line: string): void;
  /** Writes out what standard output holds back, when it buffers (`nodeIo` does); `main` calls it as it ends. */
  flush?(): void;
  /** Reads a whole text file; throws an Error with `code` 'ENOENT' when it does not exist. */
  readFile(path: string): string;
  /** The lines of standard input. With `prompt` and a terminal, an interactive line editor with history. */
  lines(prompt?: string): AsyncIterable<string>;
  /** Standard input is a terminal. */
  readonly interactive: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}
