/**
 * The hosted payment page `GET /pay.php?checkout=<id>` (plain HTML + JS, no CDN). The shopper picks a
 * coin, may ask for the payment details (this creates the pending transaction, as on the real page), and
 * then plays the blockchain: pay in full, underpay, or abandon. The buttons POST to /pay.php/api/select
 * and /pay.php/api/pay, which run the same code as the /__sim/checkout/:id/... control routes.
 */
import { escapeHtml, scriptJson } from "../shared/html"
import { COINS } from "./catalogue"
import type { SessionRecord } from "./store"
import type { SessionStatus } from "./types"

const CSS = `
:root{color-scheme:light}
body{margin:0;font:16px/1.45 system-ui,sans-serif;background:#0f172a;color:#0f172a}
.card{max-width:30rem;margin:3rem auto;background:#f8fafc;border-radius:12px;padding:1.75rem}
.brand{font-weight:700;color:#6d28d9;letter-spacing:.02em}
.price{font-size:2.1rem;font-weight:700}
.muted{color:#64748b;font-size:.9rem}
.actions button{display:block;width:100%;margin-top:.6rem;padding:.7rem;border:0;border-radius:8px;font-size:1rem}
#pay-full{background:#16a34a;color:#fff}#pay-under{background:#f59e0b}#abandon{background:#e2e8f0}
.box{padding:.8rem 1rem;border-radius:8px;margin-top:1rem}
.bad{background:#fee2e2;color:#991b1b}.good{background:#dcfce7;color:#166534}
code{word-break:break-all}
`

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · QuantaPay (simulator)</title>
<style>${CSS}</style>
</head>
<body>
<div class="card">
<p class="brand">QuantaPay <span class="muted">offline simulator</span></p>
${body}
</div>
</body>
</html>
`
}

const SCRIPT = `
(function () {
  var config = window.__QP__;
  var $ = function (id) { return document.getElementById(id); };
  var buttons = ['show', 'pay-full', 'pay-under', 'abandon'];

  function busy(on) { buttons.forEach(function (id) { $(id).disabled = on; }); }
  function fail(message) {
    busy(false);
    $('error').textContent = message || 'Something went wrong';
    $('error').hidden = false;
  }
  function call(path, payload) {
    $('error').hidden = true;
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) })
      .then(function (res) { return res.json(); });
  }
  function request() { return { checkout: config.checkout, coin: $('coin').value }; }

  $('show').addEventListener('click', function () {
    call('/pay.php/api/select', request()).then(function (answer) {
      if (!answer.ok) return fail(answer.error);
      var tx = answer.transaction;
      $('crypto-amount').textContent = tx.amount + ' ' + tx.cryptocurrency.toUpperCase();
      $('address').textContent = tx.to;
      $('details').hidden = false;
    }, function (err) { fail(String(err)); });
  });

  function pay(outcome) {
    busy(true);
    var payload = request();
    payload.outcome = outcome;
    call('/pay.php/api/pay', payload).then(function (answer) {
      if (!answer.ok) return fail(answer.error);
      if (answer.redirect) { location.href = answer.redirect; return; }
      $('checkout').hidden = true;
      var labels = { paid: 'Paid', underpaid: 'Underpaid', cancelled: 'Cancelled' };
      $('result').textContent = labels[answer.result] || answer.result;
      $('result').className = 'box ' + (answer.result === 'paid' ? 'good' : 'bad');
      $('result').hidden = false;
      if (answer.result === 'underpaid') {
        var tx = answer.transaction;
        $('result-detail').textContent = 'Less than ' + tx.amount + ' ' + tx.cryptocurrency.toUpperCase() +
          ' arrived, so the order is not paid. Contact the merchant.';
        $('result-detail').hidden = false;
      }
      if (answer.returnUrl) { $('back').href = answer.returnUrl; $('back').hidden = false; }
    }, function (err) { fail(String(err)); });
  }
  $('pay-full').addEventListener('click', function () { pay('full'); });
  $('pay-under').addEventListener('click', function () { pay('under'); });
  $('abandon').addEventListener('click', function () { pay('abandon'); });
})();
`

/** The page of an open session. */
export function payPageHtml(session: SessionRecord): string {
  const options = Object.entries(COINS)
    .map(([code, coin]) => `<option value="${code}">${escapeHtml(coin.name)} (${code})</option>`)
    .join("")
  const config = { checkout: session.id }
  return layout(
    "Pay",
    `<section id="checkout">
  <p class="muted" data-testid="qp-title">${escapeHtml(session.title || "Payment")}${session.order_id ? ` · order <span data-testid="qp-order">${escapeHtml(session.order_id)}</span>` : ""}</p>
  <p class="price" data-testid="qp-amount"><span id="amount">${escapeHtml(session.price)}</span> <span id="currency" data-testid="qp-currency">${escapeHtml(session.currency)}</span></p>
  <p class="muted">Expires <time data-testid="qp-expires">${new Date(session.expiresAt).toISOString()}</time></p>
  <label>Pay with <select id="coin" data-testid="qp-coin">${options}</select></label>
  <div class="actions">
    <button id="show" data-testid="qp-select">Show payment details</button>
    <div id="details" class="box" data-testid="qp-details" hidden>
      Send <strong id="crypto-amount" data-testid="qp-crypto-amount"></strong> to <code id="address" data-testid="qp-address"></code>
    </div>
    <button id="pay-full" data-testid="qp-pay-full">Simulate: pay in full</button>
    <button id="pay-under" data-testid="qp-pay-under">Simulate: underpay (3 % short)</button>
    <button id="abandon" data-testid="qp-abandon">Cancel payment</button>
  </div>
</section>
<p id="result" class="box" data-testid="qp-result" hidden></p>
<p id="result-detail" class="muted" data-testid="qp-result-detail" hidden></p>
<p id="error" class="box bad" data-testid="qp-error" hidden></p>
<a id="back" data-testid="qp-back" href="#" hidden>Back to the shop</a>
<script>window.__QP__ = ${scriptJson(config)};</script>
<script>${SCRIPT}</script>`
  )
}

/** A session that can no longer be paid: expired, or already paid / underpaid. */
export function closedPageHtml(session: SessionRecord, status: Exclude<SessionStatus, "open">): string {
  const back = session.redirect ? `<p><a data-testid="qp-back" href="${escapeHtml(session.redirect)}">Back to the shop</a></p>` : ""
  if (status === "expired") {
    return layout(
      "Expired",
      `<h1 data-testid="qp-expired">This checkout has expired</h1>
<p class="muted">Checkout <code>${escapeHtml(session.id)}</code> expired at ${new Date(session.expiresAt).toISOString()}. Start the payment again from the shop.</p>${back}`
    )
  }
  return layout(
    status === "paid" ? "Paid" : "Underpaid",
    `<p class="box ${status === "paid" ? "good" : "bad"}" data-testid="qp-result">${status === "paid" ? "Paid" : "Underpaid"}</p>${back}`
  )
}

/** Unknown or missing checkout id. */
export function notFoundPageHtml(checkoutId: string | null): string {
  return layout(
    "Not found",
    `<p class="box bad" data-testid="qp-error">${checkoutId ? `Unknown checkout ${escapeHtml(checkoutId)}` : "Missing checkout parameter"}</p>`
  )
}
