import { readRepoFile } from './repo.js'

/**
 * The environment variables a config.ts declares, read from its source text: the keys of its JSON
 * schema fragments (`NAME: {` or `PORT: portFragment(`), and, as a check on that reading, the keys
 * of the config interface it declares. The two must agree, or the parse missed something.
 */
export interface DeclaredVariables {
  schema: string[]
  interface: string[]
}

export function declaredVariables(path: string): DeclaredVariables {
  const source = readRepoFile(path)
  const schema = new Set<string>()
  for (const match of source.matchAll(/\b([A-Z][A-Z0-9_]*):\s*(?:\{|portFragment\()/g)) schema.add(match[1]!)
  const fields = new Set<string>()
  for (const block of source.matchAll(/\binterface\s+\w+Config\b[^{]*\{([^}]*)\}/g)) {
    for (const match of block[1]!.matchAll(/^\s*([A-Z][A-Z0-9_]*)\??\s*:/gm)) fields.add(match[1]!)
  }
  return { schema: [...schema].sort(), interface: [...fields].sort() }
}

export const SHARED_CONFIG = 'packages/service-kit/src/config.ts'

/** Every variable a service reads: the shared ones (when its config uses configSchema) plus its own. */
export function variablesRead(serviceConfigPath: string): string[] {
  const own = declaredVariables(serviceConfigPath).schema
  const usesShared = /\bconfigSchema\(/.test(readRepoFile(serviceConfigPath))
  const shared = usesShared ? declaredVariables(SHARED_CONFIG).schema : []
  return [...new Set([...shared, ...own])].sort()
}

/** The service's DEFAULT_PORT constant. */
export function defaultPort(serviceConfigPath: string): number | undefined {
  const match = /export const DEFAULT_PORT\s*=\s*(\d+)/.exec(readRepoFile(serviceConfigPath))
  return match ? Number(match[1]) : undefined
}
