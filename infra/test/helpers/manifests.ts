import { parseAllDocuments } from 'yaml'
import { listFiles, readRepoFile } from './repo.js'

/** A parsed YAML/JSON object: its shape is what the tests assert. */
export type Json = Record<string, any>

/** Every YAML document of a file, as plain JS; a syntax error fails with the file's name. */
export function parseYamlFile(path: string): Json[] {
  const docs = parseAllDocuments(readRepoFile(path), { merge: true, prettyErrors: true })
  return docs
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`)
      return doc.toJS() as Json
    })
    .filter((doc) => doc !== null && doc !== undefined)
}

/** Every Kubernetes object under infra/k8s, with the file it came from. */
export function k8sObjects(): Array<Json & { file: string }> {
  return listFiles('infra/k8s')
    .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('kustomization.yaml'))
    .flatMap((file) => parseYamlFile(file).map((doc) => ({ ...doc, file })))
}

export function findObject(objects: Json[], kind: string, name: string): Json | undefined {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name)
}

/** A compose `environment:` as a map, whether written as a map or as a list of NAME=value. */
export function composeEnvironment(service: Json): Record<string, string> {
  const env = service.environment ?? {}
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry: string) => {
        const eq = entry.indexOf('=')
        return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)]
      }),
    )
  }
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) =>
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- env values in a manifest are scalars
      [k, v === null ? '' : String(v)],
    ),
  )
}

/** Compose interpolation with every variable unset: `${X:-d}` → d, `${X}` / `${X:?…}` → `<X>`. */
export function composeDefaults(value: string): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (_all, name: string, op: string | undefined, arg: string | undefined) =>
      op?.endsWith('-') ? (arg ?? '') : `<${name}>`,
  )
}

/** The variables a compose file interpolates. */
export function composeReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort()
}

export interface ContainerEnv {
  /** Every variable name the container gets, from env and from envFrom ConfigMaps/Secrets. */
  names: Set<string>
  /** Literal values (env value or ConfigMap data). */
  values: Map<string, string>
  /** Where each secret-backed variable comes from: `Secret/name/key`. */
  secretRefs: Map<string, string>
  /** Which ConfigMap a ConfigMap-backed variable comes from. */
  configMapRefs: Map<string, string>
}

/** What a container's env and envFrom resolve to against the objects of the kustomization. */
export function containerEnv(container: Json, objects: Json[]): ContainerEnv {
  const result: ContainerEnv = { names: new Set(), values: new Map(), secretRefs: new Map(), configMapRefs: new Map() }
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret'
    const object = findObject(objects, kind, ref?.name)
    if (!object) throw new Error(`envFrom names ${kind} ${ref?.name}, which infra/k8s does not define`)
    const data = { ...(object.data ?? {}), ...(object.stringData ?? {}) }
    for (const [key, value] of Object.entries(data)) {
      const name = `${source.prefix ?? ''}${key}`
      result.names.add(name)
      if (kind === 'ConfigMap') {
        result.values.set(name, String(value))
        result.configMapRefs.set(name, ref.name)
      } else result.secretRefs.set(name, `Secret/${ref.name}/${key}`)
    }
  }
  for (const entry of container.env ?? []) {
    result.names.add(entry.name)
    if (entry.value !== undefined) result.values.set(entry.name, String(entry.value))
    const secret = entry.valueFrom?.secretKeyRef
    if (secret) {
      const object = findObject(objects, 'Secret', secret.name)
      const data = { ...(object?.data ?? {}), ...(object?.stringData ?? {}) }
      if (!object || !(secret.key in data))
        throw new Error(`${entry.name} reads Secret ${secret.name} key ${secret.key}, which infra/k8s does not define`)
      result.secretRefs.set(entry.name, `Secret/${secret.name}/${secret.key}`)
    }
    const configMap = entry.valueFrom?.configMapKeyRef
    if (configMap) {
      const object = findObject(objects, 'ConfigMap', configMap.name)
      if (!object || !(configMap.key in (object.data ?? {})))
        throw new Error(
          `${entry.name} reads ConfigMap ${configMap.name} key ${configMap.key}, which infra/k8s does not define`,
        )
      result.values.set(entry.name, String(object.data[configMap.key]))
      result.configMapRefs.set(entry.name, configMap.name)
    }
  }
  return result
}
