#!/usr/bin/python3
"""The public pages in a real browser (Debian's headless Chromium through chromedriver),
against a real sellod loaded with the demo data, under a witness policy (two real
sello-witness processes; two of three must cosign): the seal page's verdicts, the form, the
in-browser proof check (and its warnings: a changed byte, another log key, a cosignature
tampered with, a quorum missing), Spanish and English, escaping, the JSON API
from the page's origin and from another (CORS), accessibility checks, and screenshots at
360 and 1280 pixels written as test artefacts. One browser session for everything.

Usage: pages_browser_test.py --sellod PATH --sello PATH --witness PATH --demo DIR
                             --artefacts DIR
Prints one line per check and closes with "N passed, N failed".
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HOSTILE_NAME = '<script>alert(1)</script>'
MOD37 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*'


def check_character(chars):
    """ISO/IEC 7064 MOD 37-2, as daemon/domain/seal_code.cc computes a code's last character."""
    p = 0
    for c in chars:
        p = ((p + MOD37.index(c)) * 2) % 37
    return MOD37[(38 - p) % 37]


def wait_for(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.05)


# The witnesses of the registry's policy: two run; the third is listed but never answers.
WITNESSES = ('regulator', 'buyers', 'certifier')


class Registry:
    """A sellod on free loopback ports with the demo data loaded (one firm renamed); with
    args.witness (a sello-witness binary), under a witness policy: two of WITNESSES must
    cosign, and only the first two run. (labels_test.py uses it without witnesses.)"""

    def __init__(self, args, work):
        self.args = args
        self.work = work
        data = os.path.join(work, 'data')
        self.admin_token = os.path.join(data, 'admin.token')
        self.tokens = os.path.join(work, 'tokens')
        self.log = open(os.path.join(work, 'sellod.log'), 'wb')
        self.witnesses = []
        argv = [args.sellod, '--data-dir', data, '--listen', '127.0.0.1:0',
                '--address-file', os.path.join(work, 'grpc.addr'), '--http-listen', '127.0.0.1:0',
                '--http-address-file', os.path.join(work, 'http.addr'),
                '--http-rate-limit', '0', '--bootstrap-org-id', 'salmonchile']
        if getattr(args, 'witness', None) is not None:
            # The witnesses must know the log's key: sellod's first start makes it.
            self.process = subprocess.Popen(argv, stdout=self.log, stderr=self.log)
            self.log_key = wait_for(lambda: self.read(os.path.join('data', 'log.pub')),
                                    'sellod to make its key')
            self.stop_process(self.process)
            os.remove(os.path.join(work, 'grpc.addr'))
            argv += ['--witness-policy', self.start_witnesses()]
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=self.log)
        read = self.read
        self.grpc = wait_for(lambda: read('grpc.addr'), 'sellod to listen')
        self.http = wait_for(lambda: read('http.addr'), 'sellod to serve HTTP')
        self.port = self.http.rsplit(':', 1)[1]
        self.origin = 'http://127.0.0.1:' + self.port
        # The demo manifest with one firm renamed to hostile markup: every page that shows
        # it must show it as text.
        demo = os.path.join(work, 'demo')
        shutil.copytree(args.demo, demo)
        manifest = json.load(open(os.path.join(demo, 'demo.json')))
        self.hostile_firm = manifest['inspections'][0]['lot']['siteId'].rsplit('-', 1)[0]
        for entry in manifest['organisations']:
            if entry['organisation']['id'] == self.hostile_firm:
                entry['organisation']['name'] = HOSTILE_NAME
        json.dump(manifest, open(os.path.join(demo, 'demo.json'), 'w'))
        self.codes_file = os.path.join(work, 'seals.txt')
        self.sello('--token-file', self.admin_token, 'demo', 'load', '--manifest',
                   os.path.join(demo, 'demo.json'), '--tokens-dir', self.tokens,
                   '--codes-file', self.codes_file)
        self.manifest = manifest

    def read(self, name):
        path = os.path.join(self.work, name)
        if self.process.poll() is not None:
            raise AssertionError('sellod exited; see ' + self.log.name)
        return open(path).read().strip() if os.path.exists(path) else ''

    def start_witnesses(self):
        """Starts a sello-witness for each of WITNESSES, and stops the last again (it is
        down from then on); writes the policy."""
        policy = 'log %s\n' % self.log_key
        for name in WITNESSES:
            data = os.path.join(self.work, 'witness-' + name)
            address_file = data + '.addr'
            log = open(data + '.log', 'wb')
            process = subprocess.Popen(
                [self.args.witness, '--data-dir', data, '--name', name + '.test/sello',
                 '--listen', '127.0.0.1:0', '--address-file', address_file,
                 '--log', self.log_key], stdout=log, stderr=log)
            self.witnesses.append((process, log))

            def read(path):
                if process.poll() is not None:
                    raise AssertionError('sello-witness exited; see ' + log.name)
                return open(path).read().strip() if os.path.exists(path) else ''
            address = wait_for(lambda: read(address_file), 'the witness to listen')
            key = read(os.path.join(data, 'witness.pub'))
            policy += 'witness %s %s http://%s\n' % (name, key, address)
        policy += 'group two-of-three 2 %s\nquorum two-of-three\n' % ' '.join(WITNESSES)
        process, log = self.witnesses.pop()
        self.stop_process(process)
        log.close()
        path = os.path.join(self.work, 'witness-policy.txt')
        open(path, 'w').write(policy)
        return path

    @staticmethod
    def stop_process(process):
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def sello(self, *argv):
        result = subprocess.run([self.args.sello, '--server', self.grpc, *argv],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError('sello %s: %s' % (' '.join(argv), result.stderr))
        return result.stdout

    def seal_json(self, code):
        request = urllib.request.Request(self.origin + '/seal/' + code,
                                         headers={'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(request) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as error:
            return json.load(error)

    def stop(self):
        self.stop_process(self.process)
        self.log.close()
        for process, log in self.witnesses:
            self.stop_process(process)
            log.close()


class Checks:
    def __init__(self, registry, driver, artefacts):
        self.r = registry
        self.d = driver
        self.artefacts = artefacts
        self.passed = 0
        self.failed = 0

    def run(self, name, check):
        try:
            self.d.get_log('browser')  # drained: each check reads only its own messages
            check()
            self.passed += 1
            print('PASS', name, flush=True)
        except Exception:  # noqa: BLE001 (every failure is reported, then the next check runs)
            self.failed += 1
            print('FAIL', name, flush=True)
            traceback.print_exc(file=sys.stdout)
            self.screenshot('failed-' + name)

    def screenshot(self, name):
        try:
            self.d.save_screenshot(os.path.join(self.artefacts, name + '.png'))
        except Exception:  # noqa: BLE001
            pass

    # Helpers -----------------------------------------------------------------------
    def open(self, path):
        self.d.get(self.r.origin + path)
        wait_for(lambda: self.d.execute_script('return document.readyState') == 'complete',
                 'the page to load')

    def verdict(self):
        return self.d.find_element(By.ID, 'verdict').get_attribute('data-verdict')

    def proof_result(self):
        section = self.d.find_element(By.ID, 'proof')
        return wait_for(lambda: section.get_attribute('data-result') not in (None, 'pending') and
                        section.get_attribute('data-result'), 'the proof check')

    def accessible(self):
        """One h1, lang set, every visible field labelled, text contrast >= 4.5:1."""
        problems = self.d.execute_script(A11Y_SCRIPT)
        assert problems == [], 'accessibility: %s' % problems

    def no_console_errors(self):
        errors = [e for e in self.d.get_log('browser') if e['level'] == 'SEVERE' and
                  'favicon' not in e['message'] and 'status of 4' not in e['message']]
        assert errors == [], 'browser console: %s' % errors


A11Y_SCRIPT = r"""
const problems = [];
if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count ' + document.querySelectorAll('h1').length);
if (!document.documentElement.lang) problems.push('no lang');
for (const input of document.querySelectorAll('input, select, textarea')) {
  if (input.type === 'hidden') continue;
  const labelled = (input.id && document.querySelector('label[for="' + input.id + '"]')) ||
      input.closest('label') || input.getAttribute('aria-label');
  if (!labelled) problems.push('unlabelled ' + (input.name || input.id));
}
function rgba(text) {
  const m = text.match(/[\d.]+/g).map(Number);
  return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
}
function luminance(c) {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
function background(element) {
  for (let e = element; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c.a > 0) return c;
  }
  return {r: 255, g: 255, b: 255, a: 1};
}
for (const element of document.querySelectorAll('body *')) {
  const own = Array.from(element.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || element.offsetParent === null && getComputedStyle(element).position !== 'fixed') continue;
  const fg = rgba(getComputedStyle(element).color);
  const l1 = luminance(fg), l2 = luminance(background(element));
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  if (ratio < 4.5) problems.push('contrast ' + ratio.toFixed(2) + ' on ' + element.tagName + ' "' + element.textContent.trim().slice(0, 30) + '"');
}
return problems;
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sellod', required=True)
    parser.add_argument('--sello', required=True)
    parser.add_argument('--witness', required=True)
    parser.add_argument('--demo', required=True)
    parser.add_argument('--artefacts', required=True)
    args = parser.parse_args()
    os.makedirs(args.artefacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix='sello-browser-')
    registry = None
    driver = None
    try:
        registry = Registry(args, work)
        options = webdriver.ChromeOptions()
        options.binary_location = '/usr/bin/chromium'
        for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
                     '--no-first-run', '--disable-background-networking',
                     '--disable-component-update', '--disable-sync',
                     '--disable-dev-shm-usage', '--user-data-dir=' + os.path.join(work, 'chrome'),
                     '--window-size=1280,1000'):
            options.add_argument(flag)
        # The visitor's browser prefers Spanish (the seeds' users are in Chile).
        options.add_experimental_option('prefs', {'intl.accept_languages': 'es-CL,es,en'})
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
        driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
        driver.set_script_timeout(30)
        checks = Checks(registry, driver, args.artefacts)
        run_checks(checks, registry)
        print('%d passed, %d failed' % (checks.passed, checks.failed))
        return 0 if checks.failed == 0 else 1
    finally:
        if driver is not None:
            driver.quit()
        if registry is not None:
            registry.stop()
        shutil.rmtree(work, ignore_errors=True)


def run_checks(c, r):
    codes = [line.strip() for line in open(r.codes_file) if line.strip()]
    valid = codes[0]
    # Seals of the hostile firm come first (its inspection is the manifest's first).
    assert r.seal_json(valid)['seal']['firmId'] == r.hostile_firm
    other = next(code for code in codes if r.seal_json(code)['seal']['firmId'] != r.hostile_firm)
    suspended, revoked = codes[1], codes[2]
    admin = ('--token-file', r.admin_token)
    r.sello(*admin, 'seal', 'suspend', suspended, '--reason', 'Etiquetado en revisión')
    r.sello(*admin, 'seal', 'revoke', revoked, '--reason', 'Caja reetiquetada')
    # An expired seal: issued on a lot with room, to expire in two seconds.
    expired = issue_expiring_seal(r)
    body = valid.replace('-', '')
    # A well-formed code no seal has: another serial with its right check character (one
    # the generator prints: not I, L, O, U or *, which a reader folds or refuses).
    unknown = next(candidate for candidate in (
        body[:-5] + filler + check_character(body[:-5] + filler)
        for filler in ('0000', '1111', '2222', '3333', '4444'))
        if candidate[-1] not in 'ILOU*' and candidate != body)
    mistyped = valid[:-1] + ('A' if valid[-1] != 'A' else 'B')

    def seal_page(code, kind):
        def check():
            c.open('/seal/' + code)
            assert c.verdict() == kind, 'verdict %s, expected %s' % (c.verdict(), kind)
            c.accessible()
        return check

    def valid_page():
        c.open('/seal/' + valid + '?lang=en')
        assert c.verdict() == 'valid'
        word = c.d.find_element(By.CLASS_NAME, 'verdict-word').text
        assert word == 'Valid', word
        assert c.d.find_element(By.ID, 'seal-grade').text in ('Premium', 'Grade I', 'Industrial')
        result = c.proof_result()
        status = c.d.find_element(By.ID, 'proof-status').text
        assert result == 'ok', status
        assert status.startswith('Verified in your browser against checkpoint '), status
        c.accessible()
        c.no_console_errors()

    c.run('valid seal: verdict, and the proof verified in the browser', valid_page)
    c.run('suspended seal', seal_page(suspended, 'suspended'))
    c.run('suspended seal shows its reason', lambda: (
        c.open('/seal/' + suspended),
        assert_in('Etiquetado en revisión', c.d.find_element(By.ID, 'verdict').text)))
    c.run('revoked seal', seal_page(revoked, 'revoked'))
    c.run('expired seal', seal_page(expired, 'expired'))
    c.run('unknown code', seal_page(unknown, 'not-found'))
    c.run('mistyped code explains the check character', lambda: (
        seal_page(mistyped, 'mistyped')(),
        assert_in('carácter de control', c.d.find_element(By.ID, 'verdict').text)))

    def digital_link():
        c.open('/01/09506000134352/10/%s/21/%s' % (r.seal_json(valid)['seal']['lotId'],
                                                  valid.replace('-', '')))
        assert c.verdict() == 'valid'
        assert c.proof_result() == 'ok'
        c.open('/01/09506000134353/21/' + valid.replace('-', ''))
        assert_in('check digit', c.d.find_element(By.TAG_NAME, 'main').text)
    c.run('GS1 Digital Link form', digital_link)

    def form():
        c.open('/')
        c.accessible()
        field = c.d.find_element(By.ID, 'code')
        field.send_keys(other.lower().replace('-', ' '))
        field.submit()
        wait_for(lambda: '/seal/' in c.d.current_url, 'the seal page')
        assert c.verdict() == 'valid'
        assert c.proof_result() == 'ok'
    c.run('typing a code into the form', form)

    def tampered():
        c.open('/seal/' + valid)
        assert c.proof_result() == 'ok'
        # One byte of the seal as issued changed: the leaf no longer leads to the root.
        result = c.d.execute_async_script(r"""
            const done = arguments[arguments.length - 1];
            const section = document.getElementById('proof');
            const verdict = window.selloProof.decodeVerdict(section.dataset.verdict);
            const bytes = atob(verdict.proof.sealAsIssued);
            const i = bytes.length - 3;
            verdict.proof.sealAsIssued = btoa(bytes.slice(0, i) +
                String.fromCharCode(bytes.charCodeAt(i) ^ 1) + bytes.slice(i + 1));
            window.selloProof.run(verdict).then(done);""")
        assert result == 'fail', result
        status = c.d.find_element(By.ID, 'proof-status')
        assert 'proof-fail' in status.get_attribute('class')
        assert status.text.startswith('ATENCIÓN'), status.text
        c.screenshot('proof-warning-1280')
        # The page's own proof with one byte changed (in the seal's path to its issuance's
        # root, the verdict's last bytes): read from the page as a visitor's browser reads it.
        c.open('/seal/' + valid)
        assert c.proof_result() == 'ok'
        result = c.d.execute_async_script(r"""
            const done = arguments[arguments.length - 1];
            const section = document.getElementById('proof');
            const bytes = atob(section.dataset.verdict);
            const i = bytes.length - 3;
            section.dataset.verdict = btoa(bytes.slice(0, i) +
                String.fromCharCode(bytes.charCodeAt(i) ^ 1) + bytes.slice(i + 1));
            window.selloProof.run().then(done);""")
        assert result == 'fail', result
    c.run('a proof with a changed byte shows the warning', tampered)

    def wrong_key():
        c.open('/seal/' + valid)
        assert c.proof_result() == 'ok'
        name = c.d.find_element(By.ID, 'proof').get_attribute('data-verifier-key').split('+')[0]
        raw = b'\x01' + hashlib.sha256(b'another key').digest()
        key_id = hashlib.sha256(name.encode() + b'\n' + raw).digest()[:4].hex()
        vkey = '%s+%s+%s' % (name, key_id, base64.b64encode(raw).decode())
        result = c.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "document.getElementById('proof').dataset.verifierKey = arguments[0];"
            "window.selloProof.run().then(done);", vkey)
        assert result == 'fail', result
        assert 'proof-fail' in c.d.find_element(By.ID, 'proof-status').get_attribute('class')
    c.run('a wrong log key shows the warning', wrong_key)

    def rerun_with_note(edit_line):
        """Re-runs the check with the checkpoint note's signature lines passed through
        edit_line(line) (None drops a line); returns the result and the status text."""
        c.open('/seal/' + valid + '?lang=en')
        assert c.proof_result() == 'ok'
        verdict = c.d.execute_script(
            "const section = document.getElementById('proof');"
            "return window.selloProof.decodeVerdict(section.dataset.verdict);")
        checkpoint = verdict['proof']['issuanceEvent']['checkpoint']
        text, lines = checkpoint['note'].split('\n\n', 1)
        original = lines.rstrip('\n').split('\n')
        edited = [edit_line(line) for line in original]
        assert edited != original, 'no signature line edited in %r' % lines
        checkpoint['note'] = text + '\n\n' + ''.join(l + '\n' for l in edited if l is not None)
        result = c.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.selloProof.run(arguments[0]).then(done);", verdict)
        return result, c.d.find_element(By.ID, 'proof-status').text

    def cosigned():
        c.open('/seal/' + valid + '?lang=en')
        assert c.proof_result() == 'ok'
        status = c.d.find_element(By.ID, 'proof-status').text
        assert_in('Cosigned by the witnesses regulator, buyers,', status)
        policy = c.d.find_element(By.ID, 'proof').get_attribute('data-witness-policy')
        assert 'quorum two-of-three' in policy and 'http' not in policy, policy
        # Without a policy on the page the check is the log's signature alone, as before.
        result = c.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "delete document.getElementById('proof').dataset.witnessPolicy;"
            "window.selloProof.run().then(done);")
        status = c.d.find_element(By.ID, 'proof-status').text
        assert result == 'ok' and 'Cosigned' not in status, status
        c.no_console_errors()
    c.run('witnesses: the checkpoint cosigned by the quorum', cosigned)

    def cosignature_tampered():
        def flip(line):
            # A witness signs with its key's name (its policy name is the client's).
            if not line.startswith('\u2014 regulator.test/sello '):
                return line
            blob = bytearray(base64.b64decode(line.split(' ')[2]))
            blob[-1] ^= 1
            return '\u2014 regulator.test/sello ' + base64.b64encode(bytes(blob)).decode()
        result, status = rerun_with_note(flip)
        assert result == 'fail', status
        assert_in('witness regulator: cosignature by regulator.test/sello+', status)
        assert_in('does not verify', status)
        c.screenshot('proof-cosignature-warning-1280')
    c.run('witnesses: a cosignature tampered with shows the warning', cosignature_tampered)

    def quorum_missing():
        result, status = rerun_with_note(
            lambda line: None if line.startswith('\u2014 buyers.test/sello ') else line)
        assert result == 'fail', status
        assert status.startswith('WARNING'), status
        assert_in('quorum NOT met: cosigned by regulator; missing buyers, certifier', status)
    c.run('witnesses: a checkpoint short of the quorum shows the warning', quorum_missing)

    def languages():
        c.open('/seal/' + valid)  # Accept-Language: es-CL first
        assert c.d.find_element(By.TAG_NAME, 'html').get_attribute('lang') == 'es'
        assert c.d.find_element(By.CLASS_NAME, 'verdict-word').text == 'Válido'
        c.d.find_element(By.CLASS_NAME, 'lang-switch').click()
        wait_for(lambda: c.d.find_element(By.TAG_NAME, 'html').get_attribute('lang') == 'en',
                 'the English page')
        assert c.d.find_element(By.CLASS_NAME, 'verdict-word').text == 'Valid'
        c.accessible()
    c.run('Spanish by Accept-Language, English by the switch', languages)

    def escaping():
        c.open('/seal/' + valid)
        firm = c.d.find_element(By.ID, 'seal-firm').text
        assert firm == HOSTILE_NAME, firm
        scripts = c.d.execute_script(
            "return Array.from(document.scripts).map((s) => s.src || s.textContent)")
        assert scripts == [r.origin + '/static/proof.js'], scripts
        assert HOSTILE_NAME not in c.d.page_source.replace('&lt;', '?'), 'raw markup in page'
    c.run('a firm named <script>alert(1)</script> shows as text', escaping)

    def json_answers():
        by_accept = r.seal_json(valid)
        assert by_accept['seal']['status'] == 'VALID' and 'proof' not in by_accept, by_accept
        link = '/01/09506000134352/21/%s?linkType=gs1:certificationInfo' % valid.replace('-', '')
        with urllib.request.urlopen(r.origin + link) as answer:
            assert answer.headers['Content-Type'] == 'application/json'
            assert answer.headers['Access-Control-Allow-Origin'] == '*'
            assert json.load(answer)['seal']['code'] == valid
        assert r.seal_json(mistyped)['problem'] == 'MALFORMED'
        with urllib.request.urlopen(r.origin + '/.well-known/gs1resolver') as answer:
            resolver = json.load(answer)
        assert resolver['supportedPrimaryKeys'] == ['gtin'], resolver
    c.run('JSON by Accept and by linkType; the resolver description', json_answers)

    def fetch_same_origin():
        c.open('/')
        answer = c.d.execute_async_script(FETCH_SCRIPT, '/sello.v1.SealService/VerifySeal',
                                          {'codes': [valid]})
        assert answer['status'] == 200, answer
        assert json.loads(answer['body'])['verdicts'][0]['seal']['status'] == 'VALID', answer
    c.run('JSON API by fetch from the page\'s origin', fetch_same_origin)

    def fetch_cross_origin():
        # A page of another origin: another site's server, on another loopback port (our
        # pages' own CSP lets them connect only to their own origin).
        c.d.get(other_site())
        public = c.d.execute_async_script(FETCH_SCRIPT,
                                          r.origin + '/sello.v1.SealService/VerifySeal',
                                          {'codes': [valid]})
        assert public.get('status') == 200, public
        private = c.d.execute_async_script(FETCH_SCRIPT,
                                           r.origin + '/sello.v1.TokenService/WhoAmI', {})
        assert private.get('error'), 'a call needing a token answered another origin: %s' % private
    c.run('JSON API by fetch from another origin (CORS)', fetch_cross_origin)

    def registry_pages():
        c.open('/seal/' + valid + '?lang=en')
        c.d.find_element(By.PARTIAL_LINK_TEXT, 'CSCS version').click()
        wait_for(lambda: '/standard/CSCS%402' in c.d.current_url or
                 '/standard/CSCS@2' in c.d.current_url, 'the standard page')
        assert_in('Pass or fail.', c.d.find_element(By.TAG_NAME, 'main').text)
        c.accessible()
        c.d.find_element(By.PARTIAL_LINK_TEXT, 'changes from version 1').click()
        wait_for(lambda: c.d.find_elements(By.ID, 'diff'), 'the diff')
        assert_in('added', c.d.find_element(By.ID, 'diff').text)
        c.accessible()
        c.open('/certifiers?lang=en')
        assert c.d.find_elements(By.CSS_SELECTOR, 'tbody tr'), 'no accreditation listed'
        c.accessible()
        c.open('/log?lang=es')
        assert int(c.d.find_element(By.ID, 'log-size').text) > 0
        assert c.d.find_element(By.ID, 'log-key').text.count('+') >= 2
        c.accessible()
        c.no_console_errors()
    c.run('standard (rules in words, versions, a diff), certifiers and log pages', registry_pages)

    def sites():
        c.open('/sites?lang=en')
        c.accessible()
        everyone = len(c.d.find_elements(By.CSS_SELECTOR, '#sites tbody tr'))
        assert everyone > 1, everyone
        c.d.find_element(By.ID, 'grade').send_keys('Premium')
        c.d.find_element(By.ID, 'firm').send_keys(HOSTILE_NAME[:7])
        c.d.find_element(By.CSS_SELECTOR, '.search button').click()
        wait_for(lambda: 'firm=' in c.d.current_url, 'the search')
        rows = c.d.find_elements(By.CSS_SELECTOR, '#sites tbody tr')
        assert len(rows) == 1 and HOSTILE_NAME in rows[0].text, [r.text for r in rows]
        rows[0].find_element(By.TAG_NAME, 'a').click()
        wait_for(lambda: '/site/' in c.d.current_url, 'the site page')
        assert_in('Premium', c.d.find_element(By.ID, 'certifications').text)
        c.accessible()
        c.no_console_errors()
    c.run('the register of certified sites: search by grade and firm, a site\'s page', sites)

    def screenshots():
        for width in (360, 1280):
            c.d.set_window_size(width, 1400)
            for name, path in (('home', '/'), ('seal-valid', '/seal/' + valid),
                               ('seal-suspended', '/seal/' + suspended),
                               ('seal-mistyped', '/seal/' + mistyped),
                               ('standard', '/standard/CSCS@2?from=1'), ('sites', '/sites'),
                               ('certifiers', '/certifiers'), ('log', '/log')):
                c.open(path)
                if name == 'seal-valid':
                    c.proof_result()
                overflow = c.d.execute_script(
                    'return document.documentElement.scrollWidth > window.innerWidth')
                assert not overflow, '%s scrolls sideways at %d px' % (name, width)
                c.screenshot('%s-%d' % (name, width))
        c.d.set_window_size(1280, 1000)
    c.run('screenshots at 360 and 1280 px, no sideways scrolling', screenshots)


FETCH_SCRIPT = r"""
const done = arguments[arguments.length - 1];
fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/json'},
                     body: JSON.stringify(arguments[1])})
  .then((r) => r.text().then((body) => done({status: r.status, body})))
  .catch((e) => done({error: String(e)}));
"""


def other_site():
    """Starts (once) a plain web server on a free loopback port: another origin."""
    if not hasattr(other_site, 'url'):
        class Blank(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the library's name)
                body = b'<!DOCTYPE html><title>another site</title><p>another site</p>'
                self.send_response(200)
                self.send_header('Content-Type', 'text/html')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Blank)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        other_site.url = 'http://127.0.0.1:%d/' % server.server_address[1]
    return other_site.url


def assert_in(needle, haystack):
    assert needle in haystack, '%r not in %r' % (needle, haystack)


def issue_expiring_seal(r):
    """Issues one seal that expires in two seconds, on a demo lot with boxes to spare,
    and waits until the registry says it has expired."""
    lots = json.loads(r.sello('--token-file', r.admin_token, '-o', 'json', 'lot', 'list'))['lots']
    for lot in lots:
        # Sealed already (its inspection passed), with room for one more box.
        if not 0 < int(lot.get('sealsIssued', 0)) < int(lot.get('boxCount', 0)):
            continue
        for token in [lot['createdBy'] + '.token']:
            expires = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 3))
            result = subprocess.run(
                [r.args.sello, '--server', r.grpc, '--token-file', os.path.join(r.tokens, token),
                 'seal', 'issue', '--lot', lot['id'], '--count', '1', '--expires', expires],
                capture_output=True, text=True, timeout=60)
            if result.returncode == 0 and result.stdout.strip():
                code = result.stdout.split()[0]
                wait_for(lambda: r.seal_json(code)['seal']['status'] == 'EXPIRED',
                         'the seal to expire')
                return code
    raise AssertionError('no demo lot to issue an expiring seal on')


if __name__ == '__main__':
    sys.exit(main())
