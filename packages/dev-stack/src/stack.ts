/** The processes of `pnpm dev`, each started by `wxauth-dev run <role> -- <command>`. */
export const ROLES = ['sim', 'server', 'weapp', 'h5'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return ROLES.some((role) => role === value);
}

/** The ports `pnpm dev` listens on, each overridable by its variable. */
export const PORT_VARIABLES = {
  sim: { variable: 'SIM_PORT', fallback: 3100 },
  server: { variable: 'SERVER_PORT', fallback: 3000 },
  // Taro's own default for its H5 dev server.
  h5: { variable: 'H5_PORT', fallback: 10086 },
} as const;

export type Listener = keyof typeof PORT_VARIABLES;
const LISTENERS: readonly Listener[] = ['sim', 'server', 'h5'];

export interface StackPorts {
  sim: number;
  server: number;
  h5: number;
}

export interface StackUrls {
  sim: string;
  server: string;
  docs: string;
  /** The H5 app as a browser opens it. */
  h5: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
}

function set(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function readPorts(env: Env): StackPorts {
  const read = (listener: Listener): number => {
    const { variable, fallback } = PORT_VARIABLES[listener];
    const text = set(env, variable);
    if (text === undefined) return fallback;
    const port = Number(text);
    if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
      throw new StackConfigError(`${variable} must be a port number (1-65535), got "${text}"`);
    }
    return port;
  };
  const ports: StackPorts = { sim: read('sim'), server: read('server'), h5: read('h5') };
  const taken = new Map<number, string>();
  for (const listener of LISTENERS) {
    const { variable } = PORT_VARIABLES[listener];
    const other = taken.get(ports[listener]);
    if (other !== undefined) {
      throw new StackConfigError(`${other} and ${variable} are both ${ports[listener]}: each needs a port of its own`);
    }
    taken.set(ports[listener], variable);
  }
  return ports;
}

export function stackUrls(ports: StackPorts): StackUrls {
  const server = `http://127.0.0.1:${ports.server}`;
  return {
    sim: `http://127.0.0.1:${ports.sim}`,
    server,
    docs: `${server}/docs`,
    h5: `http://localhost:${ports.h5}/`,
  };
}

/**
 * What one process of the stack is told, on top of the developer's environment: its own port, and
 * where the others are. A variable the developer set explicitly (say TARO_APP_API_BASE, to try
 * the H5 app against another server) wins over the stack's wiring.
 */
export function roleEnv(role: Role, ports: StackPorts, env: Env): Record<string, string> {
  const urls = stackUrls(ports);
  const unlessSet = (name: string, value: string): Record<string, string> => ({ [name]: set(env, name) ?? value });
  switch (role) {
    case 'sim':
      // The simulator's CLI and the server both read PORT; each gets its own here.
      return { PORT: String(ports.sim) };
    case 'server':
      return {
        // The server applies production rules unless told it runs in development.
        ...unlessSet('NODE_ENV', 'development'),
        PORT: String(ports.server),
        ...unlessSet('WECHAT_API_BASE', urls.sim),
        // The H5 app's origin under either name a browser may use for it.
        ...unlessSet('CORS_ORIGINS', `http://localhost:${ports.h5},http://127.0.0.1:${ports.h5}`),
      };
    case 'weapp':
      return unlessSet('TARO_APP_API_BASE', urls.server);
    case 'h5':
      return {
        H5_PORT: String(ports.h5),
        ...unlessSet('TARO_APP_API_BASE', urls.server),
        ...unlessSet('TARO_APP_SIM_BASE', urls.sim),
      };
    default: {
      const _newRole: never = role;
      throw new StackConfigError(`unknown role ${String(_newRole)}`);
    }
  }
}

/** The port a role listens on, if any (the weapp build only writes files). */
export function listenerOf(role: Role): Listener | undefined {
  return role === 'weapp' ? undefined : role;
}

/**
 * Lines a role's process prints again and again, to be shown once: Taro's H5 dev server prints
 * webpack-dev-server's addresses several times while its first build runs (and the stack prints
 * its URLs once everything answers).
 */
export function repeatedLines(role: Role): RegExp | undefined {
  return role === 'h5' ? /\[webpack-dev-server\]/ : undefined;
}
