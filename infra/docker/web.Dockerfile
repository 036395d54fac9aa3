# syntax=docker/dockerfile:1
# The web app: its built files behind its own static server (services/web/server: @fastify/static with
# the single-page fallback, a year's caching of hashed assets, /config.json from GUILD_API_URL).
# Build from the repository root, which is the context (infra/docker/README.md):
#   docker build -f infra/docker/web.Dockerfile -t guild/web .
ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace's package.json beside the lock file: npm ci checks the lock against all of them.
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

# The app (Vite) and its server (tsc -b, with the workspace packages it imports). The app's API types
# are the checked-in src/api/schema.d.ts: no guild-api is needed to build.
FROM manifests AS build
RUN npm ci --ignore-scripts --include-workspace-root --workspace @guild/web
COPY tsconfig.base.json ./
COPY packages/metrics/tsconfig.json packages/metrics/
COPY packages/metrics/src packages/metrics/src
COPY packages/service-kit/tsconfig.json packages/service-kit/
COPY packages/service-kit/src packages/service-kit/src
COPY services/web/tsconfig.json services/web/tsconfig.app.json services/web/vite.config.ts services/web/index.html services/web/
COPY services/web/server services/web/server
COPY services/web/src services/web/src
RUN npm run build --workspace @guild/web

# Production dependencies of the server alone.
FROM manifests AS deps
RUN npm ci --ignore-scripts --omit=dev --workspace @guild/web

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3003
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/packages/metrics/dist packages/metrics/dist
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/services/web/dist services/web/dist
USER 1000:1000
EXPOSE 3003
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3003) + '/health/live', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/web/dist/server/main.js"]
