import { RecordedCounter } from '@guild/metrics'
import { permissionClientPlugin, type PermissionResultEvent } from '@guild/permission-client'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface PermissionsOptions {
  serviceToken: string
}

/**
 * The permission client (`app.permissions`) and its preHandler: a route with `config: { tool }` runs
 * only for users permission-service allows that tool in the route's guild; 403 when it says no, 503
 * when it cannot say. Results are counted in the service's metrics.
 */
async function permissionsPlugin(app: FastifyInstance, options: PermissionsOptions): Promise<void> {
  const checks = new RecordedCounter({
    name: 'guild_api_permission_checks_total',
    help: 'Permission checks asked of permission-service, by kind and outcome',
    labelNames: ['op', 'result'] as const,
    registers: [app.metricsRegistry],
  })
  // Bound once: prom-client's own inc() would check and hash its labels on every request.
  const bound = (op: PermissionResultEvent['op']) => ({
    undecided: checks.recorder({ op, result: 'undecided' }),
    allowed: checks.recorder({ op, result: 'allowed' }),
    denied: checks.recorder({ op, result: 'denied' }),
  })
  const byOp = { check: bound('check'), batch: bound('batch') }
  const onResult = (event: PermissionResultEvent) => {
    const counters = byOp[event.op]
    if (event.undecided !== undefined) counters.undecided.inc(event.items)
    if (event.allowed > 0) counters.allowed.inc(event.allowed)
    if (event.denied > 0) counters.denied.inc(event.denied)
  }
  await app.register(permissionClientPlugin, {
    url: app.config.PERMISSION_SERVICE_URL,
    token: options.serviceToken,
    deadlineMs: app.config.PERMISSION_DEADLINE_MS,
    logger: app.log,
    onResult,
  })
}

export default fp(permissionsPlugin, { name: 'permissions', dependencies: ['session-auth', '@guild/service-kit/metrics'] })
