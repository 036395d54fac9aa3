import { RecordedCounter, RecordedHistogram } from '@guild/metrics'
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
  // How long a guarded request waits for its answer: the permission hop as guild-api sees it (a turn's
  // gathering, the exchange, and this process reading the reply), in buckets down to 100 µs.
  const waited = new RecordedHistogram({
    name: 'guild_api_permission_check_duration_seconds',
    help: 'Time from asking permission-service to having its answer (or giving up), by kind and outcome',
    labelNames: ['op', 'outcome'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
    registers: [app.metricsRegistry],
  })
  // Bound once per kind: prom-client's own inc() and observe() would check and hash labels on every request.
  const bound = (op: PermissionResultEvent['op']) => ({
    undecided: checks.recorder({ op, result: 'undecided' }),
    allowed: checks.recorder({ op, result: 'allowed' }),
    denied: checks.recorder({ op, result: 'denied' }),
    waitedDecided: waited.recorder({ op, outcome: 'decided' }),
    waitedUndecided: waited.recorder({ op, outcome: 'undecided' }),
  })
  const byOp = { check: bound('check'), batch: bound('batch') }
  const onResult = (event: PermissionResultEvent) => {
    const recorders = byOp[event.op]
    if (event.undecided !== undefined) recorders.undecided.inc(event.items)
    if (event.allowed > 0) recorders.allowed.inc(event.allowed)
    if (event.denied > 0) recorders.denied.inc(event.denied)
    ;(event.undecided === undefined ? recorders.waitedDecided : recorders.waitedUndecided).observe(
      event.durationMs / 1000,
    )
  }
  await app.register(permissionClientPlugin, {
    url: app.config.PERMISSION_SERVICE_URL,
    token: options.serviceToken,
    deadlineMs: app.config.PERMISSION_DEADLINE_MS,
    logger: app.log,
    onResult,
  })
}

export default fp(permissionsPlugin, {
  name: 'permissions',
  dependencies: ['session-auth', '@guild/service-kit/metrics'],
})
