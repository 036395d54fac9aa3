import t from 'tap'
import { boundOnce, RecordedCounter } from '../src/index.js'
import { Registry } from 'prom-client'

t.test('boundOnce makes a key’s value once and hands back the same one after', async (t) => {
  const map = new Map<string, { made: number }>()
  let made = 0
  const first = boundOnce(map, 'hit', () => ({ made: ++made }))
  const again = boundOnce(map, 'hit', () => ({ made: ++made }))
  const other = boundOnce(map, 'miss', () => ({ made: ++made }))
  t.equal(again, first, 'the same object for the same key')
  t.equal(made, 2, 'made once per key')
  t.not(other, first)
})

t.test('a recorder picked through boundOnce counts into the series of its labels', async (t) => {
  const registry = new Registry()
  const counter = new RecordedCounter({ name: 'picks_total', help: 'h', labelNames: ['layer'], registers: [registry] })
  const byLayer = new Map<string, ReturnType<typeof counter.recorder>>()
  for (const layer of ['l1', 'l1', 'db']) boundOnce(byLayer, layer, () => counter.recorder({ layer })).inc()
  const text = await registry.metrics()
  t.match(text, /picks_total\{layer="l1"\} 2/)
  t.match(text, /picks_total\{layer="db"\} 1/)
})
