import type { OrderDoc } from './payment-orders.js';

/**
 * The reference provider's payment page: self-contained HTML (inline CSS, no scripts, no external
 * assets), in Russian. Every value from an order or a form is escaped before it is written.
 */

export const PROVIDER_NAME = 'Демо-эквайринг';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** 264285 → "2642.85": the editable field's value. */
export const formatRubles = (kopecks: number) =>
  `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`;

/** 264285 → "2 642,85 ₽": for reading. */
const displayRubles = (kopecks: number) =>
  `${new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(kopecks / 100)} ₽`;

/**
 * What a customer types in the amount field, in kopecks: "2642.85", "2642,85", "2 642" → integers;
 * anything else → null.
 */
export function parseRubles(text: string): number | null {
  const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(text.replace(/[\s\u00a0]/g, ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:16px;
  font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;
  background:linear-gradient(160deg,#eef2f8,#dfe7f2)}
main{width:100%;max-width:420px;background:#fff;border-radius:16px;box-shadow:0 10px 30px rgba(30,50,90,.12);
  overflow:hidden}
header{padding:18px 24px;background:#2b4c7e;color:#fff;display:flex;align-items:center;gap:10px}
header .logo{width:32px;height:32px;border-radius:8px;background:#ffd25a;color:#2b4c7e;font-weight:700;
  display:flex;align-items:center;justify-content:center}
header h1{margin:0;font-size:18px;font-weight:600}
section{padding:20px 24px 24px}
dl{margin:0 0 18px}
dt{font-size:13px;color:#6b7585}
dd{margin:0 0 10px;font-weight:500;word-break:break-word}
label{display:block;font-size:13px;color:#6b7585;margin-bottom:6px}
.amount{display:flex;align-items:center;border:1px solid #c9d3e1;border-radius:10px;padding:0 12px}
.amount:focus-within{border-color:#2b4c7e;box-shadow:0 0 0 3px rgba(43,76,126,.15)}
.amount input{flex:1;border:0;outline:0;padding:12px 0;font-size:22px;font-weight:600;min-width:0;
  background:transparent}
.amount span{font-size:20px;color:#6b7585}
.error{margin:10px 0 0;color:#b3261e;font-size:14px}
.buttons{display:flex;gap:10px;margin-top:20px}
button{flex:1;padding:13px;border:0;border-radius:10px;font-size:16px;font-weight:600;cursor:pointer}
button.pay{background:#2e7d32;color:#fff}
button.cancel{background:#eef1f5;color:#1d2430}
.result{text-align:center;padding:28px 24px 32px}
.result .mark{width:64px;height:64px;margin:0 auto 14px;border-radius:50%;display:flex;align-items:center;
  justify-content:center;font-size:34px;color:#fff}
.result h2{margin:0 0 8px;font-size:21px}
.result p{margin:0;color:#4a5465}
.ok .mark{background:#2e7d32}.no .mark{background:#8a94a6}.bad .mark{background:#b3261e}
footer{padding:0 24px 18px;font-size:12px;color:#8a94a6;text-align:center}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — ${PROVIDER_NAME}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><div class="logo">₽</div><h1>${PROVIDER_NAME}</h1></header>
${body}
<footer>Демонстрационная страница оплаты: деньги не списываются, данные карты не нужны.</footer>
</main>
</body>
</html>`;
}

export function paymentFormPage(order: OrderDoc, problem?: { error: string; entered: string }): string {
  const amount = problem?.entered ?? formatRubles(order.amount);
  return page(
    'Оплата',
    `<section>
<dl>
<dt>Лицевой счёт</dt><dd>${escapeHtml(order.account)}</dd>
<dt>Назначение платежа</dt><dd>${escapeHtml(order.description)}</dd>
<dt>Начислено к оплате</dt><dd>${displayRubles(order.amount)}</dd>
</dl>
<form method="post" action="">
<label for="amount">Сумма к оплате, можно изменить</label>
<div class="amount"><input id="amount" name="amount" inputmode="decimal" autocomplete="off"
  value="${escapeHtml(amount)}"><span>₽</span></div>
${problem ? `<p class="error" role="alert">${escapeHtml(problem.error)}</p>` : ''}
<div class="buttons">
<button class="pay" type="submit" name="action" value="pay">Оплатить</button>
<button class="cancel" type="submit" name="action" value="cancel">Отменить</button>
</div>
</form>
</section>`,
  );
}

export function paymentResultPage(order: OrderDoc): string {
  const back = 'Можно вернуться в Viber: бот напишет, когда платёж будет зачислен.';
  switch (order.status) {
    case 'succeeded':
      return page(
        'Платеж выполнен',
        `<section class="result ok"><div class="mark">✓</div><h2>Платеж выполнен успешно</h2>` +
          `<p>Оплачено ${displayRubles(order.paid ?? 0)} по лицевому счёту ${escapeHtml(order.account)}.</p>` +
          `<p>${back}</p></section>`,
      );
    case 'failed':
      return page(
        'Платёж отклонён',
        '<section class="result bad"><div class="mark">!</div><h2>Платёж отклонён</h2>' +
          '<p>Деньги не списаны. Попробуйте оплатить ещё раз из чата с ботом.</p></section>',
      );
    case 'cancelled':
      return page(
        'Платёж отменён',
        '<section class="result no"><div class="mark">×</div><h2>Платёж отменён</h2>' +
          '<p>Деньги не списаны. Оплатить можно в любой момент из чата с ботом.</p></section>',
      );
    case 'pending':
      return paymentFormPage(order);
  }
}

export function orderNotFoundPage(): string {
  return page(
    'Заказ не найден',
    '<section class="result no"><div class="mark">?</div><h2>Заказ не найден</h2>' +
      '<p>Ссылка устарела или набрана с ошибкой. Получите новую ссылку на оплату в чате с ботом.</p></section>',
  );
}
