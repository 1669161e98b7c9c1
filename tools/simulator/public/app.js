import { api, el, formatPhone } from './dom.js';
import { inspectorPanel } from './inspector-view.js';
import { renderEntry, typingIndicator } from './message-view.js';
import { smsPanel } from './sms-view.js';
import { telegram } from './telegram-view.js';
import { viber } from './viber-view.js';

// The simulator page: customers in Viber or Telegram talking to the running stack. Each customer is
// a chat of its own (its own chat id, which names the messenger); switching keeps each chat's
// history in memory. What differs between the messengers is in their views (viber-view.js,
// telegram-view.js); this file does what is the same.

const MESSENGERS = { viber, telegram };

const POLL_MS = 500;
/** The demo account инзб12345678 has this phone on file: the default customer can pass identification. */
const DEMO_PHONE = '+7 900 123-45-67';
const DEFAULT_CUSTOMER = { channel: 'viber', name: 'Мария', phone: DEMO_PHONE };
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
  botSub: $('bot-sub'),
  screen: $('screen'),
  startBar: $('start-bar'),
  cardTitle: $('card-title'),
  idLabel: $('id-label'),
  reopen: $('reopen'),
};

const customers = [];
let selected;

const messengerOf = (customer) => MESSENGERS[customer.channel];
/** The customer's routes of the simulator's API: the chat id names the messenger (`tg:…` is Telegram's). */
const customerApi = (customer, path) => `/api/customers/${encodeURIComponent(customer.id)}/${path}`;

function addCustomer({ channel, name, phone }) {
  const customer = {
    id: MESSENGERS[channel].newChatId(),
    channel,
    name,
    phone,
    entries: [],
    after: 0,
    inspectAfter: 0,
    reports: [],
    keyboard: null,
    unread: 0,
    typingUntil: 0,
    /** Telegram's chat waits for the customer's /start; Viber's opens as it is added. */
    started: !MESSENGERS[channel].startCommand,
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
          : messengerOf(customer).preview(last);
      return el(
        'li',
        {
          class: `${customer === selected ? 'customer selected' : 'customer'} channel-${customer.channel}`,
          'data-id': customer.id,
          title: messengerOf(customer).name,
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
  const { labels } = messengerOf(customer);
  view.screen.dataset.channel = customer.channel;
  view.cardTitle.textContent = labels.card;
  view.idLabel.textContent = labels.id;
  view.reopen.textContent = labels.reopen;
  view.botSub.textContent = labels.botSub;
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
  const messenger = messengerOf(customer);
  const nearBottom = view.chat.scrollHeight - view.chat.scrollTop - view.chat.clientHeight < 80;
  view.chat.replaceChildren(
    ...customer.entries.map((entry) => renderEntry(entry, messenger)),
    Date.now() < customer.typingUntil ? typingIndicator() : '',
  );
  // Until the customer starts a Telegram chat, its «Запустить» takes the input field's place.
  view.startBar.hidden = customer.started;
  view.composer.hidden = !customer.started;
  // The keyboard first: its height changes the chat's, and the scroll must see the final one.
  messenger.renderKeyboard(view.keyboard, customer.keyboard, press);
  if (nearBottom || customer.entries.at(-1)?.from === 'me') view.chat.scrollTop = view.chat.scrollHeight;
}

const refresh = (customer) => {
  renderCustomers();
  if (customer === selected) renderChat();
};

/** A message the bot sent (as the messenger's fake recorded it): shown, and the keyboard as it leaves it. */
function receive(customer, sent) {
  const messenger = messengerOf(customer);
  const entry = { from: 'bot', seq: sent.seq, ...messenger.entryOf(sent) };
  add(customer, entry);
  customer.keyboard = messenger.keyboardAfter(entry, customer.keyboard);
  // Viber names the bot in every message.
  if (sent.body.sender?.name) view.botName.textContent = sent.body.sender.name;
}

/** Opens the chat as the messenger does: Viber's conversation_started, or the customer's /start on Telegram. */
async function open(customer) {
  customer.started = true;
  const { startCommand } = messengerOf(customer);
  if (startCommand) return sendAs(customer, { kind: 'text', text: startCommand }, 'open', {});
  customer.keyboard = null;
  note(customer, 'Клиент открыл чат с ботом (conversation_started)');
  refresh(customer);
  try {
    const { welcome } = await api(customerApi(customer, 'open'), {
      method: 'POST',
      body: { name: customer.name },
    });
    if (welcome) receive(customer, { body: welcome });
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
    await api(customerApi(customer, path), { method: 'POST', body: { name: customer.name, ...body } });
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

/** A keyboard button, as the messenger's view says what it does. */
function press(button) {
  const action = messengerOf(selected).actionOf(button);
  switch (action.kind) {
    case 'text':
      return sendText(action.text);
    case 'url':
      return window.open(action.url, '_blank', 'noopener');
    case 'share-phone':
      return sharePhone();
    default:
      note(selected, `Кнопка ${action.what} в симуляторе не работает`);
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

// --- What the bot sent, read from the messenger's fake API for every customer.

async function pollMessages(customer) {
  const fresh = await api(customerApi(customer, `messages?after=${customer.after}`));
  for (const message of fresh) {
    customer.after = Math.max(customer.after, message.seq);
    receive(customer, message);
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

/** The messenger chosen for the next customer. */
const newChannel = () => document.querySelector('input[name="new-channel"]:checked')?.value ?? 'viber';

$('add-customer').addEventListener('click', () => {
  const index = customers.length;
  const channel = newChannel();
  const customer = addCustomer({
    channel,
    name: MORE_NAMES[(index - 1) % MORE_NAMES.length],
    // Viber's new customers are strangers; on Telegram it is most often the demo customer trying the other messenger.
    phone:
      channel === 'telegram'
        ? DEMO_PHONE
        : `+7 900 555-${String(10 + index).slice(-2)}-${String(index * 7)
            .padStart(2, '0')
            .slice(-2)}`,
  });
  select(customer);
  // A Telegram chat waits for the customer's «Запустить», as Telegram's does.
  if (!messengerOf(customer).startCommand) void open(customer);
});
$('reopen').addEventListener('click', () => void open(selected));
$('start').addEventListener('click', () => void open(selected));

/** Only the messengers the stack has can be chosen (Telegram needs its webhook secret in the simulator's env). */
void api('/api/channels')
  .then(({ channels }) => {
    for (const input of document.querySelectorAll('input[name="new-channel"]')) {
      input.disabled = !channels.includes(input.value);
      if (input.disabled) input.closest('label').title = 'Стек запущен без этого мессенджера';
    }
  })
  .catch(() => undefined);

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
