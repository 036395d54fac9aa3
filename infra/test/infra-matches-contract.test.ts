import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t, { type Test } from 'tap'
import { declaredVariables, defaultPort, SHARED_CONFIG, variablesRead } from './helpers/config-source.js'
import {
  copies,
  execForm,
  instructions,
  parseDockerfile,
  stageChain,
  stageEnv,
  type Stage,
} from './helpers/dockerfile.js'
import {
  composeDefaults,
  composeEnvironment,
  composeReferences,
  containerEnv,
  findObject,
  k8sObjects,
  parseYamlFile,
  type Json,
} from './helpers/manifests.js'
import { metricDefinitions, parseQuery, resolveSeries } from './helpers/promql.js'
import {
  INFRA_DIR,
  listFiles,
  readJson,
  readRepoFile,
  REPO_ROOT,
  runtimeWorkspaceDeps,
  workspaceDirs,
} from './helpers/repo.js'

// The contract (../shared/CONTRACT.md): ports of the processes and the probe paths.
const SERVICES = {
  'guild-api': { port: 3000, dir: 'services/guild-api', pkg: '@guild/guild-api' },
  'permission-service': { port: 3001, dir: 'services/permission-service', pkg: '@guild/permission-service' },
} as const
type ServiceName = keyof typeof SERVICES
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[]
const PROBES = { live: '/health/live', ready: '/health/ready' }
const REDIS_PORT = 6379

/**
 * Variables the deployments leave to the code's default on purpose, and why. Every other variable a
 * service reads must be set (by its image, compose and Kubernetes); a new variable in a config.ts
 * fails this test until someone decides which it is.
 */
const LEFT_TO_DEFAULT: Record<ServiceName, Record<string, string>> = {
  'permission-service': {
    REDIS_CLUSTER_NODES: 'one Redis, named by REDIS_URL',
    PERMISSION_L1_TTL_MS: 'the designed staleness bound (3 s); a tuning knob',
    PERMISSION_L1_MAX: 'a tuning knob',
    PERMISSION_DB_TIMEOUT_MS: 'a tuning knob',
    PERMISSION_REFILL_MAX: 'a tuning knob',
  },
  'guild-api': {
    REDIS_CLUSTER_NODES: 'one Redis, named by REDIS_URL',
    PERMISSION_DEADLINE_MS: 'a tuning knob',
    BNET_OAUTH_URL: "Battle.net's real URL (compose passes it through)",
    BNET_API_URL: "Battle.net's real URL (compose passes it through)",
    BNET_TIMEOUT_MS: 'a tuning knob',
    BNET_MAX_RETRIES: 'a tuning knob',
    COOKIE_SECRET: 'derived from SERVICE_TOKEN, which every replica shares',
    SESSION_TTL_S: 'a product decision the code already makes (7 days)',
    SETTINGS_MAX_BYTES: 'a product decision the code already makes',
    CACHE_MEMORY_TTL_MS: 'a tuning knob (the in-process tier; the bus keeps it fresh)',
    CACHE_OUTBOX_INTERVAL_MS: "a tuning knob (how soon a dead writer's invalidations are delivered; 1 s)",
    AUTH_RATE_LIMIT_MAX: 'a tuning knob (30 requests a minute per client IP on /auth/*)',
    TRUST_PROXY: "the load balancer's addresses, which only the operator knows (none trusted until then)",
    ROSTER_SYNC_INTERVAL_S: "the contract's default (hourly)",
    BNET_RATE_PER_S: "Battle.net's own limit (100 a second), shared by every replica through Redis",
    BNET_RATE_PER_HOUR: "Battle.net's own limit (36,000 an hour), shared by every replica through Redis",
    BNET_RATE_INSTANCES: "a tuning knob (each replica's share of the quota while Redis is down)",
    GUILD_WRITE_RATE_LIMIT_MAX: 'a tuning knob (10 registrations or syncs a minute per user)',
  },
}
/** A production deployment cannot run without these (the contract; NODE_ENV=production). */
const REQUIRED = ['DATABASE_URL', 'SERVICE_TOKEN']
/** Never in a ConfigMap, never literal in compose. */
const SECRETS = ['SERVICE_TOKEN', 'DATABASE_URL', 'BNET_CLIENT_SECRET', 'COOKIE_SECRET']

