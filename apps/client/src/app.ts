import { useDidShow } from '@tarojs/taro';
import type { PropsWithChildren } from 'react';
import { session } from './auth';
import './app.css';

// Deliberately no wx.login here: login happens lazily on the first request that needs a session
// (wx.login in App.onLaunch failed on WeChat 6.3.30; see the protocol notes).
function App({ children }: PropsWithChildren) {
  // Each time the user comes back, ask WeChat whether its login state (and so the session_key the
  // server holds) survived; if not, the stored session is dropped and the next request logs in.
  useDidShow(() => {
    session.checkSession().catch(() => undefined);
  });
  return children;
}

export default App;
