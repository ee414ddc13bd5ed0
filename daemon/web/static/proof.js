// Checks, in the visitor's browser, the proof the seal page carries: exactly what
// `sello seal verify --proof` checks (client/auditor.cc, VerifySealProof):
//   1. the checkpoint is a C2SP signed note signed by the log's key (Ed25519, WebCrypto);
//   2. the issuance's event is in the tree of that checkpoint (RFC 9162 §2.1.3.2);
//   3. the issuance record is the one the event digests (SHA-256);
//   4. the seal as issued is leaf `position` of the issuance's seals_root (RFC 9162);
//   5. the seal as issued says what the page says (code, grade, lot, firm, certifier);
// and, when the registry has witnesses (sellod --witness-policy), what `--witness-policy`
// adds (client/auditor.cc OpenSignedCheckpoint, daemon/domain/witness_policy.cc Evaluate):
//   6. every cosignature line of a policy witness verifies (C2SP tlog-cosignature), and
//      those cosignatures meet the policy's quorum (C2SP tlog-policy).
// No framework, no network: the proof, the key and the policy are in the page (#proof's
// data-*).
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

  // RFC 9162 §2.1.3.2, as daemon/tlog/merkle.cc VerifyInclusion (BigInt: sizes may pass
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

  // A note verifier key, "<name>+<8 hex digits of key id>+<base64(type || public key)>"
  // (golang.org/x/mod/sumdb/note; daemon/tlog/signed_note.h): type 0x01 for the log's
  // Ed25519 key, 0x04 for a witness's (C2SP tlog-cosignature, cosignature/v1).
  async function parseVerifierKey(vkey, type, what) {
    // The name holds no '+'; the base64 key may.
    const parts = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey || '');
    if (parts === null) throw new Evidence(what + ' on this page is malformed');
    parts.shift();
    const raw = fromBase64(parts[2], what);
    if (raw.length !== 33 || raw[0] !== type) {
      throw new Evidence(what + ' is not an Ed25519 ' + (type === 0x01 ? 'log' : 'cosignature/v1') + ' key');
    }
    const id = (await sha256(concat(utf8.encode(parts[0] + '\n'), raw))).subarray(0, 4);
    if (hex(id) !== parts[1]) throw new Evidence(what + '\'s id does not match the key');
    return { name: parts[0], id, label: parts[0] + '+' + parts[1], publicKey: raw.subarray(1) };
  }

  async function verifyEd25519(publicKey, signature, message) {
    let key;
    try {
      key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      throw new Unable('this browser cannot check Ed25519 signatures (' + e.name + ')');
    }
    return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
  }

  // C2SP tlog-policy, as daemon/domain/witness_policy.cc Parse (the page embeds what
  // WitnessPolicy::FormatForVerifiers writes). `log` lines are skipped: the page pins the
  // log's key beside the policy (and during a key rotation the policy may list the next).
  async function parseWitnessPolicy(text) {
    const witnesses = [];
    const nodes = [];            // in definition order: a group after its members
    const byName = new Map();    // name -> index into nodes
    let quorum = null;
    const lines = text.split('\n');
    for (let n = 0; n < lines.length; ++n) {
      const bad = (why) => new Evidence('the witness policy, line ' + (n + 1) + ': ' + why);
      const f = lines[n].split(/[ \t]+/).filter((field) => field !== '');
      if (f.length === 0 || f[0].startsWith('#') || f[0] === 'log') continue;
      const define = (name, node) => {
        if (name === 'none') throw bad('the name none is predefined');
        if (byName.has(name)) throw bad('the name ' + name + ' is already defined');
        byName.set(name, nodes.length);
        nodes.push(node);
      };
      if (f[0] === 'witness') {
        if (f.length < 3 || f.length > 4) throw bad('want: witness <name> <vkey> [<url>]');
        const key = await parseVerifierKey(f[2], 0x04, 'the key of witness ' + f[1]);
        define(f[1], { witness: witnesses.length });
        witnesses.push({ name: f[1], key });
      } else if (f[0] === 'group') {
        if (f.length < 4) throw bad('want: group <name> all|any|<k> <name>...');
        const members = f.slice(3).map((name) => {
          if (!byName.has(name)) throw bad('group ' + f[1] + ': member ' + name + ' is not defined before');
          return byName.get(name);
        });
        if (new Set(members).size !== members.length) throw bad('group ' + f[1] + ': a member listed twice');
        const k = f[2] === 'all' ? members.length : f[2] === 'any' ? 1 : /^[1-9][0-9]*$/.test(f[2]) ? Number(f[2]) : 0;
        if (k < 1 || k > members.length) throw bad('group ' + f[1] + ': threshold ' + f[2]);
        define(f[1], { group: f[1], threshold: k, members });
      } else if (f[0] === 'quorum') {
        if (f.length !== 2 || quorum !== null) throw bad('want one quorum line: quorum <name>');
        if (f[1] !== 'none' && !byName.has(f[1])) throw bad('quorum ' + f[1] + ' is not defined before');
        quorum = f[1];
      } else {
        throw bad('unknown keyword ' + f[0]);
      }
    }
    if (quorum === null) throw new Evidence('the witness policy has no quorum line');
    const describe = () => {
      if (quorum === 'none') return 'none (no cosignature required)';
      const node = nodes[byName.get(quorum)];
      if (node.group === undefined) return 'witness ' + quorum;
      return 'group ' + quorum + ': ' + node.threshold + ' of ' +
        node.members.map((m) => nodes[m].group !== undefined ? nodes[m].group : witnesses[nodes[m].witness].name).join(', ');
    };
    return { witnesses, nodes, quorumNode: quorum === 'none' ? null : byName.get(quorum), describe };
  }

  // The cosignatures of the policy's witnesses in `checkpoint` (openCheckpoint's), as
  // WitnessPolicy::Evaluate: a line with a policy witness's name and key id must verify
  // (else the whole note is refused); lines of other keys are ignored. Throws Evidence,
  // naming who cosigned and who is missing, unless the quorum is met.
  async function checkQuorum(policy, checkpoint) {
    const signedAt = policy.witnesses.map(() => null);
    for (const line of checkpoint.signatures) {
      for (let i = 0; i < policy.witnesses.length; ++i) {
        const w = policy.witnesses[i];
        if (line.name !== w.key.name || !sameBytes(line.blob.subarray(0, 4), w.key.id)) continue;
        const fails = (why) => new Evidence('witness ' + w.name + ': cosignature by ' + w.key.label +
          ' does not verify: ' + why);
        // tlog-cosignature: key id (4) || timestamp (8, big-endian) || Ed25519 signature (64).
        if (line.blob.length !== 4 + 8 + 64) throw fails((line.blob.length - 4) + ' bytes after the key id, want 72');
        let time = 0n;
        for (const b of line.blob.subarray(4, 12)) time = (time << 8n) | BigInt(b);
        if (time > 0x7fffffffffffffffn) throw fails('timestamp beyond 2^63 - 1');
        const message = concat(utf8.encode('cosignature/v1\ntime ' + time + '\n'), utf8.encode(checkpoint.text));
        if (!await verifyEd25519(w.key.publicKey, line.blob.subarray(12), message)) {
          throw fails('bad Ed25519 signature');
        }
        if (signedAt[i] === null || time > signedAt[i]) signedAt[i] = time;
      }
    }
    const cosigned = policy.witnesses.filter((w, i) => signedAt[i] !== null).map((w) => w.name);
    const missing = policy.witnesses.filter((w, i) => signedAt[i] === null).map((w) => w.name);
    let met = true;
    if (policy.quorumNode !== null) {
      const witnessed = [];
      for (const node of policy.nodes) {
        witnessed.push(node.group === undefined ? signedAt[node.witness] !== null
          : node.members.filter((m) => witnessed[m]).length >= node.threshold);
      }
      met = witnessed[policy.quorumNode];
    }
    if (!met) {
      throw new Evidence('checkpoint ' + checkpoint.size + ' lacks the witness policy\'s quorum (' +
        policy.describe() + '): quorum NOT met: cosigned by ' +
        (cosigned.length === 0 ? 'no witness' : cosigned.join(', ')) + '; missing ' +
        (missing.length === 0 ? 'none' : missing.join(', ')) +
        '. A registry that serves a checkpoint its witnesses did not cosign may be showing you a history the others do not see');
    }
    return cosigned;
  }

  // C2SP signed-note and tlog-checkpoint, as daemon/tlog/checkpoint.cc OpenCheckpoint:
  // the log's signature must verify, and the body is origin, size, root hash, "time N".
  async function openCheckpoint(key, note) {
    if (typeof note !== 'string' || !note.endsWith('\n')) throw new Evidence('checkpoint: not a signed note');
    const split = note.lastIndexOf('\n\n');
    if (split < 0) throw new Evidence('checkpoint: no signature lines');
    const text = note.slice(0, split + 1);
    const lines = note.slice(split + 2, -1).split('\n');
    let signature = null;
    const signatures = [];
    if (lines.length > 100) throw new Evidence('checkpoint: more than 100 signature lines');
    for (const line of lines) {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (m === null) throw new Evidence('checkpoint: malformed signature line');
      const blob = fromBase64(m[2], 'checkpoint signature');
      if (blob.length < 5) throw new Evidence('checkpoint: a signature line too short');
      signatures.push({ name: m[1], blob });
      if (m[1] === key.name && sameBytes(blob.subarray(0, 4), key.id)) {
        signature = blob.subarray(4);
      }
    }
    if (signature === null) throw new Evidence('checkpoint: not signed by the log key ' + key.name);
    if (signature.length !== 64) throw new Evidence('checkpoint: the signature is not an Ed25519 signature');
    const ok = await verifyEd25519(key.publicKey, signature, utf8.encode(text));
    if (!ok) throw new Evidence('checkpoint: the log\'s signature does not verify');
    const body = /^([^\n]+)\n(0|[1-9][0-9]*)\n([A-Za-z0-9+/=]{44})\ntime (0|[1-9][0-9]*)\n$/.exec(text);
    if (body === null) throw new Evidence('checkpoint: malformed body');
    if (body[1] !== key.name) throw new Evidence('checkpoint: origin ' + body[1] + ' is not the log ' + key.name);
    const root = fromBase64(body[3], 'checkpoint root');
    if (root.length !== 32) throw new Evidence('checkpoint: the root is not 32 bytes');
    return { size: BigInt(body[2]), root, time: new Date(Number(body[4]) * 1000), text, signatures };
  }

  // client/auditor.cc VerifySealProof, step by step.
  async function verifySealProof(verdict, vkey, policyText) {
    if (!window.crypto || !crypto.subtle) {
      throw new Unable('this browser offers WebCrypto only on secure (https) pages');
    }
    const proof = verdict.proof;
    const proven = proof && proof.issuanceEvent;
    if (!proven || BigInt(proven.treeSize || '0') === 0n) {
      throw new Unable('no proof yet: the issuance is newer than the latest checkpoint; reload in a second');
    }
    const key = await parseVerifierKey(vkey, 0x01, 'the log key');
    const policy = policyText === undefined ? null : await parseWitnessPolicy(policyText);
    const checkpoint = await openCheckpoint(key, proven.checkpoint && proven.checkpoint.note);
    checkpoint.cosigned = policy === null ? [] : await checkQuorum(policy, checkpoint);
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
      const checkpoint = await verifySealProof(verdict, section.dataset.verifierKey,
        section.dataset.witnessPolicy);
      const when = checkpoint.time.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
      let text = section.dataset.msgOk.replace('{n}', checkpoint.size.toString()).replace('{t}', when);
      if (checkpoint.cosigned.length > 0 && section.dataset.msgCosigned !== undefined) {
        text += ' ' + section.dataset.msgCosigned.replace('{w}', checkpoint.cosigned.join(', '));
      }
      show(section, status, 'proof-ok', text);
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
