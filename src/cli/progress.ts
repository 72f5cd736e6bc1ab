/** A status line on stderr while a long operation runs; stop() clears it. */
export interface Progress {
  stop(): void;
}

/**
 * Shows `label… Ns` on stderr, refreshed every 200 ms, when `enabled` and stderr is a terminal; otherwise does nothing,
 * so pipes, CI logs and --json output stay clean.
 */
export function startProgress(label: string, enabled: boolean): Progress {
  const stream = process.stderr;
  if (!enabled || !stream.isTTY) return { stop: () => undefined };
  const started = Date.now();
  const draw = () => stream.write(`\r${label}… ${Math.floor((Date.now() - started) / 1000)}s`);
  draw();
  const timer = setInterval(draw, 200);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
