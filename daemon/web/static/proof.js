// Checks, in the visitor's browser, the proof the seal page carries: exactly what
// `sello seal verify --proof` checks (client/auditor.cc, VerifySealProof):
//   1. the checkpoint is a C2SP signed note signed by the log's key (Ed25519, WebCrypto);
//   2. the issuance's event is in the tree of that checkpoint (RFC 9162 §2.1.3.2);
//   3. the issuance record is the one the event digests (SHA-256);
//   4. the seal as issued is leaf `position` of the issuance's seals_root (RFC 9162);
//   5. the seal as issued says what the page says (code, grade, lot, firm, certifier).
// No framework, no network: the proof and the key are in the page (#proof's data-*).
'use strict';

(function () {
  class Evidence extends Error {}   // the proof does not check out: loud warning
  class Unable extends Error {}     // this browser cannot check (no WebCrypto, no Ed25519)

  const utf8 = new TextEncoder();

  function fromBase64(text, what) {
    if (typeof text !== 'string') text = '';
    let binary;
    try {
      binary = atob(text);
    } catch (e) {
      throw new Evidence(what + ': not base64');
    }
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; ++i) out[i] = binary.charCodeAt(i);
    return out;
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
    return true;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }
  // RFC 9162 §2.1.1: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right).
  const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
  const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

  // RFC 9162 §2.1.3.2, as daemon/domain/merkle.cc VerifyInclusion (BigInt: sizes may pass
  // 2^32, where JavaScript's bit operators stop).
  async function verifyInclusion(leaf, index, size, proof, root, what) {
    if (index >= size) throw new Evidence(what + ': leaf ' + index + ' is not in a tree of size ' + size);
    for (const p of proof) {
      if (p.length !== 32) throw new Evidence(what + ': a proof hash is not 32 bytes');
    }
    let fn = index;
    let sn = size - 1n;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0n) throw new Evidence(what + ': the proof is too long');
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) throw new Evidence(what + ': the proof is too short');
    if (!sameBytes(r, root)) {
      throw new Evidence(what + ': the path leads to root ' + hex(r) + ', not ' + hex(root));
    }
  }

  // The protobuf wire format, just enough to read the logged records: field number ->
  // values (BigInt for varints, Uint8Array for length-delimited fields).
  function readMessage(bytes, what) {
    const fields = new Map();
    let at = 0;
    const varint = () => {
      let value = 0n;
      for (let shift = 0n; shift < 70n; shift += 7n) {
        if (at >= bytes.length) throw new Evidence(what + ': truncated');
        const b = bytes[at++];
        value |= BigInt(b & 0x7f) << shift;
        if ((b & 0x80) === 0) return value;
      }
      throw new Evidence(what + ': malformed varint');
    };
    while (at < bytes.length) {
      const key = varint();
      const number = Number(key >> 3n);
      const type = Number(key & 7n);
      let value;
      if (type === 0) {
        value = varint();
      } else if (type === 2) {
        const length = Number(varint());
        if (at + length > bytes.length) throw new Evidence(what + ': truncated');
        value = bytes.subarray(at, at + length);
        at += length;
      } else if (type === 1 || type === 5) {
        at += type === 1 ? 8 : 4;
        if (at > bytes.length) throw new Evidence(what + ': truncated');
        continue;
      } else {
        throw new Evidence(what + ': unreadable');
      }
      if (!fields.has(number)) fields.set(number, []);
      fields.get(number).push(value);
    }
    const last = (n) => {
      const values = fields.get(n);
      return values === undefined ? undefined : values[values.length - 1];
    };
    const decoder = new TextDecoder('utf-8', { fatal: true });
    return {
      has: (n) => fields.has(n),
      // Every value of repeated bytes field n.
      list: (n) => (fields.get(n) || []).map((v) => {
        if (!(v instanceof Uint8Array)) throw new Evidence(what + ': field ' + n + ' has the wrong type');
        return v;
      }),
      string: (n) => {
        const v = last(n);
        if (v === undefined) return '';
        if (!(v instanceof Uint8Array)) throw new Evidence(what + ': field ' + n + ' has the wrong type');
        try {
          return decoder.decode(v);
        } catch (e) {
          throw new Evidence(what + ': field ' + n + ' is not UTF-8');
        }
      },
      bytes: (n) => {
        const v = last(n);
        if (v === undefined) return new Uint8Array(0);
        if (!(v instanceof Uint8Array)) throw new Evidence(what + ': field ' + n + ' has the wrong type');
        return v;
      },
      uint: (n) => {
        const v = last(n);
        if (v === undefined) return 0n;
        if (typeof v !== 'bigint') throw new Evidence(what + ': field ' + n + ' has the wrong type');
        return v & 0xffffffffffffffffn;
      },
    };
  }

  function toBase64(bytes) {
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }

  // The page's verdict (#proof's data-verdict: a sello.v1.SealVerdict, protobuf bytes in
  // base64) as the HTTP API's JSON would show it (proto3 JSON names; bytes in base64, 64-bit
  // integers as strings), of which verifySealProof reads what it checks.
  function decodeVerdict(text) {
    const what = 'the proof on this page';
    const v = readMessage(fromBase64(text, what), what);
    const verdict = { code: v.string(1) };
    if (v.has(2)) {
      const seal = readMessage(v.bytes(2), 'the seal');
      verdict.seal = {
        code: seal.string(1), lotId: seal.string(2), firmId: seal.string(4),
        certifierId: seal.string(8), grade: Number(seal.uint(11)),
      };
    }
    if (v.has(5)) {
      const proof = readMessage(v.bytes(5), what);
      verdict.proof = {
        issuanceRecord: toBase64(proof.bytes(2)),
        sealAsIssued: toBase64(proof.bytes(3)),
        sealPath: proof.list(4).map(toBase64),
      };
      if (proof.has(1)) {
        const proven = readMessage(proof.bytes(1), what);
        const event = readMessage(proven.bytes(1), 'the issuance event');
        verdict.proof.issuanceEvent = {
          event: { seq: event.uint(1).toString(), leafData: toBase64(event.bytes(2)),
                   leafHash: toBase64(event.bytes(4)) },
          treeSize: proven.uint(3).toString(),
          hashes: proven.list(4).map(toBase64),
          checkpoint: { note: readMessage(proven.bytes(5), 'the checkpoint').string(5) },
        };
      }
    }
    return verdict;
  }

  // A note verifier key, "<name>+<8 hex digits of key id>+<base64(0x01 || public key)>"
  // (golang.org/x/mod/sumdb/note; daemon/domain/signed_note.h).
  async function parseVerifierKey(vkey) {
    // The name holds no '+'; the base64 key may.
    const parts = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey || '');
    if (parts === null) throw new Evidence('the log key on this page is malformed');
    parts.shift();
    const raw = fromBase64(parts[2], 'the log key');
    if (raw.length !== 33 || raw[0] !== 0x01) throw new Evidence('the log key is not an Ed25519 key');
    const id = (await sha256(concat(utf8.encode(parts[0] + '\n'), raw))).subarray(0, 4);
    if (hex(id) !== parts[1]) throw new Evidence('the log key\'s id does not match the key');
    return { name: parts[0], id, publicKey: raw.subarray(1) };
  }

  // C2SP signed-note and tlog-checkpoint, as daemon/domain/checkpoint.cc OpenCheckpoint:
  // the log's signature must verify, and the body is origin, size, root hash, "time N".
  async function openCheckpoint(key, note) {
    if (typeof note !== 'string' || !note.endsWith('\n')) throw new Evidence('checkpoint: not a signed note');
    const split = note.lastIndexOf('\n\n');
    if (split < 0) throw new Evidence('checkpoint: no signature lines');
    const text = note.slice(0, split + 1);
    const lines = note.slice(split + 2, -1).split('\n');
    let signature = null;
    for (const line of lines) {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (m === null) throw new Evidence('checkpoint: malformed signature line');
      const blob = fromBase64(m[2], 'checkpoint signature');
      if (m[1] === key.name && blob.length >= 4 && sameBytes(blob.subarray(0, 4), key.id)) {
        signature = blob.subarray(4);
      }
    }
    if (signature === null) throw new Evidence('checkpoint: not signed by the log key ' + key.name);
    if (signature.length !== 64) throw new Evidence('checkpoint: the signature is not an Ed25519 signature');
    let publicKey;
    try {
      publicKey = await crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      throw new Unable('this browser cannot check Ed25519 signatures (' + e.name + ')');
    }
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, utf8.encode(text));
    if (!ok) throw new Evidence('checkpoint: the log\'s signature does not verify');
    const body = /^([^\n]+)\n(0|[1-9][0-9]*)\n([A-Za-z0-9+/=]{44})\ntime (0|[1-9][0-9]*)\n$/.exec(text);
    if (body === null) throw new Evidence('checkpoint: malformed body');
    if (body[1] !== key.name) throw new Evidence('checkpoint: origin ' + body[1] + ' is not the log ' + key.name);
    const root = fromBase64(body[3], 'checkpoint root');
    if (root.length !== 32) throw new Evidence('checkpoint: the root is not 32 bytes');
    return { size: BigInt(body[2]), root, time: new Date(Number(body[4]) * 1000) };
  }

  // client/auditor.cc VerifySealProof, step by step.
  async function verifySealProof(verdict, vkey) {
    if (!window.crypto || !crypto.subtle) {
      throw new Unable('this browser offers WebCrypto only on secure (https) pages');
    }
    const proof = verdict.proof;
    const proven = proof && proof.issuanceEvent;
    if (!proven || BigInt(proven.treeSize || '0') === 0n) {
      throw new Unable('no proof yet: the issuance is newer than the latest checkpoint; reload in a second');
    }
    const key = await parseVerifierKey(vkey);
    const checkpoint = await openCheckpoint(key, proven.checkpoint && proven.checkpoint.note);
    if (BigInt(proven.treeSize) !== checkpoint.size) {
      throw new Evidence('the proof is for tree size ' + proven.treeSize + ', the checkpoint is ' + checkpoint.size);
    }
    // The issuance's event in the log (CheckedLeafHash, VerifyEventInclusion).
    const event = proven.event || {};
    const seq = BigInt(event.seq || '0');
    const leafData = fromBase64(event.leafData || '', 'event data');
    let leaf;
    if (leafData.length === 0) {
      leaf = fromBase64(event.leafHash || '', 'event leaf hash');
      if (leaf.length !== 32) throw new Evidence('event ' + seq + ' has neither data nor a leaf hash');
    } else {
      if (readMessage(leafData, 'event').uint(1) !== seq) {
        throw new Evidence('event ' + seq + ': its leaf data is not that event');
      }
      leaf = await leafHash(leafData);
    }
    if (seq === 0n || seq > checkpoint.size) {
      throw new Evidence('event ' + seq + ' is not within checkpoint size ' + checkpoint.size);
    }
    await verifyInclusion(leaf, seq - 1n, checkpoint.size,
      (proven.hashes || []).map((h) => fromBase64(h, 'proof hash')), checkpoint.root,
      'event ' + seq + ' in the signed tree');
    // The issuance record is the one the event digests (CheckRecordDigest).
    const record = fromBase64(proof.issuanceRecord || '', 'issuance record');
    const digest = readMessage(leafData, 'event').bytes(10);
    if (!sameBytes(await sha256(record), digest)) {
      throw new Evidence('the issuance record does not match its logged digest');
    }
    const issuance = readMessage(record, 'issuance record');
    const asIssuedBytes = fromBase64(proof.sealAsIssued || '', 'seal as issued');
    const asIssued = readMessage(asIssuedBytes, 'seal as issued');
    await verifyInclusion(await leafHash(asIssuedBytes), asIssued.uint(17), issuance.uint(5),
      (proof.sealPath || []).map((h) => fromBase64(h, 'seal path hash')), issuance.bytes(7),
      'the seal in issuance ' + issuance.string(1));
    // The seal as issued says what the answer says.
    const served = verdict.seal || {};
    const grade = BigInt(served.grade || 0);
    if (asIssued.string(1) !== (served.code || '') || asIssued.uint(11) !== grade ||
        asIssued.string(2) !== (served.lotId || '') || asIssued.string(4) !== (served.firmId || '') ||
        asIssued.string(8) !== (served.certifierId || '') ||
        asIssued.string(16) !== issuance.string(1) || asIssued.uint(11) !== issuance.uint(6)) {
      throw new Evidence('the answer differs from the seal as issued and logged');
    }
    // And the page shows that answer's code.
    const shown = document.getElementById('seal-code');
    if (shown !== null && shown.textContent !== served.code) {
      throw new Evidence('the page shows another code than the proof\'s');
    }
    return checkpoint;
  }

  function show(section, status, className, text) {
    status.className = 'proof-status ' + className;
    status.textContent = text;
    section.dataset.result = className.replace('proof-', '');
  }

  // Reads the proof and key from the page (or checks `given`, a verdict as decodeVerdict
  // returns it) and shows the outcome. Returns the outcome ("ok", "fail", "unable") so that
  // the browser tests can check a changed proof.
  async function run(given) {
    const section = document.getElementById('proof');
    if (section === null) return 'none';
    const status = document.getElementById('proof-status');
    show(section, status, 'proof-pending', section.dataset.msgChecking);
    try {
      const verdict = given || decodeVerdict(section.dataset.verdict);
      const checkpoint = await verifySealProof(verdict, section.dataset.verifierKey);
      const when = checkpoint.time.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
      show(section, status, 'proof-ok',
        section.dataset.msgOk.replace('{n}', checkpoint.size.toString()).replace('{t}', when));
      return 'ok';
    } catch (e) {
      if (e instanceof Unable) {
        show(section, status, 'proof-unable', section.dataset.msgUnable.replace('{why}', e.message));
        return 'unable';
      }
      const why = e instanceof Evidence ? e.message : String(e);
      show(section, status, 'proof-fail', section.dataset.msgFail.replace('{why}', why));
      return 'fail';
    }
  }

  window.selloProof = { run, decodeVerdict };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => run());
  } else {
    run();
  }
})();