const configPath = (name: ServiceName): string => `${SERVICES[name].dir}/src/config.ts`
const dockerfilePath = (name: ServiceName): string => `infra/docker/${name}.Dockerfile`

function dockerStages(name: ServiceName): Stage[] {
  return parseDockerfile(readRepoFile(dockerfilePath(name)))
}

/** What the image itself sets: the final stage's ENV. */
function imageEnv(name: ServiceName): Record<string, string> {
  return stageEnv(dockerStages(name).at(-1)!)
}

/** One deployment target's variables for a service, against what its code reads. */
function checkVariables(t: Test, name: ServiceName, target: string, set: Iterable<string>): void {
  const read = variablesRead(configPath(name))
  const effective = new Set([...Object.keys(imageEnv(name)), ...set])
  const defaults = Object.keys(LEFT_TO_DEFAULT[name])
  t.same(
    [...effective].filter((v) => !read.includes(v)),
    [],
    `${target}: ${name} is given only variables its code reads`,
  )
  t.same(
    read.filter((v) => !effective.has(v) && !defaults.includes(v)),
    [],
    `${target}: every variable ${name} reads is set or deliberately left to its default`,
  )
  t.same(
    REQUIRED.filter((v) => !effective.has(v)),
    [],
    `${target}: ${name} gets ${REQUIRED.join(' and ')}`,
  )
}

function urlOf(value: string | undefined): URL | undefined {
  return value !== undefined && URL.canParse(value) ? new URL(value) : undefined
}

function redisSettings(args: string[]): Record<string, string | undefined> {
  const valueOf = (flag: string): string | undefined => {
    const i = args.indexOf(flag)
    return i === -1 ? undefined : args[i + 1]
  }
  return {
    maxmemory: valueOf('--maxmemory'),
    policy: valueOf('--maxmemory-policy'),
    save: valueOf('--save'),
    appendonly: valueOf('--appendonly'),
  }
}
// The seed: maxmemory 256mb, allkeys-lru. A cache needs no persistence.
const SEED_REDIS = { maxmemory: '256mb', policy: 'allkeys-lru', save: '', appendonly: 'no' }

t.test('the config schemas are read from the source, as the contract names them', async (t) => {
  for (const path of [SHARED_CONFIG, ...SERVICE_NAMES.map(configPath)]) {
    const declared = declaredVariables(path)
    t.ok(declared.schema.length > 0, `${path} declares variables`)
    t.same(declared.schema, declared.interface, `${path}: the schema's properties are its config interface's fields`)
  }
  const shared = ['DATABASE_URL', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'SERVICE_TOKEN', 'LOG_LEVEL', 'HOST', 'PORT']
  for (const name of SERVICE_NAMES) {
    const read = variablesRead(configPath(name))
    t.same(
      shared.filter((v) => !read.includes(v)),
      [],
      `${name} reads the contract's shared variables`,
    )
    t.equal(defaultPort(configPath(name)), SERVICES[name].port, `${name}'s DEFAULT_PORT is the contract's`)
  }
  const guildApi = variablesRead(configPath('guild-api'))
  const own = [
    'PERMISSION_SERVICE_URL',
    'PUBLIC_URL',
    'CORS_ORIGINS',
    'BNET_REGION',
    'BNET_CLIENT_ID',
    'BNET_CLIENT_SECRET',
    'BNET_OAUTH_URL',
    'BNET_API_URL',
  ]
  t.same(
    own.filter((v) => !guildApi.includes(v)),
    [],
    "guild-api reads the contract's own variables",
  )
  for (const name of SERVICE_NAMES) {
    const read = variablesRead(configPath(name))
    t.same(
      Object.keys(LEFT_TO_DEFAULT[name]).filter((v) => !read.includes(v)),
      [],
      `${name}: the left-to-default list names only variables it reads`,
    )
  }
})

