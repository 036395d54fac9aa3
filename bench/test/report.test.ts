import t from 'tap'
import { markdown, type BenchReport } from '../src/report.js'

const load = (over: Record<string, unknown> = {}) => ({
  rps: 1000,
  p50_ms: 0,
  p99_ms: 1,
  max_ms: 3,
  errors: 0,
  ratio: 0.5,
  rss_mb: 100,
  ...over,
})

function report(over: Partial<BenchReport> = {}): BenchReport {
  return {
    scenarios: {
      baseline: load({ ratio: null }),
      api_members: load({ permission_wait_us: 190, permission_exchanges_per_request: 0.214 }),
    },
    quick: false,
    node: 'v20.20.2',
    cpus: 2,
    idle: { cpuidle_driver: 'haltpoll', guest_halt_poll_ns: 0 },
    date: '2026-12-02T10:00:00.000Z',
    ...over,
  }
}

t.test('the permission hop of a scenario that has one is explained under the table', async (t) => {
  const text = markdown(report())
  t.match(
    text,
    new RegExp(
      /\*\*api_members's permission hop\*\*: over the measured rounds, guild-api waited 190 µs on average /.source +
        /for each permission answer and made 0\.214 exchanges with permission-service a request /.source +
        /\(4\.7 requests an exchange\)/.source,
    ),
  )
  t.notMatch(text, /baseline's permission hop/, 'not for a scenario without one')
})

t.test('the footer says how idle CPUs wake, which a waiting service’s ratio depends on', async (t) => {
  t.match(
    markdown(report()),
    /node v20\.20\.2, 2 CPUs, cpuidle haltpoll, guest halt polling off \(0 ns\), 2026-12-02T10:00:00\.000Z$/,
  )
  t.match(
    markdown(report({ idle: {}, quick: true })),
    /node v20\.20\.2, 2 CPUs, 2026-12-02T10:00:00\.000Z, quick pass$/,
    'nothing about idle where /sys said nothing',
  )
})

t.test(
  'stampede, invalidation and hit rate each get their line, the seed recipe by its error or its time',
  async (t) => {
    const scenarios = {
      stampede: {
        callers: 1000,
        instances: 2,
        db_queries: 1,
        rounds: 5,
        db_queries_per_round: [1, 1, 1, 1, 1],
        errors: 0,
      },
      invalidation: {
        keyspace: 1_000_000,
        guild_entries: 10_000,
        user_entries: 20,
        rounds: 5,
        guild_ms: 51,
        user_ms: 1.9,
        guild_ms_per_round: [50, 51, 52, 53, 49],
        user_ms_per_round: [1.9, 2, 1.8, 1.9, 2.1],
        seed_recipe_ms: null,
        seed_recipe_error: 'too many results to unpack',
        max_get_ms: { ours: 4.6, ours_per_round: [4.6, 5.9, 3, 4, 5], seed_recipe: 93 },
      },
      hit_rate: {
        rate: 0.9937,
        requests: 200_000,
        writes: 2_000,
        guilds: 1000,
        users_per_guild: 50,
        tools: 6,
        zipf_s: 1.1,
        warmed: true,
        errors: 0,
        on_demand_ceiling: 0.9387,
        db_queries: 12_345,
        refilled: 6_789,
      },
    } as unknown as BenchReport['scenarios']
    const text = markdown(report({ scenarios }))
    t.match(
      text,
      new RegExp(
        /\*\*stampede\*\*: 1000 concurrent callers of one cold key over 2 instances /.source +
          /→ at most 1 database query /.source +
          /\(the worst of 5 rounds; each round: 1, 1, 1, 1, 1; 0 errors\)/.source,
      ),
    )
    t.match(text, /\| invalidateUser \(20 entries\) \| 1\.9 \| 1\.9 2 1\.8 1\.9 2\.1 \| 4\.6 \|/)
    t.match(text, /\| invalidateGuild \(10,000 entries\) \| 51 \|/)
    t.match(
      text,
      /\| the seed's EVAL of DEL over KEYS, same guild \| error: too many results to unpack \| once \| 93 \|/,
    )
    t.match(
      text,
      new RegExp(
        /\*\*hit_rate\*\*: 99\.37% over 200,000 operations .* would reach 93\.87% .* /.source +
          /12,345 database queries, 6,789 answers refilled after writes/.source,
      ),
    )
    t.notMatch(text, /\| scenario \| req\/s/, 'no load table without load scenarios')
    t.notMatch(text, /web_roster/, 'no browser figures when web_roster did not run')
    const web = markdown(
      report({
        scenarios: {
          web_roster: {
            members: 1000,
            rounds: 3,
            load_ms: 412.5,
            load_ms_per_round: [400.1, 412.5, 430],
            resort_ms: 38.2,
            resort_ms_per_round: [40, 38.2, 37],
            api_members_ms: 4.12,
            api_members_ms_per_round: [4.5, 4.12, 3.9],
          },
        } as unknown as BenchReport['scenarios'],
      }),
    )
    t.match(web, /\*\*web_roster\*\* \(Chromium, a guild of 1,000 members, medians of 3 rounds\)/)
    t.match(web, /\| navigation to a rendered, sortable roster \| 412\.5 \| 400\.1 412\.5 430 \|/)
    t.match(web, /\| re-sort by name, click to paint \| 38\.2 \|/)
    t.match(web, /\| guild-api's GET \/guilds\/\{id\}\/members, same data \| 4\.12 \| 4\.5 4\.12 3\.9 \|/)
    const oneBad = markdown(
      report({
        scenarios: {
          stampede: { ...scenarios.stampede, db_queries: 2, db_queries_per_round: [1, 2, 1, 1, 1] },
        } as unknown as BenchReport['scenarios'],
      }),
    )
    t.match(
      oneBad,
      /→ at most 2 database queries \(the worst of 5 rounds; each round: 1, 2, 1, 1, 1;/,
      'the worst round, not the median',
    )
    const timed = markdown(
      report({
        scenarios: {
          ...scenarios,
          invalidation: { ...scenarios.invalidation, seed_recipe_ms: 412, seed_recipe_error: null, rounds: 1 },
        } as BenchReport['scenarios'],
      }),
    )
    t.match(timed, /\| the seed's EVAL of DEL over KEYS, same guild \| 412 \| once \|/)
    t.match(timed, /medians of 1 round\)/)
  },
)

t.test('a load table row carries every figure, batch throughput in checks too', async (t) => {
  const text = markdown(
    report({
      scenarios: {
        check_batch: load({
          rps: 10_000,
          checks_per_s: 200_000,
          ratio: 9.4,
          ratio_per_round: [9, 9.4],
          compared_with: 'check_l1',
          cpu_us_per_request: 91.9,
          steal_pct_per_round: [0, 1.5],
          steady_2k_p99_ms: 2,
        }),
        api_members: load({ permission_wait_us: 200, permission_exchanges_per_request: 0 }),
      },
    }),
  )
  t.match(
    text,
    new RegExp(
      /\| check_batch \| 10000 \(200000 checks\/s\) \| 0 \| 1 \| 3 \| 0 \| 9\.4 \| 9 9\.4 /.source +
        /\| check_l1 \| 2 \| 91\.9 \| 100 \| 0 1\.5 \|/.source,
    ),
  )
  t.match(text, /\| api_members \| 1000 \| 0 \| 1 \| 3 \| 0 \| 0\.5 \| {2}\| — \| {2}\| {2}\| 100 \| {2}\|/)
  t.match(text, /\(— requests an exchange\)/, 'no division by zero exchanges')
})
