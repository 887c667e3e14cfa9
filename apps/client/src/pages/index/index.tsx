import { Button, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { api } from '../../api/client';

export default function Index() {
  const [status, setStatus] = useState('未检查');

  async function checkHealth() {
    const reply = await api.healthz();
    setStatus(reply.status === 200 ? `服务正常（${reply.body.status}）` : `服务异常（${reply.status}）`);
  }

  return (
    <View>
      <Text>{status}</Text>
      <Button onClick={checkHealth}>检查服务</Button>
    </View>
  );
}
