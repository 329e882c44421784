// @vmsim/sim-api/script: the scenario language (script reader, session and its commands, expressions, word
// parsing) that the cli and the web app both run. Browser-safe: no Node API.

export * from './errors.js';
export * from './expression.js';
export * from './parse.js';
export * from './script.js';
export * from './session.js';
export * from './file-commands.js';
export * from './mm-commands.js';
export * from './pt-commands.js';
