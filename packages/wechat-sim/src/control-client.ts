import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  type SimApp,
  type SimCalls,
  SimCallsSchema,
  SimClockSchema,
  SimCodeSchema,
  type SimEncryptBody,
  type SimEncrypted,
  SimEncryptedSchema,
  type SimFaultBody,
  type SimIdentity,
  SimIdentitySchema,
  SimOkSchema,
  SimQueuedSchema,
  SimSessionStateSchema,
  type SimUserRef,
  type SimUserTraits,
} from './schemas.js';

/** The `/sim/*` control API as typed calls, for tests and scripts that drive a simulator over HTTP. */
export interface SimulatorControl {
  readonly baseUrl: string;
  /** What `wx.login` gives the mini program. */
  login(who: SimUserRef): Promise<string>;
  /** What a getPhoneNumber button gives the mini program. */
  phoneCode(who: SimUserRef): Promise<string>;
  encrypt(input: SimEncryptBody): Promise<SimEncrypted>;
  /** What `wx.checkSession` says. */
  checkSession(who: SimUserRef): Promise<boolean>;
  expireSession(who: SimUserRef): Promise<void>;
  identity(who: SimUserRef): Promise<SimIdentity>;
  describeUser(traits: SimUserTraits): Promise<void>;
  addApp(app: SimApp): Promise<void>;
  /** Queues a fault; resolves to the number of faulted calls pending for the endpoint. */
  fault(input: SimFaultBody): Promise<number>;
  calls(): Promise<SimCalls>;
  /** Moves the simulator's clock forward; resolves to its new time in ms. */
  advanceClock(ms: number): Promise<number>;
  now(): Promise<number>;
  reset(): Promise<void>;
}

async function read<S extends TSchema>(path: string, schema: S, response: Response): Promise<Static<S>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}: ${text}`);
  const json: unknown = JSON.parse(text);
  if (!Value.Check(schema, json)) throw new Error(`simulator ${path} answered an unexpected body: ${text}`);
  return json;
}

export function createSimulatorControl(baseUrl: string): SimulatorControl {
  const root = baseUrl.replace(/\/+$/, '');

  async function send<S extends TSchema>(path: string, schema: S, body?: object): Promise<Static<S>> {
    const response = await fetch(
      `${root}${path}`,
      body === undefined
        ? { method: 'POST' }
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    return read(path, schema, response);
  }

  async function get<S extends TSchema>(path: string, schema: S): Promise<Static<S>> {
    return read(path, schema, await fetch(`${root}${path}`));
  }

  return {
    baseUrl: root,
    login: async (who) => (await send('/sim/login', SimCodeSchema, who)).code,
    phoneCode: async (who) => (await send('/sim/phone-code', SimCodeSchema, who)).code,
    encrypt: (input) => send('/sim/encrypt', SimEncryptedSchema, input),
    checkSession: async (who) => (await send('/sim/check-session', SimSessionStateSchema, who)).valid,
    expireSession: async (who) => {
      await send('/sim/expire-session', SimOkSchema, who);
    },
    identity: (who) => send('/sim/identity', SimIdentitySchema, who),
    describeUser: async (traits) => {
      await send('/sim/users', SimOkSchema, traits);
    },
    addApp: async (app) => {
      await send('/sim/apps', SimOkSchema, app);
    },
    fault: async (input) => (await send('/sim/faults', SimQueuedSchema, input)).pending,
    calls: () => get('/sim/calls', SimCallsSchema),
    advanceClock: async (ms) => (await send('/sim/clock', SimClockSchema, { advanceMs: ms })).now,
    now: async () => (await get('/sim/clock', SimClockSchema)).now,
    reset: async () => {
      await send('/sim/reset', SimOkSchema);
    },
  };
}
