import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { secret, startSim } from './helper.js';

let sim: Simulator;
afterEach(() => sim.close());

// A query string on WeChat's endpoints carries the app secret, codes and tokens: an answer that
// echoes the request hands them to whatever logs or shows answers.
describe('requests the simulator has no route for', () => {
  it.each([
    {
      name: 'a mistyped token path',
      method: 'GET',
      url: `/cgi-bin/tokn?grant_type=client_credential&appid=wx0000000000000001&secret=${secret}`,
    },
    {
      name: 'a mistyped code2Session path',
      method: 'GET',
      url: `/sns/jscode2sesion?appid=wx0000000000000001&secret=${secret}&js_code=c0de`,
    },
    { name: 'a method a control route does not take', method: 'PUT', url: `/sim/login?secret=${secret}` },
  ] as const)('$name answers 404 and echoes nothing of the request', async ({ method, url }) => {
    sim = await startSim();
    const response = await sim.inject({ method, url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not found' });
  });

  it('answers a URL that does not decode with 400, echoing nothing of it', async () => {
    sim = await startSim();
    const response = await sim.inject({ method: 'GET', url: `/cgi-bin/%zz?secret=${secret}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'bad request' });
  });
});
