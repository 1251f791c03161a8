/** Renders @xrec/core progress as terminal bars (cli-progress) on stderr; plain lines when not a TTY. */
import cliProgress from 'cli-progress';
import { formatProgressInfo as fmtInfo, lineProgress, type Progress, type ProgressTask } from '@xrec/core';


export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  const lines = lineProgress((line) => stream.write(`${line}\n`), { everyMs: 2000 });
  return {
    start(label: string, total = 0): ProgressTask {
      if (!tty) return lines.start(label, total);
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
