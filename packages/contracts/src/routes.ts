import type { TSchema } from 'typebox';
import {
  DecryptBodySchema,
  DecryptResponseSchema,
  HealthResponseSchema,
  LoginBodySchema,
  LoginResponseSchema,
  NoContentSchema,
  PhoneBodySchema,
  PhoneResponseSchema,
  ReadyResponseSchema,
  SessionResponseSchema,
} from './auth.js';
import { type Endpoint, endpoints } from './endpoints.js';
import { ErrorBodySchema } from './errors.js';

export interface RouteDescriptor extends Endpoint {
  readonly summary: string;
  readonly body?: TSchema;
  readonly query?: TSchema;
  readonly headers?: TSchema;
  readonly responses: { readonly [status: number]: TSchema };
}

const E = ErrorBodySchema;

/**
 * The login server's HTTP API. The server registers exactly these routes with these schemas; the
 * client's typed calls are derived from the same object, so a change here is a compile error on
 * both sides until both are updated.
 */
export const routes = {
  login: {
    ...endpoints.login,
    summary: 'Exchange a wx.login code for a session token',
    body: LoginBodySchema,
    responses: { 200: LoginResponseSchema, 400: E, 401: E, 403: E, 413: E, 415: E, 429: E, 502: E, 503: E },
  },
  session: {
    ...endpoints.session,
    summary: 'The live session behind the bearer token',
    responses: { 200: SessionResponseSchema, 401: E, 503: E },
  },
  logout: {
    ...endpoints.logout,
    summary: 'End this session',
    responses: { 204: NoContentSchema, 401: E, 503: E },
  },
  logoutAll: {
    ...endpoints.logoutAll,
    summary: 'End every session of this user, on every device',
    responses: { 204: NoContentSchema, 401: E, 503: E },
  },
  phone: {
    ...endpoints.phone,
    summary: "Redeem a getPhoneNumber button's code for the user's phone number",
    body: PhoneBodySchema,
    responses: { 200: PhoneResponseSchema, 400: E, 401: E, 413: E, 415: E, 429: E, 502: E, 503: E },
  },
  decrypt: {
    ...endpoints.decrypt,
    summary: "Decrypt encryptedData with the user's current session_key",
    body: DecryptBodySchema,
    responses: { 200: DecryptResponseSchema, 400: E, 401: E, 413: E, 415: E, 503: E },
  },
  healthz: {
    ...endpoints.healthz,
    summary: 'The process is alive',
    responses: { 200: HealthResponseSchema },
  },
  readyz: {
    ...endpoints.readyz,
    summary: 'The store answers and the configuration is valid',
    responses: { 200: ReadyResponseSchema, 503: E },
  },
} as const satisfies { readonly [K in keyof typeof endpoints]: RouteDescriptor };

export type Routes = typeof routes;
