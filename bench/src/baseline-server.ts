import Fastify from 'fastify'

/**
 * The baseline every figure is compared with: a bare Fastify route answering a constant JSON body,
 * started as the services are (its own Node process, same Fastify, listening on 127.0.0.1). It is sent
 * the same URL, query string included, so both parse the same request.
 */
const app = Fastify()
app.get('/v1/check', async () => ({ has_access: true }))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