t.test('the probe paths exist in the code and both services serve them', async (t) => {
  const health = readRepoFile('packages/service-kit/src/health.ts')
  for (const path of Object.values(PROBES)) t.match(health, `'${path}'`, `service-kit's health plugin serves ${path}`)
  for (const name of SERVICE_NAMES) {
    t.match(
      readRepoFile(`${SERVICES[name].dir}/src/app.ts`),
      /register\(healthPlugin/,
      `${name} registers the health plugin`,
    )
  }
})

for (const name of SERVICE_NAMES) {
  t.test(`${name}'s Dockerfile builds the service the contract describes`, async (t) => {
    const { port, dir, pkg } = SERVICES[name]
    const text = readRepoFile(dockerfilePath(name))
    const stages = dockerStages(name)
    const runtime = stages.at(-1)!
    const byName = (stage: string): Stage => {
      const found = stages.find((s) => s.name === stage)
      if (!found) throw new Error(`${dockerfilePath(name)} has no stage ${stage}`)
      return found
    }

    const baseImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1]
    t.match(baseImage, /^node:20-(bookworm-slim|alpine)$/, 'the base image is Node 20')
    for (const stage of stages) {
      t.ok(
        stage.from === '${NODE_IMAGE}' || stages.some((s) => s.name === stage.from),
        `stage ${stage.name} starts from the Node image or a stage`,
      )
    }

    const env = stageEnv(runtime)
    t.same(
      { NODE_ENV: env.NODE_ENV, HOST: env.HOST, PORT: env.PORT },
      { NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(port) },
      'runtime: production, every interface, the contract port',
    )
    const read = variablesRead(configPath(name))
    t.same(
      Object.keys(env).filter((v) => !read.includes(v)),
      [],
      'the image sets only variables the service reads',
    )
    t.same(
      instructions(runtime, 'EXPOSE').map((i) => i.args),
      [String(port)],
      `EXPOSE ${port}`,
    )

    const user = instructions(runtime, 'USER').at(-1)?.args
    t.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `runs as a non-root user (${user})`)

    const healthcheck = instructions(runtime, 'HEALTHCHECK').at(-1)?.args ?? ''
    const probe = execForm(healthcheck)
    t.equal(probe?.[0], 'node', 'HEALTHCHECK runs node (no curl in the image)')
    const script = probe?.slice(1).join(' ') ?? ''
    t.match(script, /fetch\(/, 'HEALTHCHECK uses fetch')
    t.match(script, PROBES.live, `HEALTHCHECK probes ${PROBES.live}`)
    t.match(script, new RegExp(`process\\.env\\.PORT \\|\\| ${port}\\b`), `HEALTHCHECK targets PORT, else ${port}`)
    t.match(script, /127\.0\.0\.1/, 'HEALTHCHECK calls the process inside the container')

    t.same(
      execForm(instructions(runtime, 'CMD').at(-1)?.args ?? ''),
      ['node', `${dir}/dist/server.js`],
      'CMD starts the compiled server',
    )
    t.ok(existsSync(join(REPO_ROOT, dir, 'src/server.ts')), `${dir}/src/server.ts exists, so dist/server.js will`)

    // npm ci checks the lock file against every workspace's package.json: all must be copied.
    const deps = byName('deps')
    const build = byName('build')
    for (const stage of [deps, build]) {
      const copied = stageChain(stages, stage).flatMap((s) =>
        copies(s)
          .filter((c) => c.from === undefined)
          .flatMap((c) => c.sources),
      )
      const manifests = ['package.json', 'package-lock.json', ...workspaceDirs().map((w) => `${w}/package.json`)]
      t.same(
        manifests.filter((m) => !copied.includes(m)),
        [],
        `stage ${stage.name} has the lock file and every workspace's package.json`,
      )
    }
    const runs = (stage: Stage): string =>
      instructions(stage, 'RUN')
        .map((i) => i.args)
        .join('\n')
    t.match(runs(build), new RegExp(`npm ci\\b.*--workspace ${pkg}\\b`), 'build: npm ci for the service')
    t.match(runs(build), new RegExp(`npm run build --workspace ${pkg}\\b`), 'build: npm run build for the service')
    t.match(
      runs(deps),
      new RegExp(`npm ci\\b.*--omit=dev.*--workspace ${pkg}\\b`),
      'deps: production dependencies of the service',
    )

    const needed = [...runtimeWorkspaceDeps(dir), dir].sort()
    t.ok(needed.includes('packages/db'), 'the service imports @guild/db (whose migrations the image needs)')
    const buildSources = copies(build).flatMap((c) => c.sources)
    t.same(
      needed.filter((d) => !buildSources.includes(`${d}/src`) || !buildSources.includes(`${d}/tsconfig.json`)),
      [],
      'build: the sources of the service and of every workspace it imports',
    )
    const runtimeCopies = copies(runtime)
    t.ok(
      runtimeCopies.some((c) => c.from === 'deps' && c.sources.includes('/app')),
      'runtime: node_modules from the deps stage',
    )
    const dists = runtimeCopies
      .filter((c) => c.from === 'build')
      .map((c) => c.dest.replace(/\/dist\/?$/, ''))
      .sort()
    t.same(dists, needed, 'runtime: the compiled dist/ of the service and of exactly the workspaces it imports')
    for (const c of runtimeCopies.filter((c) => c.from === 'build'))
      t.same(c.sources, [`/app/${c.dest}`], `${c.dest} comes from the same path of the build`)
    t.ok(
      runtimeCopies.some((c) => c.from === undefined && c.sources.includes('packages/db/migrations')),
      "runtime: @guild/db's migrations",
    )

    for (const stage of stages) {
      for (const c of copies(stage).filter((c) => c.from === undefined)) {
        for (const source of c.sources)
          t.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source} exists in the build context (the repo root)`)
      }
    }
  })
}

t.test('docker-compose.yml runs both services as the contract and the code say', async (t) => {
  const text = readRepoFile('infra/docker-compose.yml')
  const [compose] = parseYamlFile('infra/docker-compose.yml')
  const services: Record<string, Json> = compose!.services
  t.match(services.postgres?.image, /^postgres:16\b/, 'PostgreSQL 16')
  t.match(services.redis?.image, /^redis:7\b/, 'Redis 7')
  t.ok(services.postgres?.healthcheck?.test, 'postgres has a healthcheck')
  t.ok(services.redis?.healthcheck?.test, 'redis has a healthcheck')
  t.same(
    redisSettings(services.redis?.command ?? []),
    SEED_REDIS,
    "Redis: the seed's maxmemory and policy, no persistence",
  )

  const envs = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, composeEnvironment(services[name] ?? {})]),
  ) as Record<ServiceName, Record<string, string>>
  for (const name of SERVICE_NAMES) {
    const service = services[name]
    t.ok(service, `compose defines ${name}`)
    t.equal(resolve(INFRA_DIR, service?.build?.context ?? '.'), resolve(REPO_ROOT), `${name} builds from the repo root`)
    t.equal(service?.build?.dockerfile, dockerfilePath(name), `${name} builds ${dockerfilePath(name)}`)
    const mapped = (service?.ports ?? []).map((p: string | number) => Number(String(p).split(':').at(-1)))
    t.same(mapped, [SERVICES[name].port], `${name} publishes the contract port ${SERVICES[name].port}`)
    checkVariables(t, name, 'compose', Object.keys(envs[name]))
    t.match(
      envs[name].SERVICE_TOKEN,
      /^\$\{SERVICE_TOKEN:\?/,
      `${name}: SERVICE_TOKEN comes from the environment and is required`,
    )
    for (const secret of SECRETS.filter((s) => s in envs[name])) {
      t.match(envs[name][secret], /\$\{/, `${name}: ${secret} is interpolated, never written in the file`)
    }
    for (const dependency of ['postgres', 'redis']) {
      t.equal(
        service?.depends_on?.[dependency]?.condition,
        'service_healthy',
        `${name} waits for ${dependency} to be healthy`,
      )
    }
    const redisUrl = urlOf(composeDefaults(envs[name].REDIS_URL ?? ''))
    t.same(
      [redisUrl?.hostname, Number(redisUrl?.port || REDIS_PORT)],
      ['redis', REDIS_PORT],
      `${name}: REDIS_URL is the redis service`,
    )
    t.equal(
      urlOf(composeDefaults(envs[name].DATABASE_URL ?? ''))?.hostname,
      'postgres',
      `${name}: DATABASE_URL is the postgres service`,
    )
  }
  t.equal(
    services['guild-api']?.depends_on?.['permission-service']?.condition,
    'service_healthy',
    'guild-api starts after permission-service is live',
  )
  t.equal(
    envs['guild-api'].CACHE_BUS_CHANNEL,
    envs['permission-service'].CACHE_BUS_CHANNEL,
    'both services share the invalidation bus channel',
  )
  t.equal(
    envs['guild-api'].SERVICE_TOKEN,
    envs['permission-service'].SERVICE_TOKEN,
    'both services get the same SERVICE_TOKEN',
  )
  const permissionUrl = urlOf(composeDefaults(envs['guild-api'].PERMISSION_SERVICE_URL ?? ''))
  t.same(
    [permissionUrl?.hostname, Number(permissionUrl?.port)],
    ['permission-service', SERVICES['permission-service'].port],
    'guild-api reaches permission-service by its compose name and contract port',
  )

  const example = readRepoFile('infra/.env.example')
  const exampleNames = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!).sort()
  t.same(exampleNames, composeReferences(text), '.env.example lists exactly the variables compose interpolates')
})

t.test('the Kubernetes manifests run both services as the contract and the code say', async (t) => {
  const objects = k8sObjects()
  const [kustomization] = parseYamlFile('infra/k8s/kustomization.yaml')
  const yamlFiles = listFiles('infra/k8s')
    .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('kustomization.yaml'))
    .map((f) => f.replace('infra/k8s/', ''))
  t.same([...kustomization!.resources].sort(), yamlFiles.sort(), 'kustomization.yaml lists every manifest in infra/k8s')
  t.ok(
    findObject(objects, 'Namespace', kustomization!.namespace),
    `the Namespace ${kustomization!.namespace} is defined`,
  )

  const configMapData = objects.filter((o) => o.kind === 'ConfigMap').flatMap((o) => Object.keys(o.data ?? {}))
  t.same(
    SECRETS.filter((s) => configMapData.includes(s)),
    [],
    'no secret sits in a ConfigMap',
  )

  const tokenSecrets = objects.filter(
    (o) => o.kind === 'Secret' && 'SERVICE_TOKEN' in { ...(o.data ?? {}), ...(o.stringData ?? {}) },
  )
  t.equal(tokenSecrets.length, 1, 'one Secret holds SERVICE_TOKEN')
  const devToken = /DEV_SERVICE_TOKEN\s*=\s*'([^']+)'/.exec(readRepoFile(SHARED_CONFIG))?.[1]
  t.ok(devToken, 'the development token is found in service-kit')
  t.not(tokenSecrets[0]?.stringData?.SERVICE_TOKEN, devToken, 'the Secret does not ship the public development token')

  const envs = {} as Record<ServiceName, ReturnType<typeof containerEnv>>
  for (const name of SERVICE_NAMES) {
    const { port } = SERVICES[name]
    const deployment = findObject(objects, 'Deployment', name)
    t.ok(deployment, `a Deployment ${name}`)
    const pod = deployment?.spec?.template?.spec ?? {}
    const container: Json = (pod.containers ?? []).find((c: Json) => c.name === name) ?? {}
    const imageName = String(container.image ?? '').split(':')[0]
    t.ok(
      kustomization!.images.some((i: Json) => i.name === imageName),
      `${name}'s image is set through kustomization images`,
    )
    const portNamed = (ref: string | number): number | undefined =>
      typeof ref === 'number' ? ref : (container.ports ?? []).find((p: Json) => p.name === ref)?.containerPort
    t.same(
      (container.ports ?? []).map((p: Json) => p.containerPort),
      [port],
      `${name} listens on ${port}`,
    )
    t.equal(
      deployment?.spec?.template?.metadata?.annotations?.['prometheus.io/port'],
      String(port),
      `${name} is scraped on ${port}`,
    )
    t.equal(
      deployment?.spec?.template?.metadata?.annotations?.['prometheus.io/path'],
      '/metrics',
      `${name} is scraped at /metrics`,
    )

    for (const [probe, path] of [
      ['startupProbe', PROBES.live],
      ['livenessProbe', PROBES.live],
      ['readinessProbe', PROBES.ready],
    ] as const) {
      const get = container[probe]?.httpGet
      t.equal(get?.path, path, `${name}: ${probe} on ${path}`)
      t.equal(portNamed(get?.port), port, `${name}: ${probe} on port ${port}`)
    }
    t.ok(
      container.resources?.requests?.cpu &&
        container.resources?.requests?.memory &&
        container.resources?.limits?.memory,
      `${name} has CPU and memory requests and a memory limit`,
    )
    t.equal(pod.securityContext?.runAsNonRoot, true, `${name} runs as non-root`)
    t.equal(container.securityContext?.readOnlyRootFilesystem, true, `${name} has a read-only root filesystem`)
    t.equal(container.securityContext?.allowPrivilegeEscalation, false, `${name} cannot escalate privileges`)
    t.ok(
      (container.volumeMounts ?? []).some((m: Json) => m.mountPath === '/tmp'),
      `${name} gets a writable /tmp`,
    )

    const service = findObject(objects, 'Service', name)
    const servicePort = (service?.spec?.ports ?? [])[0] ?? {}
    t.equal(servicePort.port, port, `Service ${name} on ${port}`)
    t.equal(portNamed(servicePort.targetPort), port, `Service ${name} targets the container's ${port}`)

    const env = containerEnv(container, objects)
    envs[name] = env
    checkVariables(t, name, 'kubernetes', env.names)
    t.equal(
      env.secretRefs.get('SERVICE_TOKEN'),
      `Secret/${tokenSecrets[0]?.metadata?.name}/SERVICE_TOKEN`,
      `${name} reads SERVICE_TOKEN from the Secret`,
    )
    for (const secret of SECRETS.filter((s) => env.names.has(s)))
      t.ok(env.secretRefs.has(secret), `${name}: ${secret} comes from a Secret`)
    const redisUrl = urlOf(env.values.get('REDIS_URL'))
    const redisService = findObject(objects, 'Service', redisUrl?.hostname ?? '')
    t.ok(redisService, `${name}: REDIS_URL names a Service of the kustomization`)
    t.equal(
      Number(redisUrl?.port || REDIS_PORT),
      redisService?.spec?.ports?.[0]?.port,
      `${name}: REDIS_URL uses that Service's port`,
    )
  }
  t.equal(
    envs['guild-api'].values.get('CACHE_BUS_CHANNEL'),
    envs['permission-service'].values.get('CACHE_BUS_CHANNEL'),
    'both services share the invalidation bus channel',
  )
  t.ok(envs['guild-api'].values.get('CACHE_BUS_CHANNEL'), 'the bus channel is set')
  const permissionUrl = urlOf(envs['guild-api'].values.get('PERMISSION_SERVICE_URL'))
  t.same(
    [permissionUrl?.hostname, Number(permissionUrl?.port)],
    ['permission-service', SERVICES['permission-service'].port],
    'guild-api reaches permission-service by its Service name and contract port',
  )

  const redis = findObject(objects, 'Deployment', 'redis')
  const redisContainer = redis?.spec?.template?.spec?.containers?.[0] ?? {}
  t.match(redisContainer.image, /^redis:7\b/, 'Redis 7')
  t.same(
    redisSettings([...(redisContainer.command ?? []), ...(redisContainer.args ?? [])]),
    SEED_REDIS,
    "Redis: the seed's maxmemory and policy, no persistence",
  )

  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')
  t.equal(hpas.length, 1, 'one HorizontalPodAutoscaler')
  const hpa: Json = hpas[0] ?? {}
  t.same(
    hpa.spec?.scaleTargetRef,
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'permission-service' },
    'it scales the permission-service Deployment',
  )
  t.ok(
    hpa.spec?.metrics?.some((m: Json) => m.type === 'Resource' && m.resource?.name === 'cpu'),
    'on CPU',
  )
  t.ok(
    hpa.spec?.minReplicas >= 2 && hpa.spec?.maxReplicas > hpa.spec?.minReplicas,
    'between at least 2 replicas and more',
  )
  t.equal(
    findObject(objects, 'Deployment', 'permission-service')?.spec?.replicas,
    undefined,
    'the Deployment leaves the replica count to the HPA',
  )
})

