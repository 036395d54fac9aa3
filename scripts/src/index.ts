export { buildBnetStandin, type BnetStandinOptions } from './bnet-standin/app.js'
export {
  FixtureError,
  loadFixtures,
  fixtureProblem,
  type Fixtures,
  type FixtureFault,
} from './bnet-standin/fixtures.js'
export { nameSlug, realmName } from './bnet-standin/slugs.js'
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './pglite-server.js'
export {
  buildLaunchPlan,
  parseServicesOption,
  CHILD_NAMES,
  type ChildName,
  type ChildSpec,
  type LaunchPlan,
} from './launcher/plan.js'
export { DEMO_FIXTURES, DEFAULT_PGLITE_DATA_DIR } from './paths.js'
