export { buildApp, type BuildOptions } from './app.js'
export { schema as configSchema, cookieSecret, corsOrigins, type GuildApiConfig } from './config.js'
