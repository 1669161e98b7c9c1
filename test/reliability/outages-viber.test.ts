import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import type { Fault } from '../../fakes/viber/app.js';
import { eventually, freshBus, mongoUrl, natsUrl, outboundLetters } from '../harness/infra.js';
import { sampleSum, scrape } from '../harness/metrics.js';
import { opsUrlOf, startStack, type Stack } from '../harness/processes.js';
import { collectReplies, expectedReplies, runTraffic, SCRIPT } from '../harness/traffic.js';

/**
 * Viber down for minutes or hours, compressed: a retry base of tens of milliseconds and a backoff
 * cap of a second stand for 250 ms and 30 s, and a maximum age of seconds for a day.
 */
const AUTH_TOKEN = 'outage-token';
const COMPRESSED = { ACK_WAIT_MS: '2000', RETRY_BASE_MS: '50', RETRY_MAX_MS: '1000', MAX_DELIVERIES: '3' };
const HTTP_500: Fault = { httpStatus: 500 };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(extraEnv: Record<string, string>, workers = 1) {
  await (await freshBus()).close();
  const mongoDb = `outage_${randomUUID().slice(0, 8)}`;
  const options = { natsUrl: natsUrl(), mongoUrl: mongoUrl(), mongoDb, authToken: AUTH_TOKEN, workers };
  stack = await startStack({ ...options, extraEnv: { ...COMPRESSED, ...extraEnv } });
  return stack;
}

const chats = (n: number) => Array.from({ length: n }, (_, i) => `outage-${i}-${randomUUID().slice(0, 6)}`);
const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const viberDown = (current: Stack, fault: Fault) => fetch(`${current.fakeViberUrl}/_fake/outage`, json({ fault }));
const viberUp = (current: Stack) => fetch(`${current.fakeViberUrl}/_fake/outage`, { method: 'DELETE' });
const talk = (current: Stack, chatIds: string[], script: readonly string[]) =>
  runTraffic({ webhookUrl: `${current.ingressUrl}/viber/webhook`, authToken: AUTH_TOKEN, chatIds, script });

