import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_APP } from '@wxauth/wechat-sim';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { type E2eStack, startE2eStack } from './support/stack.js';

// Screenshots of every step, for a person to look at when a run fails (git ignores the folder).
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

// What the home page says (apps/client/src/pages/index): the users are Chinese mini-program users.
const SIGNED_OUT = '未登录';
const signedInAs = (openid: string) => `已登录：${openid.slice(0, 4)}****${openid.slice(-4)}`;

let stack: E2eStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startE2eStack();
  browser = await launchChromium();
});

afterEach(async (context) => {
  const open = contexts.splice(0);
  // What each device showed when the test failed, beside the screenshots of the steps it passed.
  if (context.task.result?.state === 'fail') {
    const name = context.task.name.replace(/[^\w]+/g, '-').slice(0, 60);
    const pages = open.flatMap((browserContext) => browserContext.pages());
    for (const [index, page] of pages.entries()) {
      await shoot(page, `failed-${name}-${index + 1}`).catch(() => undefined);
    }
  }
  for (const browserContext of open) await browserContext.close();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A phone of its own: a fresh browser context (its own localStorage) with the app open. */
async function openDevice(query = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 760 }, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.h5.url}/${query}`);
  return page;
}

const shoot = (page: Page, step: string) => page.screenshot({ path: join(ARTIFACTS, `${step}.png`), fullPage: true });
const status = (page: Page) => page.locator('.status');
const notice = (page: Page) => page.locator('.notice');
// The page's buttons all carry `action`; matched whole, since '登录' is also part of other labels.
const button = (page: Page, label: string) => page.locator('.action').filter({ hasText: new RegExp(`^${label}$`) });
const openidOf = async (user: string) => (await stack.sim.identity({ appid: TEST_APP.appid, user })).openid;
/** Logins that reached WeChat: every wx.login code exchanged at jscode2session. */
const upstreamLogins = async () => (await stack.sim.calls())['/sns/jscode2session'];

// Each wait is bounded: a page stuck on "正在登录…" fails the step it is stuck on, with what it shows.
const STEP_TIMEOUT_MS = 15_000;

async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
  await expect
    .poll(() => locator.textContent({ timeout: 1_000 }).catch(() => null), { timeout: STEP_TIMEOUT_MS })
    .toMatch(text);
}

describe('the login flow in a real browser', () => {
  it('logs in silently, keeps the session on reload, recovers from a logout-everywhere elsewhere, logs out', async () => {
    const alice = signedInAs(await openidOf('alice'));

    // Opening the app signs the default simulator user in, with nothing to click.
    const phone = await openDevice();
    await expectText(status(phone), alice);
    expect(await upstreamLogins()).toBe(1);
    await shoot(phone, '01-signed-in');

    // A reload (a restarted mini-program) reuses the stored session: no new login reaches WeChat.
    await phone.reload();
    await expectText(status(phone), alice);
    await button(phone, '查看会话').click();
    await expectText(notice(phone), /^会话有效/);
    expect(await upstreamLogins()).toBe(1);
    await shoot(phone, '02-reloaded-same-session');

    // The same user on a second device ends every session of theirs, the first phone's included.
    const tablet = await openDevice('?user=alice');
    await expectText(status(tablet), alice);
    expect(await upstreamLogins()).toBe(2);
    await button(tablet, '在所有设备上退出').click();
    await expectText(notice(tablet), '已在所有设备上退出登录。');
    await expectText(status(tablet), SIGNED_OUT);
    await shoot(tablet, '03-second-device-logged-out-everywhere');

    // The first phone still shows its old session; its next action meets a 401, logs in again
    // silently and replays, and the user sees only the answer.
    const sessionReplies: number[] = [];
    phone.on('response', (response) => {
      if (new URL(response.url()).pathname === '/auth/session') sessionReplies.push(response.status());
    });
    await button(phone, '查看会话').click();
    await expectText(notice(phone), /^会话有效/);
    await expectText(status(phone), alice);
    expect(sessionReplies).toEqual([401, 200]);
    expect(await upstreamLogins()).toBe(3);
    await shoot(phone, '04-silent-relogin-after-revocation');

    await button(phone, '退出登录').click();
    await expectText(notice(phone), '已退出登录。');
    await expectText(status(phone), SIGNED_OUT);
    await button(phone, '登录').waitFor();
    await shoot(phone, '05-signed-out');
  });

  it('when WeChat fails every login, shows a clear error and a retry that works', async () => {
    await stack.sim.fault({ endpoint: '/sns/jscode2session', fault: { kind: 'system-busy' }, times: 10_000 });
    const phone = await openDevice('?user=bob');
    await expectText(status(phone), '登录失败：微信服务繁忙，请稍后再试。');
    await button(phone, '重试').waitFor();
    await shoot(phone, '06-login-failed');

    // WeChat is back (reset clears the faults); one tap signs the user in.
    await stack.sim.reset();
    await button(phone, '重试').click();
    await expectText(status(phone), signedInAs(await openidOf('bob')));
    await shoot(phone, '07-retry-signed-in');
  });
});

describe('the H5 simulator user picker', () => {
  it('switches who wx.login stands for, and the page remembers the choice', async () => {
    const phone = await openDevice();
    await expectText(status(phone), signedInAs(await openidOf('alice')));

    await phone.locator('.sim-user input').fill('carol');
    await phone.locator('.sim-user-switch').click();
    const carol = signedInAs(await openidOf('carol'));
    await expectText(status(phone), carol);
    await phone.reload();
    await expectText(status(phone), carol);
    await shoot(phone, '08-picker-switched-to-carol');
  });
});
