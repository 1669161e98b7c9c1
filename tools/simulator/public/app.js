import { api, el, formatPhone } from './dom.js';
import { inspectorPanel } from './inspector-view.js';
import { renderKeyboard } from './keyboard-view.js';
import { renderEntry, typingIndicator } from './message-view.js';
import { smsPanel } from './sms-view.js';

// The simulator page: customers in Viber talking to the running stack. Each customer is a chat of
// its own (its own Viber user id); switching keeps each chat's history in memory.

const POLL_MS = 500;
/** The demo account инзб12345678 has this phone on file: the default customer can pass identification. */
const DEFAULT_CUSTOMER = { name: 'Мария', phone: '+7 900 123-45-67' };
const MORE_NAMES = ['Иван', 'Ольга', 'Пётр', 'Анна', 'Сергей', 'Елена', 'Дмитрий'];
/** An answer usually comes within a second; the dots go away after this even if none came. */
const TYPING_MS = 8_000;

const $ = (id) => document.getElementById(id);
const view = {
  list: $('customer-list'),
  name: $('customer-name'),
  phone: $('customer-phone'),
  id: $('customer-id'),
  chat: $('chat'),
  keyboard: $('keyboard'),
  composer: $('composer'),
  input: $('message-input'),
  botName: $('bot-name'),
};

const customers = [];
let selected;

/** Viber ids look like base64; a random one of the same alphabet is a new Viber user. */
function newViberId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `sim${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')}`;
}

function addCustomer({ name, phone }) {
  const customer = {
    id: newViberId(),
    name,
    phone,
    entries: [],
    after: 0,
    inspectAfter: 0,
    reports: [],
    keyboard: null,
    unread: 0,
    typingUntil: 0,
  };
  customers.push(customer);
  return customer;
}

const add = (customer, entry) => {
  customer.entries.push({ at: Date.now(), ...entry });
  if (customer !== selected && entry.from === 'bot') customer.unread++;
};
const note = (customer, text, tone = 'info') => add(customer, { from: 'note', text, tone });

// --- The customers' list and card.

function renderCustomers() {
  view.list.replaceChildren(
    ...customers.map((customer) => {
      const last = customer.entries.findLast((entry) => entry.from !== 'note');
      const preview = !last
        ? 'нет сообщений'
        : last.from === 'me'
          ? `Вы: ${last.text ?? formatPhone(last.phone)}`
          : (last.body.text ?? `[${last.body.type}]`);
      return el(
        'li',
        {
          class: customer === selected ? 'customer selected' : 'customer',
          'data-id': customer.id,
          onclick: () => select(customer),
        },
        el(
          'span',
          { class: 'avatar', style: { background: avatarColor(customer.id) } },
          customer.name.slice(0, 1).toUpperCase(),
        ),
        el(
          'span',
          { class: 'who' },
          el('span', { class: 'name' }, customer.name),
          el('span', { class: 'preview' }, preview.split('\n')[0]),
        ),
        customer.unread > 0 ? el('span', { class: 'badge' }, customer.unread) : null,
      );
    }),
  );
}

