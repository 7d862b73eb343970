#!/usr/bin/env node
import { main } from './main.js';

// A reader that stops early (`hubday compliance … | head`) closes the pipe: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`hubday: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
