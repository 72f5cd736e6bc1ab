#!/usr/bin/env node
// The `modelctl` executable: runs the compiled CLI (npm run build, or any of the README commands, compiles it).
void require('../dist/cli/main.js').main(process.argv);
