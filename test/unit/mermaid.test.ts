import { describe, expect, test } from 'vitest';
import { fromPromise, setup } from 'xstate';
import { mermaidText, toMermaid } from '../../machines/diagram/mermaid.js';

const machine = setup({
  types: { events: {} as { type: 'go' } | { type: 'back' } | { type: 'ping' } },
  actors: { lookUp: fromPromise(async () => 1) },
  guards: { isReady: () => true },
}).createMachine({
  id: 'demo',
  initial: 'idle',
  on: { ping: {} },
  states: {
    idle: { on: { go: [{ guard: 'isReady', target: 'flow' }, { guard: () => false, target: 'flow.b' }, { actions: () => {} }] } },
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
  test('the whole machine: nested states, named guards, loops, invoked actors, the machine’s own events', () => {
    const text = toMermaid(machine);
    expect(text.split('\n')[0]).toBe('stateDiagram-v2');
    const expected = [
      '  [*] --> demo_idle',
      '  state "flow" as demo_flow {',
      '    [*] --> demo_flow_a',
      '    demo_flow_a : invoke lookUp',
      '    demo_flow_a --> demo_flow_b : done',
      '    demo_flow_b --> demo_flow_a : back',
      '  demo_idle --> demo_flow : go [isReady]',
      '  demo_idle --> demo_flow_b : go',
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
    expect(text).toContain('  demo_idle --> demo_flow : go [isReady], go');
  });

  test('labels lose what Mermaid would parse', () => {
    expect(mermaidText('a: "b"; #c {d}')).toBe('a b c d');
  });
});
