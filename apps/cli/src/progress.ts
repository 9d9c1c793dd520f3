// Progress on long work, on stderr so stdout stays machine-readable: a live bar on a terminal,
// otherwise a line at most every few seconds (logs and CI stay readable).
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(value: number, detail?: string): void;
  stop(final?: string): void;
}

export function startProgress(label: string, total: number | undefined, unit = 'items'): Progress {
  if (process.stderr.isTTY && total !== undefined) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {detail}`, stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return {
      update: (value, detail = '') => bar.update(value, { detail }),
      stop: (final) => {
        bar.stop();
        if (final) console.error(`${label}: ${final}`);
      },
    };
  }
  let lastLog = 0;
  const started = Date.now();
  return {
    update: (value, detail) => {
      const now = Date.now();
      if (now - lastLog < 5000) return;
      lastLog = now;
      const of = total !== undefined ? `/${total}` : '';
      console.error(`${label}: ${value}${of} ${unit}${detail ? ` (${detail})` : ''} after ${((now - started) / 1000).toFixed(0)}s`);
    },
    stop: (final) => {
      if (final) console.error(`${label}: ${final} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    },
  };
}
