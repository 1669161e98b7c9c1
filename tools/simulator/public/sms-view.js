import { api, el, formatPhone, formatSeconds, sameNumber } from './dom.js';

// The local SMS gateway's outbox, newest first, read every second: where a developer finds the
// code the bot "sent" to the customer's phone.

const POLL_MS = 1_000;
const KEEP = 100;

/** The code in bold, so it is what the eye finds first. */
const withCode = (text) =>
  text.split(/(\b\d{4,6}\b)/).map((part, index) => (index % 2 === 1 ? el('b', { class: 'code' }, part) : part));

export function smsPanel({ list, empty, selectedPhone }) {
  const messages = [];
  let after = 0;

  function render() {
    const phone = selectedPhone();
    empty.hidden = messages.length > 0;
    list.replaceChildren(
      ...messages.map((sms) =>
        el(
          'li',
          { class: sameNumber(sms.phone, phone) ? 'sms mine' : 'sms', 'data-phone': sms.phone, 'data-seq': sms.seq },
          el(
            'div',
            { class: 'sms-head' },
            el('span', { class: 'sms-to' }, formatPhone(sms.phone)),
            el('span', { class: 'sms-at' }, formatSeconds(sms.at)),
          ),
          el('div', { class: 'sms-text' }, withCode(sms.text)),
        ),
      ),
    );
  }

  async function poll() {
    try {
      const fresh = await api(`/api/sms?after=${after}`);
      if (fresh.length > 0) {
        for (const sms of fresh) after = Math.max(after, sms.seq);
        messages.unshift(...fresh.reverse());
        messages.length = Math.min(messages.length, KEEP);
        render();
      }
    } catch {
      // The reference service is restarting: the next poll tries again.
    }
    setTimeout(poll, POLL_MS);
  }

  render();
  void poll();
  return { render };
}
