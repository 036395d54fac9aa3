import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t, { type Test } from 'tap'
import { idleConfig, idleNote } from '../src/idle-config.js'

function machine(t: Test, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'idle-config-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

const DRIVER = 'sys/devices/system/cpu/cpuidle/current_driver'
const POLL = 'sys/module/haltpoll/parameters/guest_halt_poll_ns'

t.test('a KVM guest with halt polling off says so', async (t) => {
  const config = idleConfig(machine(t, { [DRIVER]: 'haltpoll\n', [POLL]: '0\n' }))
  t.same(config, { cpuidle_driver: 'haltpoll', guest_halt_poll_ns: 0 })
  t.equal(idleNote(config), 'cpuidle haltpoll, guest halt polling off (0 ns)')
})

t.test('halt polling on reads as its window', async (t) => {
  const config = idleConfig(machine(t, { [DRIVER]: 'haltpoll', [POLL]: '200000' }))
  t.equal(config.guest_halt_poll_ns, 200_000)
  t.equal(idleNote(config), 'cpuidle haltpoll, guest halt polling 200,000 ns')
})

t.test('a machine without haltpoll, or without /sys, reports only what it has', async (t) => {
  const bare = idleConfig(machine(t, { [DRIVER]: 'intel_idle' }))
  t.same(bare, { cpuidle_driver: 'intel_idle' })
  t.equal(idleNote(bare), 'cpuidle intel_idle')
  t.same(idleConfig(machine(t, {})), {})
  t.equal(idleNote({}), '')
  t.same(idleConfig(machine(t, { [POLL]: 'garbage' })), {}, 'an unreadable value is left out, not guessed')
})
