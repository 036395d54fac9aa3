import cookie from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { cookieSecret } from '../../config.js'

export interface CookiesOptions {
  serviceToken: string
}

/** Cookies, signed with COOKIE_SECRET (by default derived from SERVICE_TOKEN, so every instance agrees). */
async function cookiesPlugin(app: FastifyInstance, options: CookiesOptions): Promise<void> {
  await app.register(cookie, { secret: cookieSecret(app.config, options.serviceToken) })
}

export default fp(cookiesPlugin, { name: 'cookies', dependencies: ['@fastify/env'] })
