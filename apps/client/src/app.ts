import type { PropsWithChildren } from 'react';

// Deliberately no wx.login here: login happens lazily on the first request that needs a session
// (wx.login in App.onLaunch failed on WeChat 6.3.30; see the protocol notes).
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
