/**
 * A status line while a scenario runs: rewritten in place with `\r` on a terminal, printed as a new
 * line every few seconds when the output goes to a file.
 */
export function startProgressLine(render: () => string): { stop(): void } {
  const terminal = process.stdout.isTTY === true;
  const draw = () => process.stdout.write(terminal ? `\r${render().padEnd(110)}` : `${render()}\n`);
  const timer = setInterval(draw, terminal ? 250 : 5_000);
  return {
    stop() {
      clearInterval(timer);
      draw();
      if (terminal) process.stdout.write('\n');
    },
  };
}
