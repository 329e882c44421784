// The example scripts the editor offers: every examples/*.vmsim of the repository (the COW tour first),
// bundled into the app as text at build time.

const files = import.meta.glob('../../../examples/*.vmsim', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export interface Example {
  /** The file name without .vmsim: `cow-tour`. */
  readonly name: string;
  readonly text: string;
}

export const EXAMPLES: readonly Example[] = Object.entries(files)
  .map(([path, text]) => ({ name: path.slice(path.lastIndexOf('/') + 1, -'.vmsim'.length), text }))
  .sort((a, b) => (a.name === 'cow-tour' ? -1 : b.name === 'cow-tour' ? 1 : a.name.localeCompare(b.name)));

/** The example shown first: the COW tour. */
export const DEFAULT_EXAMPLE: Example = EXAMPLES[0]!;
