#!/usr/bin/env node
// Entry point installed as the `sluice` command; the CLI itself is compiled TypeScript.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
