/**
 * The hosted checkout page (plain HTML + JS, no CDN). The signed params live after `#`, so the browser
 * never sends them to the server: the script reads location.hash and POSTs them to /checkstand/api/open.
 *
 * The hash is decoded with decodeURIComponent, NOT URLSearchParams: `+` stays a literal plus, as QFPay's
 * page does (a field note warns that a space encoded as `+` breaks verification). Merchants must encode
 * values with encodeURIComponent.
 */
const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem;color:#222}
main{max-width:28rem;margin:auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.2rem;margin-top:0}small{color:#888;font-weight:normal}
.amount{font-size:2rem;font-weight:bold;margin:.5rem 0}
.error{background:#fdecea;border:1px solid #f5c2c0;color:#8a1c1c;padding:1rem;border-radius:6px}
button{margin:.5rem .5rem 0 0;padding:.6rem 1rem;font-size:1rem;cursor:pointer}
select{font-size:1rem;padding:.3rem;margin-left:.5rem}
`

const SCRIPT = `
(function () {
  var $ = function (id) { return document.getElementById(id) };
  var params = null;

  function parseHash(hash) {
    // "#/?a=1&b=2", "#/a=1", "#?a=1" and "#a=1" all carry the same params.
    var text = hash.replace(/^#\\/?\\??/, '');
    var out = {};
    if (!text) return out;
    text.split('&').forEach(function (part) {
      if (!part) return;
      var i = part.indexOf('=');
      var key = decodeURIComponent(i < 0 ? part : part.slice(0, i));
      var value = i < 0 ? '' : decodeURIComponent(part.slice(i + 1));
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new Error('parameter ' + key + ' appears twice');
      out[key] = value;
    });
    return out;
  }

  function showError(reason) {
    $('loading').hidden = true;
    $('order').hidden = true;
    $('error-reason').textContent = reason;
    $('error').hidden = false;
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json() });
  }

  function open() {
    try {
      params = parseHash(location.hash);
    } catch (e) {
      showError('malformed checkout URL: ' + e.message);
      return;
    }
    post('/checkstand/api/open', { params: params }).then(function (result) {
      if (result.ok) return render(result.order);
      if (result.redirect) { location.href = result.redirect; return; }
      showError(result.reason || result.error || 'unknown error');
    }, function (err) { showError('cannot reach the checkout service: ' + err.message) });
  }

  function render(order) {
    $('loading').hidden = true;
    $('amount').textContent = order.amount;
    $('out-trade-no').textContent = order.out_trade_no;
    $('goods-name').textContent = order.goods_name;
    var select = $('method');
    select.innerHTML = '';
    order.methods.forEach(function (m) {
      var option = document.createElement('option');
      option.value = m.pay_type;
      option.textContent = m.name;
      select.appendChild(option);
    });
    if (typeof order.expiresInMs === 'number') startCountdown(order.expiresInMs);
    $('order').hidden = false;
  }

  function startCountdown(ms) {
    var deadline = Date.now() + ms;
    var tick = function () {
      var left = Math.max(0, deadline - Date.now());
      $('countdown').textContent = 'This page expires in ' + Math.ceil(left / 1000) + ' s';
      if (left <= 0) { clearInterval(timer); open(); }
    };
    var timer = setInterval(tick, 250);
    tick();
  }

  function submit(outcome) {
    var buttons = document.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    post('/checkstand/api/submit', { params: params, outcome: outcome, pay_type: $('method').value }).then(function (result) {
      if (result.ok && result.redirect) { location.href = result.redirect; return; }
      showError(result.reason || result.error || 'unknown error');
    }, function (err) { showError('cannot reach the checkout service: ' + err.message) });
  }

  $('pay').addEventListener('click', function () { submit('pay') });
  $('fail').addEventListener('click', function () { submit('fail') });
  $('expire').addEventListener('click', function () { submit('expire') });
  window.addEventListener('hashchange', open);
  open();
})();
`

export const CHECKSTAND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>QFPay Checkout (simulator)</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <h1>QFPay Checkout <small>offline simulator</small></h1>
  <p id="loading" data-testid="qf-loading">Loading…</p>
  <div id="error" class="error" data-testid="qf-error" hidden>
    <strong>QFSign_Error</strong>
    <p id="error-reason" data-testid="qf-error-reason"></p>
  </div>
  <section id="order" hidden>
    <p>Order <span id="out-trade-no" data-testid="qf-out-trade-no"></span> <span id="goods-name"></span></p>
    <p class="amount" id="amount" data-testid="qf-amount"></p>
    <label>Payment method<select id="method" data-testid="qf-method"></select></label>
    <p id="countdown" data-testid="qf-countdown"></p>
    <div>
      <button id="pay" data-testid="qf-pay">Pay</button>
      <button id="fail" data-testid="qf-fail">Payment fails</button>
      <button id="expire" data-testid="qf-expire">Let it expire</button>
    </div>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`