function avatarColor(id) {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 55%)`;
}

function select(customer) {
  selected = customer;
  customer.unread = 0;
  view.name.value = customer.name;
  view.phone.value = customer.phone;
  view.id.textContent = customer.id;
  renderCustomers();
  renderChat();
  sms.render();
  inspector.show(customer);
  view.input.focus();
}

view.name.addEventListener('input', () => {
  selected.name = view.name.value.trim() || 'Клиент';
  renderCustomers();
});
view.phone.addEventListener('input', () => {
  selected.phone = view.phone.value.trim();
  sms.render();
});

// --- The chat.

function renderChat() {
  const customer = selected;
  const nearBottom = view.chat.scrollHeight - view.chat.scrollTop - view.chat.clientHeight < 80;
  view.chat.replaceChildren(
    ...customer.entries.map(renderEntry),
    Date.now() < customer.typingUntil ? typingIndicator() : '',
  );
  // The keyboard first: its height changes the chat's, and the scroll must see the final one.
  renderKeyboard(view.keyboard, customer.keyboard, press);
  if (nearBottom || customer.entries.at(-1)?.from === 'me') view.chat.scrollTop = view.chat.scrollHeight;
}

const refresh = (customer) => {
  renderCustomers();
  if (customer === selected) renderChat();
};

/** A bot message: shown, and its keyboard replaces the one before (none when it has none). */
function receive(customer, body, seq) {
  add(customer, { from: 'bot', body, seq });
  customer.keyboard = body.keyboard ?? null;
  if (body.sender?.name) view.botName.textContent = body.sender.name;
}

async function open(customer) {
  customer.keyboard = null;
  note(customer, 'Клиент открыл чат с ботом (conversation_started)');
  refresh(customer);
  try {
    const { welcome } = await api(`/api/customers/${customer.id}/open`, {
      method: 'POST',
      body: { name: customer.name },
    });
    if (welcome) receive(customer, welcome);
  } catch (error) {
    note(customer, `Не доставлено: ${error.message}`, 'error');
  }
  refresh(customer);
}

async function sendAs(customer, entry, path, body) {
  add(customer, { from: 'me', ...entry });
  customer.typingUntil = Date.now() + TYPING_MS;
  refresh(customer);
  try {
    await api(`/api/customers/${customer.id}/${path}`, { method: 'POST', body: { name: customer.name, ...body } });
  } catch (error) {
    customer.typingUntil = 0;
    note(customer, `Не доставлено: ${error.message}`, 'error');
    refresh(customer);
  }
}

const sendText = (text) => sendAs(selected, { kind: 'text', text }, 'text', { text });
const sharePhone = () =>
  sendAs(selected, { kind: 'contact', name: selected.name, phone: selected.phone }, 'contact', {
    phone: selected.phone,
  });

function press(button) {
  switch (button.ActionType) {
    case 'reply':
      return sendText(button.ActionBody);
    case 'open-url':
      return window.open(button.ActionBody, '_blank', 'noopener');
    case 'share-phone':
      return sharePhone();
    default:
      note(selected, `Кнопка типа ${button.ActionType} в симуляторе не работает`);
      return refresh(selected);
  }
}

view.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = view.input.value.trim();
  if (text === '') return;
  view.input.value = '';
  void sendText(text);
});

// --- Side panels.

const sms = smsPanel({ list: $('sms-list'), empty: $('sms-empty'), selectedPhone: () => selected?.phone ?? '' });
const inspector = inspectorPanel({
  stateLine: $('state-line'),
  diagram: $('diagram'),
  trail: $('trail'),
  scopeButtons: [...document.querySelectorAll('.scope button')],
});

// --- What the bot sent, read from the fake Viber API for every customer.

async function pollMessages(customer) {
  const fresh = await api(`/api/customers/${customer.id}/messages?after=${customer.after}`);
  for (const message of fresh) {
    customer.after = Math.max(customer.after, message.seq);
    receive(customer, message.body, message.seq);
  }
  if (fresh.length > 0) customer.typingUntil = 0;
  return fresh.length > 0;
}

async function poll() {
  await Promise.all(
    customers.map(async (customer) => {
      const changed = await pollMessages(customer).catch(() => false);
      if (changed) refresh(customer);
    }),
  );
  if (selected && (await inspector.poll(selected).catch(() => false))) inspector.show(selected);
  // The typing dots expire on their own.
  if (selected && selected.typingUntil !== 0 && Date.now() >= selected.typingUntil) {
    selected.typingUntil = 0;
    renderChat();
  }
  setTimeout(poll, POLL_MS);
}

$('add-customer').addEventListener('click', () => {
  const index = customers.length;
  const customer = addCustomer({
    name: MORE_NAMES[(index - 1) % MORE_NAMES.length],
    phone: `+7 900 555-${String(10 + index).slice(-2)}-${String(index * 7)
      .padStart(2, '0')
      .slice(-2)}`,
  });
  select(customer);
  void open(customer);
});
$('reopen').addEventListener('click', () => void open(selected));
// The reminder tick as the daily cron puts it on the bus, for the day the demo accounts' window opens.
$('remind').addEventListener(
  'click',
  () => void api('/api/reminders/tick', { method: 'POST', body: {} }).catch(() => undefined),
);

setInterval(
  () => ($('clock').textContent = new Date().toLocaleTimeString('ru-RU', { hour: '2-digit', minute: '2-digit' })),
  1_000,
);
window.mermaid?.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', fontFamily: 'inherit' });

const first = addCustomer(DEFAULT_CUSTOMER);
select(first);
void open(first);
void poll();
