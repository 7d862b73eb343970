/** A progress bar on stderr when it is a terminal; silent otherwise. */
import type { Progress } from '../use-cases/deps.js';

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ((label: string) => Progress) | undefined {
  if (!stream.isTTY) return undefined;
  return (label: string) => {
    let last = 0;
    const started = Date.now();
    return {
      update(fraction, text) {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        const width = 24;
        const bar = fraction === null ? '' : `[${'#'.repeat(Math.round(Math.min(1, fraction) * width)).padEnd(width, '.')}] ${(Math.min(1, fraction) * 100).toFixed(0).padStart(3)}% `;
        stream.write(`\r\x1b[2K${label} ${bar}${text} ${((now - started) / 1000).toFixed(1)} s`);
      },
      done() {
        if (last > 0) stream.write('\r\x1b[2K');
      },
    };
  };
}
