import { envFragments, portFragment, type ConfigSchema } from '@guild/service-kit'

export const DEFAULT_PORT = 3003

export interface WebConfig {
  NODE_ENV: string
  LOG_LEVEL: string
  HOST: string
  PORT: number
  GUILD_API_URL: string
  WEB_ROOT: string | undefined
}

/** The static server's variables: where it listens, and guild-api's URL as the browser reaches it. */
export const schema: ConfigSchema = {
  type: 'object',
  required: [],
  properties: {
    NODE_ENV: envFragments.NODE_ENV,
    LOG_LEVEL: envFragments.LOG_LEVEL,
    HOST: envFragments.HOST,
    PORT: portFragment(DEFAULT_PORT),
    GUILD_API_URL: {
      type: 'string',
      pattern: '^https?://[^/?#\\s]+/?$',
      default: 'http://127.0.0.1:3000',
      description:
        "guild-api's origin as browsers reach it, e.g. https://api.example.com (served as /config.json apiUrl)",
    },
    WEB_ROOT: {
      type: 'string',
      minLength: 1,
      description: 'the built app to serve; default dist/app beside this server',
    },
  },
}
