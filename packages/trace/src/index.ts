// @vmsim/trace: streaming readers of memory-access traces and the page-reference stream built from them.
export { TraceArgumentError, TraceError, TraceFormatError } from './errors.js';
export {
  detectFormat,
  KIND_I,
  KIND_L,
  KIND_LETTERS,
  KIND_M,
  KIND_S,
  TRACE_FORMATS,
  type TraceFormat,
} from './format.js';
export { PageIdTable } from './page-ids.js';
export { PageStream, parseKinds, type PageStreamFinishOptions, type PageStreamOptions, type PageTrace } from './page-stream.js';
export { readPageTrace, readPageTraceAsync, type ReadTraceOptions, type ReadTraceResult } from './read-trace.js';
export { KEPT_ERRORS, MAX_LINE, TraceReader, type TraceBatch, type TraceReaderOptions } from './reader.js';
