import { Redis } from 'ioredis'

/**
 * A client issuing GETs back to back against a Redis, in a process of its own so that what it measures
 * is Redis, not a shared event loop. On "start" it resets; on "stop" it reports the worst GET latency
 * (ms) since "start".
 */
const redis = new Redis(process.argv[2] as string)
let worst = 0
let running = true
process.on('message', (message: string) => {
  if (message === 'start') worst = 0
  if (message === 'stop') process.send?.({ worst })
  if (message === 'exit') {
    running = false
    redis.disconnect()
  }
})
await redis.set('bench:probe', 'x', 'EX', 3_600)
while (running) {
  const started = performance.now()
  await redis.get('bench:probe')
  worst = Math.max(worst, performance.now() - started)
}
