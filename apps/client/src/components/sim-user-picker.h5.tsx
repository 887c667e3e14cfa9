import { Button, Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { session } from '../auth';
import { isSimUserName, setSimUser, simUser } from '../dev/sim-user';
import './sim-user-picker.h5.css';

/**
 * H5 development build only: which simulated WeChat user `wx.login` stands for. Switching ends the
 * current session (it belongs to the other user); the page then signs in as the new one.
 */
export function SimUserPicker() {
  const [user, setUser] = useState(simUser);
  const [draft, setDraft] = useState(user);
  const valid = isSimUserName(draft.trim());

  async function switchUser() {
    const name = draft.trim();
    if (!isSimUserName(name) || name === user) return;
    // The user first: logging out signs the page straight back in, and that login must be the new user's.
    setSimUser(name);
    setUser(name);
    await session.logout();
  }

  return (
    <View className="sim-user">
      <Text className="sim-user-label">模拟器用户（仅 H5 开发版）：{user}</Text>
      <View className="sim-user-row">
        <Input
          className="sim-user-input"
          value={draft}
          maxlength={64}
          placeholder="用户名，如 alice"
          onInput={(event) => setDraft(event.detail.value)}
        />
        <Button className="sim-user-switch" size="mini" disabled={!valid || draft.trim() === user} onClick={switchUser}>
          切换用户
        </Button>
      </View>
    </View>
  );
}
