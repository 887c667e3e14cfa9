import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { describeError, type SessionState, session } from '../../auth';
import { useSessionState, useSignedIn } from '../../auth/use-session-state';
import { SimUserPicker } from '../../components/sim-user-picker';
import { describeDuration, maskOpenid } from '../../utils/mask';

type Action = 'signIn' | 'session' | 'logout' | 'logoutAll';

function statusLine(state: SessionState): string {
  switch (state.status) {
    case 'signedOut':
      return '未登录';
    case 'loggingIn':
      return '正在登录…';
    case 'signedIn':
      return `已登录：${maskOpenid(state.user.openid)}`;
    case 'failed':
      return `登录失败：${describeError(state.error)}`;
  }
}

export default function Index() {
  const state = useSessionState(session);
  const [busy, setBusy] = useState<Action>();
  const [notice, setNotice] = useState<string>();

  // Set when the user logs out here: the page then waits for the login button instead of
  // signing straight back in.
  const [loggedOut, setLoggedOut] = useState(false);

  // This page shows who is signed in, so it is the first thing that needs a session: the login
  // happens here, lazily, not in App.onLaunch. A failure shows in the state line with a retry.
  useSignedIn(session, state, !loggedOut);

  // Every action ends in words on the screen and re-enables the buttons, whatever happened.
  async function run(action: Action, task: () => Promise<string>) {
    setBusy(action);
    setNotice(undefined);
    try {
      setNotice(await task());
    } catch (error) {
      setNotice(describeError(error));
    } finally {
      setBusy(undefined);
    }
  }

  const checkSession = () =>
    run('session', async () => {
      const { expiresIn } = await session.session();
      return `会话有效，闲置 ${describeDuration(expiresIn)}后过期。`;
    });
  const logout = () =>
    run('logout', async () => {
      setLoggedOut(true);
      return (await session.logout()) === 'ended' ? '已退出登录。' : '已在本机退出；服务器暂未确认，会话会自动过期。';
    });
  const logoutAll = () =>
    run('logoutAll', async () => {
      setLoggedOut(true);
      return (await session.logoutEverywhere()) === 'ended'
        ? '已在所有设备上退出登录。'
        : '已在本机退出，但没能通知其他设备，请稍后登录后再试。';
    });
  const signIn = () =>
    run('signIn', async () => {
      setLoggedOut(false);
      return `欢迎，${maskOpenid((await session.signIn()).openid)}`;
    });

  const signedIn = state.status === 'signedIn';
  return (
    <View className="page">
      <SimUserPicker />
      <Text className="status">{statusLine(state)}</Text>
      {notice && <Text className="notice">{notice}</Text>}

      {(state.status === 'failed' || state.status === 'signedOut') && (
        <Button
          className="action"
          type="primary"
          loading={busy === 'signIn'}
          disabled={busy !== undefined}
          onClick={signIn}
        >
          {state.status === 'failed' ? '重试' : '登录'}
        </Button>
      )}
      {signedIn && (
        <View>
          <Button className="action" loading={busy === 'session'} disabled={busy !== undefined} onClick={checkSession}>
            查看会话
          </Button>
          <Button className="action" onClick={() => Taro.navigateTo({ url: '/pages/phone/index' })}>
            获取手机号
          </Button>
          <Button className="action" loading={busy === 'logout'} disabled={busy !== undefined} onClick={logout}>
            退出登录
          </Button>
          <Button
            className="action"
            type="warn"
            loading={busy === 'logoutAll'}
            disabled={busy !== undefined}
            onClick={logoutAll}
          >
            在所有设备上退出
          </Button>
        </View>
      )}
    </View>
  );
}
