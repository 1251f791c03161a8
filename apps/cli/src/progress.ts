/** Renders @xrec/core progress as terminal bars (cli-progress) on stderr; plain lines when not a TTY. */
import cliProgress from 'cli-progress';
import type { Progress, ProgressInfo, ProgressTask } from '@xrec/core';

function fmtInfo(info?: ProgressInfo): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join(' ');
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  return {
    start(label: string, total = 0): ProgressTask {
      if (!tty) {
        const t0 = Date.now();
        let done = 0;
        let lastPrint = 0;
        const print = (info?: ProgressInfo, final = false) => {
          const now = Date.now();
          if (!final && now - lastPrint < 2000) return;
          lastPrint = now;
          const pct = total > 0 ? ` ${Math.round((100 * done) / total)}%` : '';
          const elapsed = (now - t0) / 1000;
          const eta = total > 0 && done > 0 && !final ? ` eta ${Math.round((elapsed * (total - done)) / done)}s` : '';
          stream.write(`${label}: ${done}${total > 0 ? `/${total}` : ''}${pct} ${elapsed.toFixed(1)}s${eta} ${fmtInfo(info)}\n`);
        };
        return {
          tick: (n = 1, info) => {
            done += n;
            print(info);
          },
          update: (d, info) => {
            done = d;
            print(info);
          },
          finish: (info) => print(info, true),
        };
      }
      const bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% {value}/{total} | eta {eta_formatted} | {info}`, stream, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { info: '' });
      return {
        tick: (n = 1, info) => bar.increment(n, { info: fmtInfo(info) }),
        update: (d, info) => bar.update(d, { info: fmtInfo(info) }),
        finish: (info) => {
          bar.update(total, { info: fmtInfo(info) });
          bar.stop();
        },
      };
    },
    log(message: string) {
      stream.write(`${message}\n`);
    },
  };
}