t.test('every metric the Grafana dashboard queries exists in the source', async (t) => {
  const dashboard = readJson<Json>('infra/grafana/guild-dashboard.json')
  const defined = metricDefinitions()
  t.ok(defined.size >= 5, `the source defines metrics (${[...defined.keys()].join(', ')})`)
  const routes = SERVICE_NAMES.flatMap((name) => listFiles(`${SERVICES[name].dir}/src`).map(readRepoFile)).join('\n')
  for (const name of SERVICE_NAMES) {
    t.notMatch(
      readRepoFile(`${SERVICES[name].dir}/src/app.ts`),
      /metricsPlugin,\s*\{[^}]*prefix/,
      `${name} serves the metrics without a name prefix`,
    )
  }

  const panels: Json[] = (dashboard.panels ?? []).flatMap((p: Json) => [p, ...(p.panels ?? [])])
  const targets = panels.flatMap((p) =>
    (p.targets ?? []).map((target: Json) => ({ panel: p.title as string, ...target })),
  )
  t.ok(targets.length > 0, 'the dashboard has queries')
  t.ok(
    dashboard.templating?.list?.some((v: Json) => v.type === 'datasource' && v.name === 'datasource'),
    'a datasource variable',
  )
  for (const target of targets) {
    const where = `"${target.panel}" ${target.refId}`
    t.equal(target.datasource?.uid, '${datasource}', `${where} uses the datasource variable`)
    const query = parseQuery(target.expr)
    t.ok(query.metrics.length > 0, `${where} reads a metric`)
    const labels = new Set(['job', 'instance'])
    for (const series of query.metrics) {
      const resolved = resolveSeries(series, defined)
      t.ok(resolved, `${where}: ${series} is defined in packages/ or services/`)
      for (const label of resolved?.labels ?? []) labels.add(label)
    }
    for (const selector of query.selectors) {
      const resolved = resolveSeries(selector.metric, defined)
      for (const matcher of selector.matchers) {
        t.ok(
          resolved?.labels.includes(matcher.label) || labels.has(matcher.label),
          `${where}: ${selector.metric} has the label ${matcher.label}`,
        )
        // Plain values (and |-alternatives of them) must be values the code produces.
        if (!resolved || (matcher.op !== '=' && matcher.op !== '=~') || /[^\w/|-]/.test(matcher.value)) continue
        const haystack = matcher.label === 'route' ? routes : readRepoFile(resolved.metric.file)
        for (const value of matcher.value.split('|'))
          t.match(haystack, `'${value}'`, `${where}: ${matcher.label}="${value}" is a value the code uses`)
      }
    }
    t.same(
      query.grouping.filter((l) => !labels.has(l)),
      [],
      `${where}: it groups by labels the metrics have`,
    )
    const legendLabels = [...String(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!)
    const available = query.grouping.length > 0 ? new Set(query.grouping) : labels
    t.same(
      legendLabels.filter((l) => !available.has(l)),
      [],
      `${where}: its legend names labels the result has`,
    )
  }

  const exprs = targets.map((target) => String(target.expr).replace(/\s+/g, ' '))
  const has = (pattern: RegExp, what: string): void =>
    void t.ok(
      exprs.some((e) => pattern.test(e)),
      `the dashboard shows ${what}`,
    )
  t.ok(
    exprs.includes('sum(rate(cache_requests_total{result="hit"}[5m])) / sum(rate(cache_requests_total[5m]))'),
    "the seed's cache hit rate",
  )
  has(/sum by \(namespace\) \(rate\(cache_requests_total\{result="hit"\}/, 'the hit rate by namespace')
  has(
    /histogram_quantile\(0\.5, .*http_request_duration_seconds_bucket\{route="\/v1\/check"\}/,
    'the check latency p50',
  )
  has(
    /histogram_quantile\(0\.99, .*http_request_duration_seconds_bucket\{route="\/v1\/check"\}/,
    'the check latency p99',
  )
  has(/by \(layer\) \(rate\(permission_checks_answered_total/, 'checks answered by layer')
  has(/permission_db_queries_total/, 'database queries')
  has(/by \(operation\) \(rate\(cache_errors_total/, 'cache errors by operation')
  has(/http_request_duration_seconds_count\{status_code=~"5\.\."\}/, 'the 5xx rate')
  has(/cache_redis_up/, 'whether Redis is up')
})

t.test('every file in infra/ is one this test reads', async (t) => {
  const files = listFiles('infra').filter((f) => !f.startsWith('infra/test/'))
  for (const file of files) {
    const kind = /\.ya?ml$/.test(file)
      ? 'yaml'
      : file.endsWith('.json')
        ? 'json'
        : file.endsWith('.Dockerfile')
          ? 'dockerfile'
          : file.endsWith('.md') || file.endsWith('/.env.example')
            ? 'text'
            : undefined
    t.ok(kind, `${file} is YAML, JSON, a Dockerfile, .env.example or documentation`)
    if (kind === 'yaml') t.ok(parseYamlFile(file).length > 0, `${file} parses`)
    if (kind === 'json') t.doesNotThrow(() => readJson(file), `${file} parses`)
    // The web app's image is held to the contract by web-matches-contract.test.ts.
    if (kind === 'dockerfile')
      t.ok(
        file === 'infra/docker/web.Dockerfile' || SERVICE_NAMES.some((name) => file === dockerfilePath(name)),
        `${file} is the image of a service`,
      )
  }
})
