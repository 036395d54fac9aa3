import { progressBar, type Progress } from './progress.js'

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
}

/** Where results go: one JSON document on stdout with --json, text otherwise; notes and bars on stderr. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly io: Io,
  ) {}

  /** The command's result: `doc` as JSON, or the text `human` renders. */
  result(doc: unknown, human: () => string): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(doc)}\n` : `${human()}\n`)
  }

  /** A line for people (hints, warnings); never on stdout, so --json output stays one document. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`)
  }

  progress(label: string, total: number): Progress {
    return progressBar(this.io.stderr, !this.json && this.io.stderr.isTTY === true, label, total)
  }

  /** For watch: true when a line can be redrawn in place. */
  get live(): boolean {
    return !this.json && this.io.stdout.isTTY === true
  }

  write(text: string): void {
    this.io.stdout.write(text)
  }
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`
}

/** Left-aligned first column, right-aligned others. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '),
    )
    .join('\n')
}
