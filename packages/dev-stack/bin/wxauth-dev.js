#!/usr/bin/env node
// A committed file, so that pnpm can link the command at install time, before dist/ is built
// (turbo builds it first: the dev tasks depend on ^build).
import '../dist/cli.js';
