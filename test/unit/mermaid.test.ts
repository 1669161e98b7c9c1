import { describe, expect, test } from 'vitest';
import { and, fromPromise, not, setup } from 'xstate';
import { createChatMachine } from '../../machines/chat.machine.js';
import { guardLabel, guardWords, mermaidText, toMermaid } from '../../machines/diagram/mermaid.js';
import { subtreeOf, transitionsOf } from '../../machines/diagram/state-nodes.js';
import { content } from '../harness/dialogue-driver.js';

const machine = setup({
  types: { events: {} as { type: 'go' } | { type: 'back' } | { type: 'ping' } },
  actors: { lookUp: fromPromise(async () => 1) },
  guards: {
    isReady: () => true,
    isOpen: Object.assign((_: unknown, params: { door: string }) => params.door !== '', {
      description: (params: { door: string }) => `the ${params.door} door is open`,
    }),
  },
}).createMachine({
  id: 'demo',
  initial: 'idle',
  on: { ping: {} },
  states: {
    idle: {
      on: {
        go: [{ guard: 'isReady', target: 'flow' }, { guard: () => false, target: 'flow.b' }, { actions: () => {} }],
        back: [{ guard: and([{ type: 'isOpen', params: { door: 'back' } }, not('isReady')]), target: 'flow.a' }],
      },
    },
    flow: {
      initial: 'a',
      states: {
        a: { invoke: { src: 'lookUp', onDone: 'b', onError: '#demo.idle' } },
        b: { always: { target: '#demo.idle' }, on: { back: 'a' } },
      },
    },
  },
});

describe('toMermaid', () => {
  test('the whole machine: nested states, guards in words, loops, invoked actors, the machine’s own events', () => {
    const text = toMermaid(machine);
    expect(text.split('\n')[0]).toBe('stateDiagram-v2');
    const expected = [
      '  [*] --> demo_idle',
      '  state "flow" as demo_flow {',
      '    [*] --> demo_flow_a',
      '    demo_flow_a : invoke lookUp',
      '    demo_flow_a --> demo_flow_b : done',
      '    demo_flow_b --> demo_flow_a : back',
      '  demo_idle --> demo_flow : go [ready]',
      '  demo_idle --> demo_flow_b : go [unnamed guard]',
      '  demo_idle --> demo_flow_a : back [the back door is open and not ready]',
      '  demo_idle --> demo_idle : go',
      '  demo_flow_a --> demo_idle : error',
      '  demo_flow_b --> demo_idle : always',
      '  any_state --> any_state : ping',
    ];
    for (const line of expected) expect(text.split('\n')).toContain(line);
  });

  test('a subtree: states outside it are plain states, highlighted states get a class', () => {
    const text = toMermaid(machine, { root: 'demo.flow', highlight: ['demo.flow.b'] });
    expect(text).not.toContain('demo_idle --> ');
    expect(text).toContain('  state "idle" as demo_idle');
    expect(text).toContain('  demo_flow_b --> demo_idle : always');
    expect(text).toContain('  class demo_flow_b highlight');
  });

  test('depth 1 folds nested states into their ancestor', () => {
    const text = toMermaid(machine, { depth: 1 });
    expect(text).not.toContain('demo_flow_a');
    expect(text).toContain('  demo_flow --> demo_idle : error, always');
    expect(text).toContain(
      '  demo_idle --> demo_flow : go [ready], go [unnamed guard], back [the back door is open and not ready]',
    );
  });

  test('a guard’s name in words', () => {
    expect(guardWords('isReadingBelowPrevious')).toBe('reading below previous');
    expect(guardWords('hasMoreZones')).toBe('has more zones');
    expect(guardWords('island')).toBe('island');
  });

  test('the chat machine: every guard has a name, and every guarded arrow says it in words', () => {
    const chat = createChatMachine(content);
    const named = (guard: unknown): boolean =>
      typeof guard === 'string' ||
      (typeof guard === 'object' && guard !== null && typeof (guard as { type?: unknown }).type === 'string') ||
      (typeof guard === 'function' &&
        ((guard as unknown as { guards?: unknown }).guards as unknown[] | undefined)?.every(named) === true);
    const guarded = subtreeOf(chat.root)
      .flatMap(transitionsOf)
      .filter((transition) => transition.guard !== undefined);
    expect(guarded.length).toBeGreaterThan(50);
    const inline = guarded
      .filter((transition) => !named(transition.guard))
      .map((transition) => `${transition.source.id} ${transition.eventType}`);
    expect(inline).toEqual([]);
    for (const transition of guarded) expect(guardLabel(chat, transition.guard)).not.toMatch(/unnamed|^is[A-Z]/);
    const readings = toMermaid(chat, { root: 'chat.readings' });
    expect(readings).toContain(
      'chat_readings_enterValue --> chat_readings_enterValue : chat.text [«Назад» and not the first tariff zone], ' +
        'chat.text [not a number], chat.text [more digits than the dial], chat.text [reading below previous]',
    );
    expect(readings).toContain(
      'chat_readings_enterValue --> chat_readings_confirmHigh : chat.text [consumption above plausible]',
    );
  });

  test('labels lose what Mermaid would parse', () => {
    expect(mermaidText('a: "b"; #c {d}')).toBe('a b c d');
  });
});
