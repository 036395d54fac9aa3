/** A variable's value is not a usable TCP port. */
export class PortConfigError extends Error {
  constructor(
    readonly variable: string,
    value: string,
  ) {
    super(`${variable} must be a TCP port from 1 to 65535, got "${value}"`)
    this.name = 'PortConfigError'
  }
}

/** The port a variable names, or the default when it is unset or empty. */
export function portFromEnv(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable]
  if (raw === undefined || raw.trim() === '') return fallback
  const port = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || port < 1 || port > 65535) throw new PortConfigError(variable, raw)
  return port
}
