import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, test } from 'vitest';
import { fileContentCatalog } from '../../shared/adapters/file-content-catalog.js';
import { chatTag } from '../../shared/ops/logger.js';
import { createLogger } from '../../shared/ops/logger.js';
import type { ChatEvent } from '../../shared/contracts/chat-event.js';
import { chatDialogue } from '../../machines/dialogue.js';
import { ChatActor, transitionReporter } from '../../services/worker/index.js';
import { InspectionLog } from '../../tools/simulator/inspection-feed.js';
import { machineDiagrams } from '../../tools/simulator/machine-diagram.js';
import { MemoryChatStore } from '../harness/memory-chat-store.js';

const content = await fileContentCatalog().load();
const dialogue = chatDialogue(content);
const textEvent = (chatId: string, text: string): ChatEvent => ({
  id: 'e1',
  channel: 'viber',
  chatId,
  at: 0,
  kind: 'text',
  text,
});

const silent = createLogger('test', 'silent');

/** One turn of a chat's actor, reporting its transitions on `nc` as a worker with INSPECT=1 does. */
function turn(nc: NatsConnection, chatId: string, text: string) {
  const store = new MemoryChatStore();
  const actor = new ChatActor(chatId, {
    dialogue,
    store,
    publishReplies: async () => {},
    runEffect: async () => ({ ok: false, error: { message: 'no effects here' } }),
    fence: () => {},
    now: Date.now,
    onTransition: transitionReporter(nc, chatId),
  });
  const outcome = actor.handle(textEvent(chatId, text), 1, { logger: silent, correlationId: 'c' });
  return { outcome, store };
}

/** A NATS connection that only records what was published. */
function recordingConnection() {
  const published: { subject: string; data: string }[] = [];
  const nc = {
    publish: (subject: string, data: string) => published.push({ subject, data }),
  } as unknown as NatsConnection;
  return { nc, published };
}

describe('live inspection of a chat actor', () => {
  test(
    'the worker reports the root actor’s states by chat tag, ' + 'never the id, the typed text or the context',
    async () => {
      const chatId = 'viber-user-secret-id';
      const { nc, published } = recordingConnection();
      const typed = 'Начать';
      expect(await turn(nc, chatId, typed).outcome).toBe('applied');

      expect(published.length).toBeGreaterThan(0);
      expect(new Set(published.map((p) => p.subject))).toEqual(new Set([`inspect.chat.${chatTag(chatId)}`]));
      const reports = published.map((p) => JSON.parse(p.data) as Record<string, unknown>);
      for (const report of reports) {
        expect(Object.keys(report).every((key) => ['chat', 'type', 'state', 'event'].includes(key))).toBe(true);
        expect(['@xstate.snapshot', '@xstate.event']).toContain(report.type);
      }
      expect(reports).toContainEqual({
        chat: chatTag(chatId),
        type: '@xstate.snapshot',
        state: 'menu',
        event: 'chat.text',
      });
      const wire = published.map((p) => p.data).join('\n');
      expect(wire).not.toContain(typed);
      expect(wire).not.toContain(chatId);
      expect(wire).not.toContain('buttonColor');
    },
  );

  test('a closed connection does not fail the turn', async () => {
    const nc = {
      publish: () => {
        throw new Error('closed');
      },
    } as unknown as NatsConnection;
    const { outcome, store } = turn(nc, 'c', 'Начать');
    expect(await outcome).toBe('applied');
    expect(store.latest('c')?.snapshot).toMatchObject({ value: 'menu' });
  });

  test('the simulator keeps each chat’s recent reports, numbered, and hands out only the new ones', () => {
    const log = new InspectionLog();
    for (let i = 0; i < 70; i++) log.add({ chat: 'a', type: '@xstate.snapshot', state: `s${i}` });
    log.add({ chat: 'b', type: '@xstate.event', state: 'menu', event: 'chat.text' });
    expect(log.since('a', 0)).toHaveLength(60);
    expect(log.since('a', 68).map((r) => r.state)).toEqual(['s68', 's69']);
    expect(log.since('b', 0)).toMatchObject([{ n: 1, type: '@xstate.event', state: 'menu', event: 'chat.text' }]);
    expect(log.since('unknown', 0)).toEqual([]);
  });
});

describe('the chat machine’s diagram for a state', () => {
  const diagram = machineDiagrams(dialogue.machine);

  test('inside a section, the section is drawn with the current state highlighted', () => {
    const view = diagram({ identify: 'askCode' }, 'section');
    expect(view.root).toBe('chat.identify');
    expect(view.current).toEqual(['chat.identify.askCode']);
    expect(view.mermaid).toMatch(/^stateDiagram-v2/);
    expect(view.mermaid).toContain('class chat_identify_askCode highlight');
  });

  test('the whole dialogue on request, and names the machine does not have are ignored', () => {
    expect(diagram({ identify: 'askCode' }, 'all').root).toBeUndefined();
    expect(diagram('menu', 'section')).toMatchObject({ current: ['chat.menu'] });
    expect(diagram({ nowhere: 'x', constructor: 'y' }, 'section')).toMatchObject({ current: [] });
    expect(diagram(undefined, 'all').mermaid).not.toContain('highlight');
  });
});
