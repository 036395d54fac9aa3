# syntax=docker/dockerfile:1
# permission-service. Build from the repository root, which is the context (infra/docker/README.md):
#   docker build -f infra/docker/permission-service.Dockerfile -t guild/permission-service .
ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace's package.json beside the lock file: npm ci checks the lock against all of them,
# even when it installs for one workspace only.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/testing/package.json packages/testing/
COPY packages/contract/package.json packages/contract/
COPY packages/metrics/package.json packages/metrics/
COPY packages/resilience/package.json packages/resilience/
COPY packages/cache/package.json packages/cache/
COPY packages/db/package.json packages/db/
COPY packages/cache-cli/package.json packages/cache-cli/
COPY packages/permission-client/package.json packages/permission-client/
COPY packages/service-kit/package.json packages/service-kit/
COPY services/permission-service/package.json services/permission-service/
COPY services/guild-api/package.json services/guild-api/
COPY services/web/package.json services/web/
COPY scripts/package.json scripts/
COPY bench/package.json bench/
COPY chaos/package.json chaos/
COPY infra/package.json infra/

# Compiles the service and the workspace packages it imports (tsc -b follows its project references).
# No dependency has an install script it needs (only esbuild, for the dev tools), hence --ignore-scripts.
FROM manifests AS build
RUN npm ci --ignore-scripts --include-workspace-root --workspace @guild/permission-service
COPY tsconfig.base.json ./
COPY packages/contract/tsconfig.json packages/contract/
COPY packages/contract/src packages/contract/src
COPY packages/metrics/tsconfig.json packages/metrics/
COPY packages/metrics/src packages/metrics/src
COPY packages/resilience/tsconfig.json packages/resilience/
COPY packages/resilience/src packages/resilience/src
COPY packages/cache/tsconfig.json packages/cache/
COPY packages/cache/src packages/cache/src
COPY packages/db/tsconfig.json packages/db/
COPY packages/db/src packages/db/src
COPY packages/service-kit/tsconfig.json packages/service-kit/
COPY packages/service-kit/src packages/service-kit/src
COPY services/permission-service/tsconfig.json services/permission-service/
COPY services/permission-service/src services/permission-service/src
RUN npm run build --workspace @guild/permission-service

# Production dependencies of this service alone, with the workspace links npm makes for them. Its npm
# cache stays behind in this stage: the runtime copies /app only.
FROM manifests AS deps
RUN npm ci --ignore-scripts --omit=dev --workspace @guild/permission-service

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3001
WORKDIR /app
# node_modules (the root's and the workspaces' nested ones) and the package.json files that "exports" needs.
COPY --from=deps /app ./
COPY --from=build /app/packages/contract/dist packages/contract/dist
COPY --from=build /app/packages/cache/dist packages/cache/dist
COPY --from=build /app/packages/db/dist packages/db/dist
COPY --from=build /app/packages/metrics/dist packages/metrics/dist
COPY --from=build /app/packages/resilience/dist packages/resilience/dist
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/services/permission-service/dist services/permission-service/dist
# @guild/db's committed migrations: permission-service never applies them, but waits until the
# database holds all of them before it answers from it.
COPY packages/db/migrations packages/db/migrations
# The image's "node" user (uid 1000), by number so that Kubernetes' runAsNonRoot can verify it.
# The files stay root's: the process cannot rewrite its own code.
USER 1000:1000
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3001) + '/health/live', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/permission-service/dist/server.js"]
