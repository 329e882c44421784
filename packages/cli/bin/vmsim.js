#!/usr/bin/env node
// The `vmsim` command: the built CLI (dist/bin.js). A committed file, so that a workspace install can link the
// bin before anything is built (a package that depends on @vmsim/cli would otherwise warn on a fresh install).
import '../dist/bin.js';
