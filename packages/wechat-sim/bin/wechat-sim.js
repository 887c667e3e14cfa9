#!/usr/bin/env node
// A committed file, so that pnpm can link the command at install time, before dist/ is built.
import '../dist/cli.js';
