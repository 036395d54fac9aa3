import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoFixtures } from '../paths.js'

interface RosterLine {
  character_id: number
  rank: number
}

interface FixtureShape {
  guilds: { id: number; roster: RosterLine[] }[]
}

export interface FixtureFile {
  path: string
  /** Sets ranks in a guild's roster; the stand-in reads the file afresh on every request. */
  setRanks(guildId: number, ranks: Record<number, number>): void
  remove(): void
}

/** A private copy of the demo fixtures, edited between calls as the stand-in allows. */
export function fixtureFile(): FixtureFile {
  const dir = mkdtempSync(join(tmpdir(), 'guild-chaos-bnet-'))
  const path = join(dir, 'fixtures.json')
  writeFileSync(path, readFileSync(demoFixtures))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  process.once('exit', remove)
  return {
    path,
    setRanks: (guildId, ranks) => {
      const data = JSON.parse(readFileSync(path, 'utf8')) as FixtureShape
      const guild = data.guilds.find((g) => g.id === guildId)
      if (!guild) throw new Error(`fixture file ${path} has no guild ${guildId}`)
      for (const line of guild.roster) {
        const rank = ranks[line.character_id]
        if (rank !== undefined) line.rank = rank
      }
      // Written aside, then renamed: the stand-in must never read half a file.
      writeFileSync(`${path}.tmp`, JSON.stringify(data, null, 2))
      renameSync(`${path}.tmp`, path)
    },
    remove: () => {
      process.removeListener('exit', remove)
      remove()
    },
  }
}
