import { describe, expect, test, vi } from 'vitest';
import { emit, fromPromise, setup } from 'xstate';
import { chatDialogue as makeDialogue, type Dialogue } from '../../machines/dialogue.js';
import type { ChatMachineEvent } from '../../machines/events.js';
import { Texts } from '../../machines/texts.js';
import { activate, persist, settle, step } from '../../services/worker/index.js';
import { content } from '../harness/dialogue-driver.js';
import { subtreeOf } from '../../machines/diagram/state-nodes.js';

const chatDialogue = makeDialogue(content);
const text = (value: string): ChatMachineEvent => ({ type: 'chat.text', id: `e-${value}`, at: 0, text: value });
const texts = (replies: { kind: string; text?: string }[]) => replies.map((r) => r.kind === 'text' && r.text);
/** What the store gives back: the persisted snapshot through JSON. */
const stored = (dialogue: Dialogue, snapshot: Parameters<typeof persist>[1]) => ({
  snapshot: JSON.parse(JSON.stringify(persist(dialogue, snapshot))) as unknown,
  machineVersion: dialogue.version,
});

describe('activating a chat from what the store holds', () => {
  test('a new chat starts from the initial state and answers its first message', () => {
    const { snapshot, reset } = activate(chatDialogue, 'c1', null);
    expect(reset).toBe(false);
    expect(snapshot).toMatchObject({ status: 'active', value: 'awaitingStart', context: { chatId: 'c1' } });
    const next = step(chatDialogue, snapshot, text('Начать'));
    expect(next.snapshot).toMatchObject({ status: 'active', value: 'menu' });
    expect(texts(next.replies)).toEqual([Texts.menu]);
    expect(next.effects).toEqual([]);
  });

  test('the persisted snapshot survives a JSON round trip and is restored', () => {
    const first = step(chatDialogue, activate(chatDialogue, 'c1', null).snapshot, text('Начать'));
    const restored = activate(chatDialogue, 'c1', stored(chatDialogue, first.snapshot));
    expect(restored.reset).toBe(false);
    expect(restored.snapshot).toMatchObject({ value: 'menu', context: { chatId: 'c1' } });
    const second = step(chatDialogue, restored.snapshot, text('Оплатить'));
    expect(second.snapshot).toMatchObject({ value: { payment: 'intro' } });
    expect(second.replies).toHaveLength(1);
  });

  test('a snapshot from another machine version restarts the chat, keeping its button colour and accounts', () => {
    const context = { buttonColor: '#123456', accounts: ['инзб1'] };
    const saved = { snapshot: { status: 'active', value: 'someRemovedState', context }, machineVersion: 0 };
    const { snapshot, reset } = activate(chatDialogue, 'c1', saved);
    expect(reset).toBe(true);
    expect(step(chatDialogue, snapshot, text('Начать')).snapshot).toMatchObject({
      value: 'menu',
      context: { chatId: 'c1', buttonColor: '#123456', accounts: ['инзб1'] },
    });
  });

  test('a snapshot naming a state this version lacks restarts the chat instead of crashing the process', () => {
    const snapshot = { status: 'active', value: 'vanished', context: { buttonColor: '#654321' }, children: {} };
    const saved = { snapshot, machineVersion: chatDialogue.version };
    const activated = activate(chatDialogue, 'c1', saved);
    expect(activated.reset).toBe(true);
    const next = step(chatDialogue, activated.snapshot, text('Начать'));
    expect(next.snapshot).toMatchObject({ value: 'menu', context: { buttonColor: '#654321' } });
  });
});

