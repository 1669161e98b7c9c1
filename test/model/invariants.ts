import type { StateValue } from 'xstate';
import type { Reply } from '../../shared/contracts/reply.js';
import { renderViberMessage } from '../../shared/viber/render.js';
import { validateSendMessage } from '../../fakes/viber/validate.js';
import { renderTelegramCalls } from '../../shared/telegram/render.js';
import { telegramProblems } from '../../shared/telegram/limits.js';
import { Texts } from '../../machines/texts.js';

export type Invariant = 'keyboard' | 'way-to-menu' | 'viber' | 'telegram' | 'colour' | 'model';

/** A broken invariant: where (state id), after which events, and what was wrong. */
export interface Violation {
  invariant: Invariant;
  state: string;
  events: string[];
  detail: string;
}

/** 'chat.readings.chooseAccount.choosing' for { readings: { chooseAccount: 'choosing' } }. */
export function stateId(value: StateValue, prefix = 'chat'): string {
  if (typeof value === 'string') return `${prefix}.${value}`;
  return Object.entries(value)
    .map(([key, child]) =>
      child === undefined ? `${prefix}.${key}` : stateId(child as StateValue, `${prefix}.${key}`),
    )
    .join(', ');
}

const SENDER = { name: 'Энергосбыт' };
const TELEGRAM_CHAT = '700000001';

/**
 * What must hold for every turn: (a) a turn that says something leaves a keyboard on the screen,
 * so the customer is never left without buttons; (c) every message is one the Viber API accepts,
 * and the Bot API calls it becomes are ones Telegram accepts (whichever messenger the walk's chat
 * is on: the dialogue's texts and keyboards are the same), and every keyboard is in the chat's
 * chosen colour.
 */
export function turnProblems(
  replies: readonly Reply[],
  chatId: string,
  buttonColor: string,
): { invariant: Invariant; detail: string }[] {
  const problems: { invariant: Invariant; detail: string }[] = [];
  const last = replies.at(-1);
  if (last && !last.keyboard)
    problems.push({ invariant: 'keyboard', detail: `the last reply (${last.kind}) has no keyboard` });
  for (const reply of replies) {
    const body = renderViberMessage(reply, SENDER, chatId);
    const refusal = validateSendMessage(body, Buffer.byteLength(JSON.stringify(body)));
    if (refusal) problems.push({ invariant: 'viber', detail: `Viber would refuse it: ${refusal.message}` });
    for (const problem of telegramRefusals(reply))
      problems.push({ invariant: 'telegram', detail: `Telegram would refuse it: ${problem}` });
    if (reply.keyboard && reply.keyboard.color !== buttonColor)
      problems.push({
        invariant: 'colour',
        detail: `keyboard colour ${reply.keyboard.color} is not the chat's ${buttonColor}`,
      });
  }
  return problems;
}

function telegramRefusals(reply: Reply): string[] {
  try {
    const calls = renderTelegramCalls(reply, TELEGRAM_CHAT, { keyboardPrompt: Texts.keyboardPrompt });
    return calls.flatMap((call) => telegramProblems(call));
  } catch (error) {
    return [`it cannot be rendered: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** One violation per kind, state, problem and last event: the one with the shortest path. */
export function shortestOfEach(violations: readonly Violation[]): Violation[] {
  const kept = new Map<string, Violation>();
  for (const violation of violations) {
    const key = [violation.invariant, violation.state, violation.detail, violation.events.at(-1)].join('|');
    const previous = kept.get(key);
    if (!previous || previous.events.length > violation.events.length) kept.set(key, violation);
  }
  return [...kept.values()];
}

export const describeViolation = (v: Violation) =>
  `[${v.invariant}] ${v.state}: ${v.detail}\n    after ${v.events.join(' → ')}`;