/** `npm run replay-dead-letters -- --replay` as an operator runs it: a process of its own. */
function replayCommand(current: Stack): Promise<{ code: number | null; output: string }> {
  const args = ['--import', 'tsx', 'tools/cli/replay-dead-letters.ts', '--replay'];
  const env = { ...process.env, ...current.env };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('Viber outages ride through without a person', () => {
  test('Viber answering 500 for 25 s while chats talk: each reply once, in order, none filed, few calls', async () => {
    const current = await start({ REPLY_MAX_AGE_MS: String(10 * 60_000) }, 2);
    const outboundUrl = await opsUrlOf(current.services.find((s) => s.name === 'outbound')!);
    const chatIds = chats(12);
    const expected = await expectedReplies();
    await talk(current, chatIds, SCRIPT.slice(0, 4));
    await collectReplies(current.fakeViberUrl, chatIds, 4);

    await viberDown(current, HTTP_500);
    const downAt = Date.now();
    await talk(current, chatIds, SCRIPT.slice(4));
    // Mid-outage the metrics show it: the oldest reply waiting grows, the backlog is there.
    const during = await eventually(
      async () => {
        const text = await scrape(outboundUrl);
        return Math.max(...oldestAges(text)) >= 15 ? text : undefined;
      },
      'the oldest waiting reply 15 s old',
      30_000,
    );
    expect(sampleSum(during, 'energobot_consumer_pending_messages', { group: 'outbound' })).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 25_000 - (Date.now() - downAt))));
    const state = await (await fetch(`${current.fakeViberUrl}/_fake/outage`)).json();
    const { calls } = state as { calls: { faulted: number } };
    await viberUp(current);
    const outageSeconds = (Date.now() - downAt) / 1000;

    const replies = await collectReplies(current.fakeViberUrl, chatIds, expected.length, 30_000);
    for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(expected);
    expect(await outboundLetters()).toEqual([]);
    // Each of the 4 partitions tried about once per backoff cap (1 s here), not once per reply.
    expect(calls.faulted).toBeGreaterThan(10);
    expect(calls.faulted / outageSeconds).toBeLessThan(4 * 2 + 1);
    const after = await scrape(outboundUrl);
    const unreachable = sampleSum(after, 'energobot_viber_api_calls_total', { status: 'unreachable' });
    expect(unreachable).toBeGreaterThanOrEqual(calls.faulted - 4);
    expect(unreachable).toBeLessThanOrEqual(calls.faulted + 4);
    expect(sampleSum(after, 'energobot_replies_expired_total')).toBe(0);
    expect(sampleSum(after, 'energobot_dead_letters_total')).toBe(0);
    const drained = async () => (Math.max(...oldestAges(await scrape(outboundUrl))) === 0 ? true : undefined);
    await eventually(drained, 'no reply waiting');
  });

  test('a reply older than REPLY_MAX_AGE_MS is filed as expired, its chat parked; the replay keeps order', async () => {
    const current = await start({ REPLY_MAX_AGE_MS: '3000' });
    const outboundUrl = await opsUrlOf(current.services.find((s) => s.name === 'outbound')!);
    const chatIds = chats(3);
    const script = SCRIPT.slice(0, 10);
    const expected = await expectedReplies(script);
    await talk(current, chatIds, script.slice(0, 1));
    await collectReplies(current.fakeViberUrl, chatIds, 1);

    await viberDown(current, HTTP_500);
    await talk(current, chatIds, script.slice(1, 4));
    // Each chat's first waiting reply expires; the chat's later ones are filed behind it.
    const delivered = (await expectedReplies(script.slice(0, 1))).length;
    const filed = expected.length - delivered;
    const beforeRest = (await expectedReplies(script.slice(0, 4))).length - delivered;
    const lettersReach = (count: number) => async () => ((await outboundLetters()).length === count ? true : undefined);
    await eventually(lettersReach(beforeRest * chatIds.length), 'the letters filed', 30_000);
    await viberUp(current);
    // Viber is back, but a parked chat's new replies still wait behind the expired one.
    await talk(current, chatIds, script.slice(4));
    await eventually(lettersReach(filed * chatIds.length), 'the later letters filed');

    const letters = await outboundLetters();
    expect(letters.filter((letter) => letter.reason.startsWith('expired')).length).toBe(chatIds.length);
    const behind = letters.filter((letter) => letter.reason.startsWith('parked behind'));
    expect(behind.length).toBe((filed - 1) * chatIds.length);
    const metrics = await scrape(outboundUrl);
    expect(sampleSum(metrics, 'energobot_replies_expired_total')).toBe(chatIds.length);
    expect(sampleSum(metrics, 'energobot_parked_chats')).toBeGreaterThanOrEqual(chatIds.length);
    const meanwhile = await collectReplies(current.fakeViberUrl, chatIds, delivered);
    expect([...meanwhile.values()].every((sent) => sent.length === delivered)).toBe(true);

    // A customer writing while the replay runs: the new reply takes its place after the replayed ones.
    const replay = replayCommand(current);
    await talk(current, chatIds, ['Сервисный центр']);
    const { code, output } = await replay;
    expect(code, output).toBe(0);
    expect(output).toMatch(/unparked/);
    const all = await expectedReplies([...script, 'Сервисный центр']);
    const replies = await collectReplies(current.fakeViberUrl, chatIds, all.length);
    for (const chatId of chatIds) expect(replies.get(chatId), chatId).toEqual(all);
    expect(await outboundLetters()).toEqual([]);
  });

  test('a permanent refusal parks the chat; the replay sends it and then the replies behind it, in order', async () => {
    const current = await start({});
    const [chatId] = chats(1) as [string];
    await fetch(`${current.fakeViberUrl}/_fake/faults`, json([{ status: 6 }]));
    await talk(current, [chatId], ['Начать', 'Настройки']);
    await eventually(async () => ((await outboundLetters()).length === 2 ? true : undefined), 'two letters');
    const [refused, behind] = await outboundLetters();
    expect(refused).toMatchObject({ deliveries: 1, reason: expect.stringContaining('Viber status 6') });
    expect(behind?.reason).toBe(`parked behind ${refused?.originalSeq}`);

    const { code, output } = await replayCommand(current);
    expect(code, output).toBe(0);
    const expected = await expectedReplies(['Начать', 'Настройки', 'В меню']);
    await talk(current, [chatId], ['В меню']);
    expect((await collectReplies(current.fakeViberUrl, [chatId], expected.length)).get(chatId)).toEqual(expected);
  });
});

/** The outbound group's oldest-waiting ages, one per partition. */
function oldestAges(text: string): number[] {
  const sample = /^energobot_consumer_oldest_unacked_age_seconds\{[^}]*group="outbound"[^}]*\} (\S+)$/gm;
  const samples = text.matchAll(sample);
  return [...samples].map((m) => Number(m[1]));
}