describe('side effects as requests, settled by the worker', () => {
  type Said = { type: 'reply'; reply: { kind: 'text'; text: string } };
  const said = (text: string): Said => ({ type: 'reply', reply: { kind: 'text', text } });

  /** A machine that looks something up: the lookup is a real promise that must never be started here. */
  function lookupDialogue() {
    const lookup = vi.fn(async (_: { input: { term: string } }) => 'found by xstate');
    const machine = setup({
      types: { events: {} as ChatMachineEvent, emitted: {} as Said },
      actors: { lookup: fromPromise(lookup) },
    }).createMachine({
      initial: 'idle',
      states: {
        idle: { on: { 'chat.text': 'looking' } },
        looking: {
          invoke: {
            id: 'lookup',
            src: 'lookup',
            input: ({ event }) => ({ term: (event as { text: string }).text }),
            onDone: { target: 'done', actions: emit(({ event }) => said(`found ${String(event.output)}`)) },
            onError: {
              target: 'idle',
              actions: emit(({ event }) => said(`failed: ${(event.error as Error).message}`)),
            },
          },
        },
        done: {},
      },
    });
    const dialogue: Dialogue = { machine, version: 1, input: (chatId) => ({ chatId }) };
    return { dialogue, lookup };
  }

  test('an invoked effect comes back as a request and is not run', async () => {
    const { dialogue, lookup } = lookupDialogue();
    const asked = step(dialogue, activate(dialogue, 'c1', null).snapshot, text('x'));
    expect(asked.snapshot).toMatchObject({ value: 'looking' });
    expect(asked.effects).toEqual([{ childId: 'lookup', src: 'lookup', input: { term: 'x' } }]);
    expect(asked.replies).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lookup).not.toHaveBeenCalled();
  });

  test('a saved state waiting on an effect is restored waiting, and nothing is started', async () => {
    const { dialogue, lookup } = lookupDialogue();
    const asked = step(dialogue, activate(dialogue, 'c1', null).snapshot, text('x'));
    const restored = activate(dialogue, 'c1', stored(dialogue, asked.snapshot));
    expect(restored).toMatchObject({ reset: false, snapshot: { value: 'looking' } });
    expect(Object.keys(restored.snapshot.children)).toEqual(['lookup']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lookup).not.toHaveBeenCalled();
  });

  test('its outcome settles the machine as XState’s own done event, with what the effect gave', () => {
    const { dialogue } = lookupDialogue();
    const asked = step(dialogue, activate(dialogue, 'c1', null).snapshot, text('x'));
    const done = settle(dialogue, asked.snapshot, 'lookup', { ok: true, output: 'it' }, { id: 'e-x>lookup', at: 0 });
    expect(done.snapshot).toMatchObject({ value: 'done' });
    expect(done.replies).toEqual([{ kind: 'text', text: 'found it' }]);
    expect(done.effects).toEqual([]);
  });

  test('a failed effect reaches the machine as its error event, carrying the message', () => {
    const { dialogue } = lookupDialogue();
    const asked = step(dialogue, activate(dialogue, 'c1', null).snapshot, text('x'));
    const outcome = { ok: false as const, error: { message: 'billing down' } };
    const failed = settle(dialogue, asked.snapshot, 'lookup', outcome, { id: 'e-x>lookup', at: 0 });
    expect(failed.snapshot).toMatchObject({ value: 'idle' });
    expect(failed.replies).toEqual([{ kind: 'text', text: 'failed: billing down' }]);
  });

  test('a failure the machine does not handle is an error, not a state to save', () => {
    const types = { events: {} as ChatMachineEvent };
    const machine = setup({ types, actors: { lookup: fromPromise(async () => {}) } }).createMachine({
      initial: 'idle',
      states: { idle: { on: { 'chat.text': 'waiting' } }, waiting: { invoke: { id: 'lookup', src: 'lookup' } } },
    });
    const dialogue: Dialogue = { machine, version: 1, input: (chatId) => ({ chatId }) };
    const asked = step(dialogue, activate(dialogue, 'c1', null).snapshot, text('x'));
    const outcome = { ok: false as const, error: { message: 'down' } };
    expect(() => settle(dialogue, asked.snapshot, 'lookup', outcome, { id: 'x', at: 0 })).toThrow(/the machine failed/);
  });
});

describe('stepping every chat in one inert scope', () => {
  test('is safe only while no child of the dialogue has a systemId: none has', () => {
    const invoked = subtreeOf(chatDialogue.machine.root).flatMap((node) => node.invoke);
    expect(invoked.length).toBeGreaterThan(0);
    expect(invoked.filter((child) => child.systemId !== undefined)).toEqual([]);
  });

  test('two chats stepped in turn keep apart: each step sees its own snapshot, says its own replies', () => {
    const a = step(chatDialogue, activate(chatDialogue, 'a', null).snapshot, text('Начать'));
    const b = activate(chatDialogue, 'b', null).snapshot;
    const aPays = step(chatDialogue, a.snapshot, text('Оплатить'));
    const bStarts = step(chatDialogue, b, text('Начать'));
    expect(aPays.snapshot).toMatchObject({ value: { payment: 'intro' }, context: { chatId: 'a' } });
    expect(bStarts.snapshot).toMatchObject({ value: 'menu', context: { chatId: 'b' } });
    expect(texts(bStarts.replies)).toEqual([Texts.menu]);
  });
});
