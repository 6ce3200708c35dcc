/**
 * The page behind a direct-mode `qrcode` (/sim/scan/:syssn) or `pay_url` (/sim/pay/:syssn): it stands in
 * for the wallet app. Pay / Fail POST to /sim/transactions/:syssn/pay|fail.
 */
import { escapeHtml, scriptJson } from "../shared/html"
import { formatAmount, PAY_TYPES } from "./catalogue"
import type { TxnRecord } from "./store"

export function shopperPageHtml(record: TxnRecord, kind: "scan" | "pay"): string {
  const name = PAY_TYPES.get(record.pay_type)?.name ?? record.pay_type
  const title = kind === "scan" ? "Scanned QR code" : "Wallet payment page"
  const config = { syssn: record.syssn, returnUrl: record.return_url ?? null }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} (QFPay simulator)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem;color:#222}
main{max-width:28rem;margin:auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 4px #0002}
.amount{font-size:2rem;font-weight:bold}.error{background:#fdecea;color:#8a1c1c;padding:1rem;border-radius:6px}
.result{background:#e7f6ec;color:#155724;padding:1rem;border-radius:6px}button{margin:.5rem .5rem 0 0;padding:.6rem 1rem;font-size:1rem}
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(title)} <small>${escapeHtml(name)}</small></h1>
  <p>Order <span data-testid="qf-out-trade-no">${escapeHtml(record.out_trade_no)}</span>
     (syssn <span data-testid="qf-syssn">${escapeHtml(record.syssn)}</span>)</p>
  <p class="amount" data-testid="qf-amount">${escapeHtml(formatAmount(record.txamt, record.txcurrcd))}</p>
  <p>Status: <span data-testid="qf-status">${escapeHtml(record.status)}</span></p>
  <div>
    <button id="pay" data-testid="qf-pay">Pay</button>
    <button id="fail" data-testid="qf-fail">Payment fails</button>
  </div>
  <p id="result" class="result" data-testid="qf-result" hidden></p>
  <p id="error" class="error" data-testid="qf-error" hidden></p>
</main>
<script>
(function () {
  var config = ${scriptJson(config)};
  function act(outcome) {
    fetch('/sim/transactions/' + encodeURIComponent(config.syssn) + '/' + outcome, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}'
    }).then(function (res) { return res.json() }).then(function (result) {
      if (!result.ok) {
        var error = document.getElementById('error');
        error.textContent = result.error || 'payment not possible';
        error.hidden = false;
        return;
      }
      if (outcome === 'pay' && config.returnUrl) { location.href = config.returnUrl; return; }
      var done = document.getElementById('result');
      done.textContent = outcome === 'pay' ? 'Paid' : 'Payment failed';
      done.hidden = false;
      document.getElementById('pay').disabled = true;
      document.getElementById('fail').disabled = true;
    });
  }
  document.getElementById('pay').addEventListener('click', function () { act('pay') });
  document.getElementById('fail').addEventListener('click', function () { act('fail') });
})();
</script>
</body>
</html>
`
}
