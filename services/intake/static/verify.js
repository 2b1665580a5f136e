// Checks a Heard receipt (a c2sp.org/tlog-proof@v1 file) in the browser, offline: nothing
// is sent anywhere. The same checks as `heard receipt verify` (shared/tlog/receipt.py):
// the commitment's leaf from the extra data, the log's Ed25519 signature on the checkpoint,
// at least one trusted witness's cosignature/v1, and the RFC 9162 inclusion proof.
"use strict";
(function () {
  var form = document.getElementById("verify");
  if (!form) return;
  var words = JSON.parse(document.getElementById("words").textContent);
  var enc = new TextEncoder();

  function Refused(reason) { this.reason = reason; }
  function say(key, values) {
    return words[key].replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function b64(text, reason) {
    try {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw 0;
      var raw = atob(text), out = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
      return out;
    } catch (e) { throw new Refused(reason); }
  }
  function concat(parts) {
    var n = 0, i, out, at = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function field(bytes) {
    var len = new Uint8Array(8), n = bytes.length;
    for (var i = 7; i >= 0; i--) { len[i] = n % 256; n = Math.floor(n / 256); }
    return concat([len, bytes]);
  }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  async function ed25519(publicKey, signature, message) {
    try {
      var key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
    } catch (e) { return false; }
  }
  async function parseKey(text, type) {
    var parts = text.trim().split("+"), name = parts[0];
    var raw = b64(parts.slice(2).join("+"), "bad_key");
    if (parts.length < 3 || raw.length !== 33 || raw[0] !== type) throw new Refused("bad_key");
    var id = (await sha256(concat([enc.encode(name + "\n"), raw]))).slice(0, 4);
    if (Array.from(id).map(function (b) { return ("0" + b.toString(16)).slice(-2); }).join("") !== parts[1]) {
      throw new Refused("bad_key");
    }
    return { name: name, id: id, key: raw.slice(1) };
  }
  function parseProof(text) {
    text = text.replace(/\r\n/g, "\n");
    var cut = text.indexOf("\n\n");
    if (cut < 0) throw new Refused("not_proof");
    var lines = text.slice(0, cut).split("\n"), note = text.slice(cut + 2), extra = null;
    if (lines[0] !== "c2sp.org/tlog-proof@v1") throw new Refused("not_proof");
    lines.shift();
    if (lines.length && lines[0].indexOf("extra ") === 0) extra = b64(lines.shift().slice(6), "no_opening");
    var index = /^index (0|[1-9][0-9]{0,18})$/.exec(lines.shift() || "");
    if (!index) throw new Refused("not_proof");
    var proof = lines.map(function (l) { var h = b64(l, "bad_inclusion"); if (h.length !== 32) throw new Refused("bad_inclusion"); return h; });
    return { extra: extra, index: BigInt(index[1]), proof: proof, note: note };
  }
  function splitNote(note) {
    var cut = note.lastIndexOf("\n\n");
    if (cut < 0 || note.slice(-1) !== "\n") throw new Refused("bad_log_signature");
    var body = note.slice(0, cut + 1);
    var lines = note.slice(cut + 2, -1).split("\n").map(function (line) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m) throw new Refused("bad_log_signature");
      return { name: m[1], raw: b64(m[2], "bad_log_signature") };
    });
    return { body: body, lines: lines };
  }
  async function leafOf(extra) {
    var o;
    try { o = JSON.parse(new TextDecoder().decode(extra)); } catch (e) { throw new Refused("no_opening"); }
    if (!o || o.format !== "heard-receipt-v1" || typeof o.complaint !== "string" || typeof o.submitted_at !== "string") throw new Refused("no_opening");
    var salt = b64(o.salt || "", "no_opening");
    if (salt.length !== 32) throw new Refused("no_opening");
    var commitment = await sha256(concat([field(enc.encode("heard-receipt-commitment-v1")),
      field(enc.encode(o.complaint)), field(enc.encode(o.submitted_at)), field(salt)]));
    var entry = await sha256(concat([field(enc.encode("heard-audit-commitment-v1")), field(commitment)]));
    return { leaf: await sha256(concat([new Uint8Array([0]), entry])), at: new Date(o.submitted_at) };
  }
  async function node(left, right) { return sha256(concat([new Uint8Array([1]), left, right])); }
  async function included(leaf, index, size, proof, root) {
    if (index >= size) return false;
    var fn = index, sn = size - 1n, r = leaf;
    for (var i = 0; i < proof.length; i++) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        r = await node(proof[i], r);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await node(r, proof[i]);
      }
      fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n && equal(r, root);
  }
  async function checkpoint(note, log) {
    var parts = splitNote(note), signed = false;
    for (var i = 0; i < parts.lines.length; i++) {
      var l = parts.lines[i];
      if (l.name === log.name && equal(l.raw.slice(0, 4), log.id)) {
        signed = await ed25519(log.key, l.raw.slice(4), enc.encode(parts.body));
      }
    }
    if (!signed) throw new Refused("bad_log_signature");
    var text = parts.body.split("\n");
    if (text.length < 4 || text[0] !== log.name || !/^(0|[1-9][0-9]{0,18})$/.test(text[1])) throw new Refused("bad_log_signature");
    return { origin: text[0], size: BigInt(text[1]), root: b64(text[2], "bad_log_signature"), parts: parts };
  }
  async function witnessed(parts, witness) {
    for (var i = 0; i < parts.lines.length; i++) {
      var l = parts.lines[i];
      if (l.name !== witness.name || l.raw.length !== 76 || !equal(l.raw.slice(0, 4), witness.id)) continue;
      var t = 0n;
      for (var j = 4; j < 12; j++) t = (t << 8n) | BigInt(l.raw[j]);
      var message = concat([enc.encode("cosignature/v1\ntime " + t.toString() + "\n"), enc.encode(parts.body)]);
      if (await ed25519(witness.key, l.raw.slice(12), message)) return new Date(Number(t) * 1000);
    }
    return null;
  }
  function day(date) { return date.toISOString().slice(0, 16).replace("T", " ") + " UTC"; }
  async function verify(text, logKey, witnessKeys) {
    var proof = parseProof(text), opened = await leafOf(proof.extra);
    var log = await parseKey(logKey, 1), cp = await checkpoint(proof.note, log), lines = [];
    for (var i = 0; i < witnessKeys.length; i++) {
      var w = await parseKey(witnessKeys[i], 4), at = await witnessed(cp.parts, w);
      if (at) lines.push(say("witnessed", { name: w.name, date: day(at) }));
    }
    if (!lines.length) throw new Refused("no_witness");
    if (!(await included(opened.leaf, proof.index, cp.size, proof.proof, cp.root))) throw new Refused("bad_inclusion");
    return [say("registered", { date: day(opened.at) }),
      say("in_log", { log: cp.origin, index: proof.index.toString(), size: cp.size.toString() })].concat(lines);
  }
  function show(ok, title, lines) {
    var out = document.getElementById("verdict");
    out.textContent = "";
    out.className = ok ? "verdict ok" : "verdict refused";
    var h = document.createElement("h2");
    h.textContent = title;
    out.appendChild(h);
    lines.forEach(function (line) { var p = document.createElement("p"); p.textContent = line; out.appendChild(p); });
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var file = document.getElementById("receipt").files[0];
    var keys = document.getElementById("witness-keys").value.split("\n").filter(function (k) { return k.trim(); });
    try {
      if (!file) throw new Refused("not_proof");
      var lines = await verify(await file.text(), document.getElementById("log-key").value, keys);
      show(true, words.genuine, lines);
    } catch (error) {
      show(false, words.refused, [words[error instanceof Refused ? error.reason : "not_proof"]]);
    }
  });
  form.classList.remove("needs-js");
})();
