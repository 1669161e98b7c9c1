import { describe, expect, test } from 'vitest';
import { fromPromise, setup, emit } from 'xstate';
import { chatDialogue as makeDialogue, type Dialogue } from '../../machines/dialogue.js';
import { content } from '../harness/dialogue-driver.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import { Texts } from '../../machines/texts.js';
import { runTurn, TurnError } from '../../services/worker/turn.js';

const chatDialogue = makeDialogue(content);
const text = (value: string): ChatMachineEvent => ({ type: 'chat.text', id: `e-${value}`, at: Date.now(), text: value });
const turn = (saved: Parameters<typeof runTurn>[0]['saved'], event: ChatMachineEvent, dialogue: Dialogue = chatDialogue) =>
  runTurn({ dialogue, chatId: 'c1', saved, event, timeoutMs: 1_000 });

describe('one dialogue turn', () => {
  test('a new chat starts from the initial state and answers', async () => {
    const result = await turn(null, text('Начать'));
    expect(result.reset).toBe(false);
    expect(result.snapshot).toMatchObject({ status: 'active', value: 'menu' });
    expect(result.replies.map((r) => r.kind === 'text' && r.text)).toEqual([Texts.menu]);
  });

  test('the persisted snapshot survives a JSON round trip and is restored', async () => {
    const first = await turn(null, text('Начать'));
    const saved = { snapshot: JSON.parse(JSON.stringify(first.snapshot)), machineVersion: chatDialogue.version };
    const second = await turn(saved, text('Оплатить'));
    expect(second.snapshot).toMatchObject({ value: { payment: 'intro' } });
    expect(second.replies).toHaveLength(1);
  });

  test('a snapshot from another machine version restarts the chat, keeping its button colour and accounts', async () => {
    const saved = { snapshot: { status: 'active', value: 'someRemovedState', context: { buttonColor: '#123456', accounts: ['инзб1'] } }, machineVersion: 0 };
    const result = await turn(saved, text('Начать'));
    expect(result.reset).toBe(true);
    expect(result.snapshot).toMatchObject({ value: 'menu', context: { chatId: 'c1', buttonColor: '#123456', accounts: ['инзб1'] } });
  });

  test('a snapshot naming a state this version lacks restarts the chat instead of crashing the process', async () => {
    const saved = { snapshot: { status: 'active', value: 'vanished', context: { buttonColor: '#654321' }, children: {} }, machineVersion: chatDialogue.version };
    const result = await turn(saved, text('Начать'));
    expect(result.reset).toBe(true);
    expect(result.snapshot).toMatchObject({ value: 'menu', context: { buttonColor: '#654321' } });
  });

  test('waits for invoked side effects before the snapshot is taken, so none is persisted mid-flight', async () => {
    const machine = setup({
      types: { events: {} as ChatMachineEvent, emitted: {} as { type: 'reply'; reply: { kind: 'text'; text: string } } },
      actors: { lookup: fromPromise(async () => new Promise<string>((resolve) => setTimeout(() => resolve('found'), 50))) },
    }).createMachine({
      initial: 'idle',
      states: {
        idle: { on: { 'chat.text': 'looking' } },
        looking: { invoke: { src: 'lookup', onDone: { target: 'done', actions: emit(({ event }) => ({ type: 'reply' as const, reply: { kind: 'text' as const, text: event.output } })) } } },
        done: {},
      },
    });
    const result = await turn(null, text('x'), { machine, version: 1, input: () => ({ chatId: 'c1' }) });
    expect(result.snapshot).toMatchObject({ value: 'done' });
    expect(result.replies).toEqual([{ kind: 'text', text: 'found' }]);
  });

  test('a side effect that never settles fails the turn instead of saving a half-done state', async () => {
    const machine = setup({ types: { events: {} as ChatMachineEvent }, actors: { hang: fromPromise(() => new Promise<void>(() => {})) } }).createMachine({
      initial: 'idle',
      states: { idle: { on: { 'chat.text': 'waiting' } }, waiting: { invoke: { src: 'hang' } } },
    });
    await expect(runTurn({ dialogue: { machine, version: 1, input: () => ({ chatId: 'c1' }) }, chatId: 'c1', saved: null, event: text('x'), timeoutMs: 100 })).rejects.toThrow(TurnError);
  });
});
