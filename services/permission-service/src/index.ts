export { buildApp, type BuildOptions } from './app.js'
export { CheckCommand } from './check/check-command.js'
