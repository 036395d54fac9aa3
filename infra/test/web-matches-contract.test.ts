import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import { declaredVariables } from './helpers/config-source.js'
import { copies, execForm, instructions, parseDockerfile, stageChain, stageEnv } from './helpers/dockerfile.js'
import {
  composeDefaults,
  composeEnvironment,
  containerEnv,
  findObject,
  k8sObjects,
  parseYamlFile,
  type Json,
} from './helpers/manifests.js'
import { INFRA_DIR, readRepoFile, REPO_ROOT, runtimeWorkspaceDeps, workspaceDirs } from './helpers/repo.js'

// The contract: the web app on 3003, guild-api's URL given to browsers as /config.json (GUILD_API_URL),
// guild-api's CORS_ORIGINS naming the app's origin.
const PORT = 3003
const DIR = 'services/web'
const DOCKERFILE = 'infra/docker/web.Dockerfile'
// The server's schema takes NODE_ENV, LOG_LEVEL and HOST from service-kit's fragments by reference: its
// config interface names every variable.
const declared = declaredVariables(`${DIR}/server/config.ts`)
const read = declared.interface

t.test("the web server's config interface covers the variables its schema declares", async (t) => {
  t.same(
    declared.schema.filter((v) => !read.includes(v)),
    [],
  )
  t.ok(read.includes('GUILD_API_URL') && read.includes('PORT'))
})

t.test("the web app's Dockerfile builds the app and runs its static server", async (t) => {
  const stages = parseDockerfile(readRepoFile(DOCKERFILE))
  const runtime = stages.at(-1)!
  const env = stageEnv(runtime)
  t.same(
    { NODE_ENV: env.NODE_ENV, HOST: env.HOST, PORT: env.PORT },
    { NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(PORT) },
  )
  t.same(
    Object.keys(env).filter((v) => !read.includes(v)),
    [],
    'the image sets only variables the server reads',
  )
  t.same(
    instructions(runtime, 'EXPOSE').map((i) => i.args),
    [String(PORT)],
  )
  const user = instructions(runtime, 'USER').at(-1)?.args
  t.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `runs as a non-root user (${user})`)
  const probe = execForm(instructions(runtime, 'HEALTHCHECK').at(-1)?.args ?? '')?.join(' ') ?? ''
  t.match(
    probe,
    /^node .*fetch\(.*127\.0\.0\.1.*process\.env\.PORT \|\| 3003\b.*\/health\/live/,
    'HEALTHCHECK: node fetches /health/live on PORT',
  )
  t.same(
    execForm(instructions(runtime, 'CMD').at(-1)?.args ?? ''),
    ['node', `${DIR}/dist/server/main.js`],
    'CMD starts the compiled server',
  )
  t.ok(existsSync(join(REPO_ROOT, DIR, 'server/main.ts')), 'whose source exists')

  const byName = (name: string) => stages.find((s) => s.name === name)!
  for (const stage of [byName('deps'), byName('build')]) {
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
  const runs = (name: string) =>
    instructions(byName(name), 'RUN')
      .map((i) => i.args)
      .join('\n')
  t.match(runs('build'), /npm run build --workspace @guild\/web\b/, 'build: the app (vite) and its server')
  t.match(runs('deps'), /npm ci\b.*--omit=dev.*--workspace @guild\/web\b/, 'deps: production dependencies only')
  const needed = [...runtimeWorkspaceDeps(DIR), DIR].sort()
  const runtimeDists = copies(runtime)
    .filter((c) => c.from === 'build')
    .map((c) => c.dest.replace(/\/dist\/?$/, ''))
    .sort()
  t.same(runtimeDists, needed, 'runtime: the dist/ of the app and of exactly the workspaces its server imports')
  const buildSources = copies(byName('build')).flatMap((c) => c.sources)
  for (const source of [
    'services/web/src',
    'services/web/server',
    'services/web/index.html',
    'services/web/vite.config.ts',
    'services/web/tsconfig.app.json',
  ]) {
    t.ok(buildSources.includes(source), `build copies ${source}`)
  }
  for (const stage of stages) {
    for (const c of copies(stage).filter((c) => c.from === undefined)) {
      for (const source of c.sources)
        t.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source} exists in the build context`)
    }
  }
})

t.test('docker-compose.yml serves the app on 3003, pointed at guild-api, which lets its origin in', async (t) => {
  const [compose] = parseYamlFile('infra/docker-compose.yml')
  const web: Json = compose!.services.web
  t.equal(resolve(INFRA_DIR, web?.build?.context ?? '.'), resolve(REPO_ROOT))
  t.equal(web?.build?.dockerfile, DOCKERFILE)
  t.same(
    (web?.ports ?? []).map((p: string) => Number(String(p).split(':').at(-1))),
    [PORT],
  )
  const env = composeEnvironment(web)
  t.same(
    Object.keys(env).filter((v) => !read.includes(v)),
    [],
    'only variables the server reads',
  )
  const apiEnv = composeEnvironment(compose!.services['guild-api'])
  t.equal(
    composeDefaults(env.GUILD_API_URL ?? ''),
    composeDefaults(apiEnv.PUBLIC_URL ?? ''),
    "GUILD_API_URL is guild-api's PUBLIC_URL",
  )
  const published = (web?.ports ?? []).map((p: string) => `http://${String(p).split(':')[0]}:${PORT}`)
  t.ok(
    composeDefaults(apiEnv.CORS_ORIGINS ?? '')
      .split(',')
      .includes(published[0] ?? ''),
    "guild-api's CORS_ORIGINS names the app's origin",
  )
  t.equal(web?.depends_on?.['guild-api']?.condition, 'service_healthy')
})

t.test('the Kubernetes manifests run the app on 3003 with its configuration', async (t) => {
  const objects = k8sObjects()
  const [kustomization] = parseYamlFile('infra/k8s/kustomization.yaml')
  const deployment = findObject(objects, 'Deployment', 'web')
  const pod = deployment?.spec?.template?.spec ?? {}
  const container: Json = (pod.containers ?? []).find((c: Json) => c.name === 'web') ?? {}
  t.ok(
    kustomization!.images.some((i: Json) => i.name === String(container.image).split(':')[0]),
    'its image is set through kustomization images',
  )
  t.same(
    (container.ports ?? []).map((p: Json) => p.containerPort),
    [PORT],
  )
  for (const probe of ['livenessProbe', 'readinessProbe'])
    t.equal(container[probe]?.httpGet?.path, '/health/live', `${probe} on /health/live`)
  t.equal(pod.securityContext?.runAsNonRoot, true)
  t.equal(container.securityContext?.readOnlyRootFilesystem, true)
  t.ok(container.resources?.requests?.memory && container.resources?.limits?.memory, 'memory request and limit')
  const service = findObject(objects, 'Service', 'web')
  t.equal(service?.spec?.ports?.[0]?.port, PORT)
  const env = containerEnv(container, objects)
  t.same(
    [...env.names].filter((v) => !read.includes(v)),
    [],
    'only variables the server reads',
  )
  const apiUrl = env.values.get('GUILD_API_URL')
  const apiConfig = findObject(objects, 'ConfigMap', 'guild-api')?.data ?? {}
  t.equal(apiUrl, apiConfig.PUBLIC_URL, "GUILD_API_URL is guild-api's PUBLIC_URL")
  t.ok(
    String(apiConfig.CORS_ORIGINS ?? '').split(',').length > 0 && apiConfig.CORS_ORIGINS,
    "guild-api's CORS_ORIGINS names the app's origin",
  )
})
