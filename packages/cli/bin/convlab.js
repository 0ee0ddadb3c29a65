#!/usr/bin/env node
// Committed entry point, so npm can link the `convlab` command before the TypeScript build runs.
import '../dist/main.js';
