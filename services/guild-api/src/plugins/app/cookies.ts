import cookie from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { cookieSecret } from '../../config.js'
import { STATE_COOKIE } from '../../sessions/login-state.js'
import { SESSION_COOKIE } from './session-auth.js'

export interface CookieOptions {
  path: string
  httpOnly: true
  sameSite: 'lax'
  secure: boolean
}

/** A cookie's name and the attributes it is set and cleared with (they must match to clear it). */
export interface CookieSpec {
  name: string
  options: CookieOptions
}

export interface CookiePolicy {
  session: CookieSpec
  /** The signed login-state cookie of /auth/login → /auth/callback. */
  state: CookieSpec
}

declare module 'fastify' {
  interface FastifyInstance {
    cookiePolicy: CookiePolicy
  }
}

/**
 * The cookies' names and attributes for a PUBLIC_URL. Over https they take the `__Host-` prefix
 * (`__Host-sid`, `__Host-oauth_state`): a browser accepts such a cookie only if it is Secure, has
 * `Path=/` and no `Domain`, from the host itself, so a sibling subdomain (or a network attacker over
 * plain http) cannot plant a session or a login state for guild-api's host. Over http (development)
 * the plain names, and the login state on `Path=/auth`.
 */
export function cookiePolicy(publicUrl: string): CookiePolicy {
  const secure = new URL(publicUrl).protocol === 'https:'
  const options = (path: string): CookieOptions => ({ path, httpOnly: true, sameSite: 'lax', secure })
  const prefix = secure ? '__Host-' : ''
  return {
    session: { name: `${prefix}${SESSION_COOKIE}`, options: options('/') },
    state: { name: `${prefix}${STATE_COOKIE}`, options: options(secure ? '/' : '/auth') },
  }
}

/**
 * Cookies, signed with COOKIE_SECRET (by default derived from SERVICE_TOKEN, so every instance agrees), named by
 * `cookiePolicy`.
 */
async function cookiesPlugin(app: FastifyInstance, options: { serviceToken: string }): Promise<void> {
  await app.register(cookie, { secret: cookieSecret(app.config, options.serviceToken) })
  app.decorate('cookiePolicy', cookiePolicy(app.config.PUBLIC_URL))
}

export default fp(cookiesPlugin, { name: 'cookies', dependencies: ['@fastify/env'] })
