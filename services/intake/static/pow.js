// The form's optional proof of work (services/intake/pow.py): find a nonce such that
// SHA-256(challenge ":" nonce) starts with `bits` zero bits, while the child writes, and
// put it in the form. Without JavaScript the form still works (under a stricter limit).
"use strict";
(function () {
  var form = document.querySelector("form[data-pow-bits]");
  if (!form || !window.crypto || !crypto.subtle) return;
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10);
  var challenge = form.querySelector('input[name="pow_challenge"]').value;
  var field = form.querySelector('input[name="pow_nonce"]');
  var enc = new TextEncoder(), submitting = false;
  function zeros(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      for (var b = 7; b >= 0 && !(bytes[i] >> b & 1); b--) n++;
      break;
    }
    return n;
  }
  var work = (async function () {
    for (var nonce = 0; ; nonce++) {
      var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(challenge + ":" + nonce)));
      if (zeros(digest) >= bits) { field.value = String(nonce); return; }
    }
  })();
  form.addEventListener("submit", function (event) {
    if (field.value || submitting) return;
    event.preventDefault();
    submitting = true;
    work.then(function () { form.submit(); });
  });
})();
