/**
 * A one-line progress bar redrawn with `\r` on a terminal's stderr. Off for --json and when stderr is not
 * a terminal (a log file or a test), so scripts see only the results.
 */
export interface Progress {
  update(done: number): void
  done(): void
}

const WIDTH = 30

export function renderBar(label: string, done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1
  const filled = Math.round(ratio * WIDTH)
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${(ratio * 100).toFixed(0)}%`
}

export function progressBar(stream: NodeJS.WritableStream, enabled: boolean, label: string, total: number): Progress {
  if (!enabled) return { update: () => {}, done: () => {} }
  let last = ''
  const draw = (done: number) => {
    const line = renderBar(label, done, total)
    if (line === last) return
    last = line
    stream.write(`\r\x1b[K${line}`)
  }
  draw(0)
  return {
    update: draw,
    done: () => stream.write('\n'),
  }
}
