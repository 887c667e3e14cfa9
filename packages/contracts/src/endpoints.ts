/**
 * Where each route lives and whether it needs a session: the part of the route table that the
 * mini-program needs at run time. Kept free of TypeBox so that importing it adds a few hundred
 * bytes to the client bundle, not a schema library (`@wxauth/contracts/endpoints`).
 */
export const endpoints = {
  login: { method: 'POST', url: '/auth/login', auth: false },
  session: { method: 'GET', url: '/auth/session', auth: true },
  logout: { method: 'POST', url: '/auth/logout', auth: true },
  logoutAll: { method: 'POST', url: '/auth/logout-all', auth: true },
  phone: { method: 'POST', url: '/auth/phone', auth: true },
  decrypt: { method: 'POST', url: '/auth/decrypt', auth: true },
  healthz: { method: 'GET', url: '/healthz', auth: false },
  readyz: { method: 'GET', url: '/readyz', auth: false },
} as const satisfies Record<string, Endpoint>;

// The methods wx.request supports (it has no PATCH).
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Endpoint {
  readonly method: HttpMethod;
  readonly url: `/${string}`;
  /** true: send `Authorization: Bearer <token>`; the server answers 401 without a live session. */
  readonly auth: boolean;
}

export type Endpoints = typeof endpoints;
