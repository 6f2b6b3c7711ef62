/** A progress bar on a terminal (cli-progress), plain lines otherwise. */
import cliProgress from 'cli-progress';
import type { EngineEvents } from '../context.ts';
import type { Out } from './output.ts';

export function progressEvents(out: Out, quiet: boolean): { events: EngineEvents; stop(): void } {
  if (quiet) return { events: {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format: '{step} [{bar}] {value}/{total}', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    let current = '';
    return {
      events: {
        progress(step, done, total) {
          if (step !== current) {
            if (current) bar.stop();
            current = step;
            bar.start(total ?? done, done, { step });
          }
          if (total === undefined) bar.setTotal(done);
          bar.update(done, { step });
        },
      },
      stop: () => { if (current) bar.stop(); },
    };
  }
  let last = 0;
  return {
    events: {
      progress(step, done, total) {
        // Plain lines at most every 10,000 objects, so logs stay readable.
        if (done - last < 10_000 && done !== total) return;
        last = done;
        out(`${step}: ${done}${total !== undefined ? `/${total}` : ''}`);
      },
    },
    stop() {},
  };
}
