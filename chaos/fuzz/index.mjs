// @ts-check
/** The fuzz model the services' hostile-input tests and `npm run chaos:fuzz` share. */
export { failureReport, fuzzRoutes, routeName, routesToFuzz } from './fuzz-routes.mjs'
export { guildApiTarget, loginThroughBattleNet, permissionServiceTarget, startLogin } from './targets.mjs'
export { BULLMQ_STRUCTURES, KEY_PATTERNS, MAX_TTL_S, keyViolation, scanKeyViolations } from './key-contract.mjs'
export { bodyText, describePlan, toRequest } from './execute.mjs'
export { BODY_METHODS, UNROUTED, requestPlans } from './request-plans.mjs'
