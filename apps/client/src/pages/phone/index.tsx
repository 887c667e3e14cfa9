import { type BaseEventOrig, Button, type ButtonProps, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { describeError, session } from '../../auth';
import { useSessionState, useSignedIn } from '../../auth/use-session-state';
import { maskPhone } from '../../utils/mask';
import { readPhoneNumberEvent } from '../../utils/phone-number-event';

type Screen =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'done'; phone: string }
  | { kind: 'message'; text: string };

export default function Phone() {
  const state = useSessionState(session);
  const [view, setView] = useState<Screen>({ kind: 'idle' });

  // The phone code is single-use and billed: sign in first, so that a failed login cannot waste one.
  useSignedIn(session, state);

  async function onGetPhoneNumber(event: BaseEventOrig<ButtonProps.onGetPhoneNumberEventDetail>) {
    const outcome = readPhoneNumberEvent(event.detail);
    if (outcome.kind === 'refused') {
      setView({ kind: 'message', text: outcome.message });
      return;
    }
    setView({ kind: 'sending' });
    try {
      const { purePhoneNumber, countryCode } = await session.phone(outcome.code);
      setView({ kind: 'done', phone: maskPhone(purePhoneNumber, countryCode) });
    } catch (error) {
      setView({ kind: 'message', text: describeError(error) });
    }
  }

  const ready = state.status === 'signedIn';
  return (
    <View className="page">
      <Text className="status">
        {state.status === 'failed'
          ? `登录失败：${describeError(state.error)}`
          : ready
            ? '授权后，我们会用微信验证过的手机号完成绑定。'
            : '正在登录…'}
      </Text>
      {view.kind === 'done' && <Text className="notice">你的手机号：{view.phone}</Text>}
      {view.kind === 'message' && <Text className="notice">{view.text}</Text>}

      <Button
        className="action"
        type="primary"
        openType="getPhoneNumber"
        disabled={!ready || view.kind === 'sending'}
        loading={view.kind === 'sending'}
        onGetPhoneNumber={onGetPhoneNumber}
      >
        获取手机号
      </Button>
      {state.status === 'failed' && (
        <Button className="action" onClick={() => session.signIn().catch(() => undefined)}>
          重试登录
        </Button>
      )}
    </View>
  );
}
