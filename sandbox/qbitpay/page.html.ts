/**
 * The hosted H5 payment page (plain HTML + JS, no CDN), standing in for Qbit Pay's hash-routed SPA:
 *   <pageBase>/?zh#/otc/payment?tradeId=<chargeId>&accessToken=<token>
 * The token is read from the hash, else the page's own query string, else from a valid
 * `Authorization: Bearer` header on the page request (v1 style; the server embeds it in #qb-boot). The
 * script calls the simulator's page API (relative `api/charges/...`, i.e. /h5/api/...) with that token as
 * a Bearer header, and shows problems in data-testid="qb-error".
 */
import { scriptJson } from "../shared/html"

export interface PageBoot {
  /** A valid token the page request carried as `Authorization: Bearer`. */
  token?: string
  /** Why the Bearer header of the page request was refused. */
  error?: string
}

const STYLE = `
body{font-family:system-ui,sans-serif;background:#eef1f6;margin:0;padding:2rem;color:#1d2733}
.card{max-width:26rem;margin:auto;background:#fff;border-radius:10px;padding:1.5rem;box-shadow:0 2px 6px #0002}
h1{font-size:1.1rem;margin:0 0 1rem}
.big{font-size:2rem;font-weight:600}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem;font-size:.9rem}dt{color:#667}
.err{background:#fdecea;color:#8a1c1c;border:1px solid #f3c0bd;border-radius:6px;padding:.8rem}
.ok{background:#e8f6ec;color:#1d5e30;border-radius:6px;padding:.8rem;margin-top:1rem}
button{margin:.6rem .4rem 0 0;padding:.55rem .9rem;font-size:.95rem;cursor:pointer}
`

const SCRIPT = `
(function () {
  var byTestId = function (name) { return document.querySelector('[data-testid="' + name + '"]') };
  var RESULTS = {
    'pay': 'Paid',
    'buyer-paid': 'Marked as paid; waiting for the seller',
    'fail': 'Payment failed',
    'dispute': 'Dispute opened',
    'expire': 'Expired'
  };
  var OPEN = { pending: true, buyerPaid: true };
  var boot = {};
  try { boot = JSON.parse(byTestId('qb-boot').textContent || '{}') } catch (e) { boot = {} }
  var token = '';
  var tradeId = '';

  function addPairs(text, into) {
    text.split('&').forEach(function (pair) {
      if (!pair) return;
      var eq = pair.indexOf('=');
      var name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      var value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
      if (!Object.prototype.hasOwnProperty.call(into, name)) into[name] = value;
    });
    return into;
  }

  function fail(message) {
    byTestId('qb-loading').hidden = true;
    byTestId('qb-error').textContent = message;
    byTestId('qb-error').hidden = false;
  }

  function call(method, path) {
    return fetch(path, { method: method, headers: { Authorization: 'Bearer ' + token } }).then(function (res) {
      return res.json().then(function (body) {
        if (res.status === 401) throw new Error('Invalid or expired access token');
        if (!res.ok) throw new Error(body.message || ('HTTP ' + res.status));
        return body;
      });
    });
  }

  function show(charge) {
    byTestId('qb-loading').hidden = true;
    byTestId('qb-amount').textContent = String(charge.amount);
    byTestId('qb-currency').textContent = charge.currency;
    byTestId('qb-order').textContent = charge.externalOrderId;
    byTestId('qb-total').textContent = charge.totalCost + ' ' + charge.quoteCurrency;
    byTestId('qb-status').textContent = charge.status;
    byTestId('qb-charge').hidden = false;
    var open = OPEN[charge.status] === true;
    ['qb-pay', 'qb-buyer-paid', 'qb-fail', 'qb-dispute', 'qb-expire'].forEach(function (name) {
      byTestId(name).disabled = !open;
    });
  }

  function act(action) {
    byTestId('qb-error').hidden = true;
    call('POST', 'api/charges/' + encodeURIComponent(tradeId) + '/' + action).then(function (body) {
      show(body.charge);
      byTestId('qb-result').textContent = RESULTS[action];
      byTestId('qb-result').hidden = false;
      if (action === 'pay' && body.charge.redirectUrl) location.href = body.charge.redirectUrl;
    }, function (err) { fail(err.message) });
  }

  function start() {
    var hash = location.hash || '';
    var cut = hash.indexOf('?');
    var route = cut < 0 ? hash.slice(1) : hash.slice(1, cut);
    var params = {};
    try {
      addPairs(cut < 0 ? '' : hash.slice(cut + 1), params);
      addPairs((location.search || '').replace(/^\\?/, ''), params);
    } catch (e) {
      return fail('Malformed payment link');
    }
    if (route !== '/otc/payment') return fail('Unknown page: ' + (route || '(none)'));
    tradeId = params.tradeId || '';
    if (!tradeId) return fail('Missing tradeId');
    if (boot.error && !params.accessToken) return fail(boot.error);
    token = params.accessToken || boot.token || '';
    if (!token) return fail('Missing access token');
    call('GET', 'api/charges/' + encodeURIComponent(tradeId)).then(function (body) { show(body.charge) }, function (err) { fail(err.message) });
  }

  ['pay', 'buyer-paid', 'fail', 'dispute', 'expire'].forEach(function (action) {
    byTestId('qb-' + action).addEventListener('click', function () { act(action) });
  });
  start();
})();
`

/** `boot` goes into a JSON script block (escaped so it cannot close the tag). */
export function h5PageHtml(boot: PageBoot = {}): string {
  const head = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Qbit Pay (simulator)</title><style>${STYLE}</style>`
  return `<!doctype html>
<html lang="zh"><head>${head}</head><body>
<div class="card">
  <h1>Qbit Pay &middot; OTC payment <small>(simulator)</small></h1>
  <p data-testid="qb-loading">Loading&hellip;</p>
  <div data-testid="qb-error" class="err" role="alert" hidden></div>
  <section data-testid="qb-charge" hidden>
    <div class="big"><span data-testid="qb-amount"></span> <span data-testid="qb-currency"></span></div>
    <dl>
      <dt>Order</dt><dd data-testid="qb-order"></dd>
      <dt>You pay</dt><dd data-testid="qb-total"></dd>
      <dt>Status</dt><dd data-testid="qb-status"></dd>
    </dl>
    <button type="button" data-testid="qb-pay">Pay (seller confirms)</button>
    <button type="button" data-testid="qb-buyer-paid">I have paid</button>
    <button type="button" data-testid="qb-fail">Payment fails</button>
    <button type="button" data-testid="qb-dispute">Open dispute</button>
    <button type="button" data-testid="qb-expire">Let it expire</button>
  </section>
  <div data-testid="qb-result" class="ok" role="status" hidden></div>
</div>
<script type="application/json" data-testid="qb-boot">${scriptJson(boot)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`
}
