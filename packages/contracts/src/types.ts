import type { Static, TSchema } from 'typebox';
import type { Routes } from './routes.js';

/**
 * Types derived from the route table, for the server's handlers and the client's calls alike.
 * Type-only: importing these brings no code along.
 */
export type RouteName = keyof Routes;

/** The request body a route accepts, or `undefined` for a route that takes none. */
export type RouteBody<N extends RouteName> = Routes[N] extends { readonly body: infer B extends TSchema }
  ? Static<B>
  : undefined;

export type RouteStatus<N extends RouteName> = keyof Routes[N]['responses'] & number;

/** The body a route answers with for one status. */
export type RouteResponseBody<
  N extends RouteName,
  S extends RouteStatus<N>,
> = Routes[N]['responses'][S] extends infer T extends TSchema ? Static<T> : never;

/** Every declared outcome of a route as a `{ status, body }` union: narrowing on status types the body. */
export type RouteReply<N extends RouteName> = {
  [S in RouteStatus<N>]: { status: S; body: RouteResponseBody<N, S> };
}[RouteStatus<N>];

/** The success outcome(s): 2xx statuses only. */
export type RouteSuccess<N extends RouteName> = Extract<RouteReply<N>, { status: 200 | 201 | 204 }>;
