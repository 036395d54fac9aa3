import { ConfigError, DEV_SERVICE_TOKEN, exposureReason, isLoopbackHost } from '@guild/service-kit'
import { apiBaseUrl, cookieSecret, type GuildApiConfig } from './config.js'

/** The cookie secret every checkout derives from the public development token: as public as it. */
const DEV_COOKIE_SECRET = cookieSecret({}, DEV_SERVICE_TOKEN)

/**
 * What a development machine may use and a reachable deployment may not (service-kit's
 * `exposureReason`: production, an https PUBLIC_URL, or a HOST other than loopback): the public
 * development cookie secret, with which anyone can sign a login state, and plain-http Battle.net URLs
 * to another machine, over which authorization codes, tokens and the client secret would travel
 * unencrypted (the stand-in on loopback is fine). The service token is resolveServiceToken's check.
 */
export function refuseDevelopmentSettings(config: GuildApiConfig): void {
  const exposed = exposureReason(config)
  if (exposed === undefined) return
  if (config.COOKIE_SECRET === DEV_COOKIE_SECRET) {
    throw new ConfigError(
      `invalid configuration: COOKIE_SECRET is the public development one, refused when ${exposed}; ` +
        'set a secret of your own',
      ['COOKIE_SECRET'],
    )
  }
  for (const variable of ['BNET_OAUTH_URL', 'BNET_API_URL'] as const) {
    const url = new URL(apiBaseUrl(config[variable], config.BNET_REGION))
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new ConfigError(
        `invalid configuration: ${variable} is plain http:// to another machine, refused when ${exposed}: ` +
          "Battle.net's codes and tokens would cross the network unencrypted; use https://",
        [variable],
      )
    }
  }
}
