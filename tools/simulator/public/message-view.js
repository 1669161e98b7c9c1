import { el, formatPhone, formatTime, linkified } from './dom.js';

// One chat entry as a bubble: the bot's messages on the left (their content drawn by the chat's
// messenger view: viber-view.js, telegram-view.js), the customer's messages on the right, the
// simulator's own notes in the middle. The cards here are what both messengers draw alike.

const icon = (path) => el('span', { class: 'card-icon', 'aria-hidden': 'true' }, svg(path));

function svg(path) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  node.setAttribute('viewBox', '0 0 24 24');
  node.setAttribute('width', '22');
  node.setAttribute('height', '22');
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shape.setAttribute('fill', 'currentColor');
  shape.setAttribute('d', path);
  node.append(shape);
  return node;
}

export const ICONS = {
  file: 'M6 2h8l6 6v14H6zM13 3.5V9h5.5z',
  pin: 'M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z',
  link:
    'M10.6 13.4a1 1 0 0 1 0-1.4l3.5-3.5a1 1 0 1 1 1.4 1.4L12 13.4a1 1 0 0 1-1.4 0z' +
    'M7 17a3 3 0 0 1 0-4.2l2-2 1.4 1.4-2 2a1 1 0 1 0 1.4 1.4l2-2 1.4 1.4-2 2A3 3 0 0 1 7 17z' +
    'm6.6-5.2 2-2a1 1 0 1 0-1.4-1.4l-2 2-1.4-1.4 2-2a3 3 0 0 1 4.2 4.2l-2 2z',
  person: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z',
};

export const externalLink = (href, text) => el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text);

export function card(iconPath, title, ...lines) {
  return el(
    'div',
    { class: 'card' },
    icon(iconPath),
    el('div', { class: 'card-body' }, el('div', { class: 'card-title' }, title), ...lines),
  );
}

/** Text as messengers show it: line breaks kept, URLs as links. */
export const textContent = (text) => el('div', { class: 'text' }, linkified(String(text ?? '')));

/** A file: its name links to it, `meta` (its size, when the messenger tells it) under it. */
export const fileCard = (url, name, meta) =>
  card(ICONS.file, externalLink(url, name), meta === undefined ? null : el('div', { class: 'card-meta' }, meta));

export function locationCard(lat, lon) {
  const osm = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  return card(
    ICONS.pin,
    'Местоположение',
    el('div', { class: 'card-meta' }, `${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`),
    externalLink(osm, 'Открыть в OpenStreetMap'),
  );
}

function customerContent(entry) {
  if (entry.kind === 'contact')
    return card(ICONS.person, entry.name, el('div', { class: 'card-meta' }, formatPhone(entry.phone)));
  return el('div', { class: 'text' }, entry.text);
}

/**
 * An entry of the chat. A bot's entry is drawn by `channel` (its messenger's view): `content(entry)`
 * in the bubble, and `below(entry)`, when it gives something, under it (Telegram's inline buttons).
 */
export function renderEntry(entry, channel) {
  if (entry.from === 'note') return el('div', { class: `note ${entry.tone ?? ''}` }, entry.text);
  const mine = entry.from === 'me';
  const bubble = el(
    'div',
    { class: 'bubble' },
    mine ? customerContent(entry) : channel.content(entry),
    el('span', { class: 'time' }, formatTime(entry.at)),
  );
  const below = mine ? null : (channel.below?.(entry) ?? null);
  return el(
    'div',
    { class: `msg ${mine ? 'me' : 'bot'} type-${entry.kind}`, 'data-seq': entry.seq },
    below ? el('div', { class: 'with-below' }, bubble, below) : bubble,
  );
}

/** A few dots while the stack works on the answer. */
export const typingIndicator = () =>
  el(
    'div',
    { class: 'msg bot typing', 'aria-label': 'бот печатает' },
    el('div', { class: 'bubble' }, el('span'), el('span'), el('span')),
  );
