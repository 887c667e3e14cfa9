/**
 * What every bench target shares: the port it is told to listen on and a clean exit on SIGTERM
 * (a process killed by a signal writes no --cpu-prof profile).
 */
export function listenPort(): number {
  const port = Number(process.env['PORT']);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set to a port number');
  return port;
}

export function exitOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
}

/** The idle TTL the session variants report, in seconds (the server's default idle TTL). */
export const IDLE_TTL_SECONDS = 30 * 60;

/** The body of a session check, shaped like the contract's SessionResponse, for the bare routes. */
export function sessionBody() {
  return { user: { openid: 'oBench0000000000000000000001' }, expiresIn: IDLE_TTL_SECONDS };
}
