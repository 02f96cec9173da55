import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel } from '../../../src/protocol/channel';

type In = { type: 'answer'; requestId: number; value: number } | { type: 'error'; requestId?: number; message: string } | { type: 'note' };
type Out = { type: 'ask'; requestId: number };

function channel(post: (message: Out) => void) {
  const parse = (value: unknown) => value as In;
  return new MessageChannel<In, Out>({ post, parse });
}

describe('message channel', () => {
  it('resolves a request with its reply and rejects one whose reply is an error', async () => {
    const sent: Out[] = [];
    const ch = channel((message) => sent.push(message));
    const first = ch.request({ type: 'ask' });
    const second = ch.request({ type: 'ask' });
    ch.receive({ type: 'error', requestId: sent[1].requestId, message: 'no such page' });
    ch.receive({ type: 'answer', requestId: sent[0].requestId, value: 42 });
    assert.deepEqual(await first, { type: 'answer', requestId: sent[0].requestId, value: 42 });
    await assert.rejects(second, /no such page/);
    assert.equal(ch.pendingCount, 0);
  });

  it('a request whose post throws rejects and leaves nothing pending', async () => {
    const ch = channel(() => {
      throw new Error('The trainer process has exited.');
    });
    await assert.rejects(ch.request({ type: 'ask' }), /has exited/);
    assert.equal(ch.pendingCount, 0, 'no pending request is kept for a message that was never sent');
  });

  it('a request that times out rejects and leaves nothing pending', async () => {
    const ch = channel(() => undefined);
    await assert.rejects(ch.request({ type: 'ask' }, { timeoutMs: 5, timeoutMessage: 'no answer to ask' }), /no answer to ask/);
    assert.equal(ch.pendingCount, 0, 'the timed-out request is forgotten');
  });

  it('close rejects what is outstanding and every later request', async () => {
    const ch = channel(() => undefined);
    const outstanding = ch.request({ type: 'ask' });
    ch.close(new Error('The webview was closed.'));
    await assert.rejects(outstanding, /closed/);
    await assert.rejects(ch.request({ type: 'ask' }), /closed/);
    assert.equal(ch.pendingCount, 0);
  });
});
