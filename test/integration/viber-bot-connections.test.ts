import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createViberBotApi } from '../../shared/adapters/viber-bot-api.js';

/** A Viber API that answers every call with success and counts the connections made to it. */
function countingViber(): { server: Server; connections: () => number; bodies: unknown[] } {
  let connections = 0;
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 0, status_message: 'ok', message_token: 1 }));
    });
  });
  server.on('connection', () => connections++);
  return { server, connections: () => connections, bodies };
}

describe('viber-bot’s calls to the Viber API', () => {
  const viber = countingViber();
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => viber.server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(viber.server.address() as AddressInfo).port}/pa`;
  });
  afterAll(() => new Promise<void>((resolve) => viber.server.close(() => resolve())));

  test('go over one kept-alive connection, not a new one per message', async () => {
    const api = createViberBotApi({
      apiUrl,
      authToken: 'test-token',
      sender: { name: 'Бот' },
      eventTypes: [],
      timeoutMs: 2_000,
    });
    for (let n = 1; n <= 5; n++) {
      await api.sendMessage({ receiver: 'user-1', type: 'text', text: `сообщение ${n}`, sender: { name: 'Бот' } });
    }
    expect(viber.bodies).toHaveLength(5);
    expect(viber.bodies[4]).toMatchObject({ receiver: 'user-1', text: 'сообщение 5', auth_token: 'test-token' });
    expect(viber.connections()).toBe(1);
  });
});
