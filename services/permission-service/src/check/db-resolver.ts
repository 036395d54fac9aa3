import { checkPermissions, type DbHandle } from '@guild/db'
import type { CheckItem, CheckResolver, Purpose } from './check-item.js'
import type { CheckCounters } from './counters.js'
import { CheckUndecidedError } from './errors.js'

/**
 * Last layer: one indexed query for however many items reach it. Any failure, or no answer within
 * `timeoutMs`, is CheckUndecidedError: the service answers 503 rather than guess.
 */
export class DbResolver implements CheckResolver {
  #schemaReady = false

  constructor(
    private readonly db: DbHandle,
    private readonly counters: CheckCounters,
    private readonly timeoutMs: number,
  ) {}

  /** Set once the schema guild-api migrates is there; until then every check is undecided. */
  markSchemaReady(): void {
    this.#schemaReady = true
  }

  get schemaReady(): boolean {
    return this.#schemaReady
  }

  async resolve(items: readonly CheckItem[], purpose: Purpose = 'answer'): Promise<boolean[]> {
    if (!this.#schemaReady) throw new CheckUndecidedError('schema-not-ready', 'the database schema is not there yet')
    this.counters.query()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CheckUndecidedError('timeout', `the database did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      )
    })
    try {
      const answers = await Promise.race([checkPermissions(this.db, items), timeout])
      if (purpose === 'answer') this.counters.hit('db', items.length)
      return answers
    } catch (err) {
      if (err instanceof CheckUndecidedError) throw err
      throw new CheckUndecidedError('database', 'the database could not answer the permission query', { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }
}
