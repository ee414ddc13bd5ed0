#!/usr/bin/python3
"""sello seal labels, end to end: a certifier issues 30 seals, prints their labels as PDF
(A4 3x8, GS1 Digital Link URIs) and SVG (Letter 3x10, /seal/CODE), every QR code of every
sheet is decoded with a real decoder (zbarimg, after pdftoppm or rsvg-convert) and must be
exactly the URL of one of the seals, each once; and a decoded URL, opened, is the seal's
page saying it is valid.

Usage: labels_test.py --sellod PATH --sello PATH --demo DIR --artefacts DIR
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from pages_browser_test import Registry

GTIN = '09506000134352'


def decode(images):
    urls = []
    for image in images:
        result = subprocess.run(['zbarimg', '-q', '--raw', image], capture_output=True,
                                text=True, timeout=120)
        urls += [line for line in result.stdout.splitlines() if line]
    return urls


def main():
    parser = argparse.ArgumentParser()
    for flag in ('--sellod', '--sello', '--demo', '--artefacts'):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    os.makedirs(args.artefacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix='sello-labels-')
    registry = None
    passed = failed = 0
    try:
        registry = Registry(args, work)
        lots = json.loads(registry.sello('--token-file', registry.admin_token, '-o', 'json',
                                         'lot', 'list'))['lots']
        # A lot already sealed (its inspection passed) with room for 30 more boxes.
        lot = next(lot for lot in lots if int(lot.get('sealsIssued', 0)) > 0 and
                   int(lot.get('boxCount', 0)) - int(lot.get('sealsIssued', 0)) >= 30)
        certifier = ('--token-file', os.path.join(registry.tokens, lot['createdBy'] + '.token'))
        codes = registry.sello(*certifier, 'seal', 'issue', '--lot', lot['id'], '--count', '30',
                               '--request-id', 'labels-test').split()
        assert len(codes) == 30, codes
        issuances = json.loads(registry.sello(*certifier, '-o', 'json', 'seal', 'issuances',
                                              '--lot', lot['id']))['issuances']
        issuance = next(i['id'] for i in issuances if i.get('requestId') == 'labels-test')
        base = registry.origin

        def check(name, body):
            nonlocal passed, failed
            try:
                body()
                passed += 1
                print('PASS', name, flush=True)
            except Exception as error:  # noqa: BLE001 (reported, then the next check runs)
                failed += 1
                print('FAIL', name, '--', error, flush=True)

        def pdf_digital_links():
            pdf = os.path.join(work, 'labels.pdf')
            registry.sello(*certifier, 'seal', 'labels', '--issuance', issuance, '--base-url',
                           base + '/', '--gtin', GTIN, '--format', 'pdf', '--out', pdf)
            subprocess.run(['pdftoppm', '-r', '300', '-png', pdf, os.path.join(work, 'a4')],
                           check=True, timeout=120)
            pages = sorted(glob.glob(os.path.join(work, 'a4-*.png')))
            assert len(pages) == 2, 'A4 3x8: 30 labels are 2 sheets, got %d' % len(pages)
            shutil.copy(pages[0], os.path.join(args.artefacts, 'labels-a4-page1.png'))
            expected = sorted('%s/01/%s/10/%s/21/%s' % (base, GTIN, lot['id'], c.replace('-', ''))
                              for c in codes)
            assert sorted(decode(pages)) == expected, 'decoded %s' % sorted(decode(pages))
            # The URL a phone would open shows the seal's page.
            with urllib.request.urlopen(expected[0]) as answer:
                page = answer.read().decode()
            assert 'data-verdict="valid"' in page, page[:2000]
        check('PDF, A4 3x8, GS1 Digital Link: every QR code decodes to its seal\'s URL',
              pdf_digital_links)

        def svg_seal_urls():
            svg = os.path.join(work, 'labels.svg')
            registry.sello(*certifier, 'seal', 'labels', '--issuance', issuance, '--base-url',
                           base, '--format', 'svg', '--layout', 'letter-3x10', '--out', svg)
            assert not os.path.exists(os.path.join(work, 'labels-2.svg')), 'one sheet expected'
            png = os.path.join(work, 'letter.png')
            subprocess.run(['rsvg-convert', '--dpi-x', '300', '--dpi-y', '300', '-o', png, svg],
                           check=True, timeout=120)
            shutil.copy(png, os.path.join(args.artefacts, 'labels-letter.png'))
            expected = sorted('%s/seal/%s' % (base, c) for c in codes)
            assert sorted(decode([png])) == expected, 'decoded %s' % sorted(decode([png]))
            with urllib.request.urlopen(expected[-1]) as answer:
                assert 'data-verdict="valid"' in answer.read().decode()
        check('SVG, Letter 3x10, /seal/CODE: every QR code decodes to its seal\'s URL',
              svg_seal_urls)

        def refusals():
            bad = subprocess.run([args.sello, '--server', registry.grpc, *certifier, 'seal',
                                  'labels', '--issuance', issuance, '--base-url', base,
                                  '--gtin', '09506000134353', '--out',
                                  os.path.join(work, 'x.pdf')],
                                 capture_output=True, text=True, timeout=60)
            assert bad.returncode != 0 and 'check digit' in bad.stderr, bad.stderr
            anonymous = subprocess.run([args.sello, '--server', registry.grpc, 'seal', 'labels',
                                        '--issuance', issuance, '--base-url', base, '--out',
                                        os.path.join(work, 'y.pdf')],
                                       capture_output=True, text=True, timeout=60)
            assert anonymous.returncode != 0, 'an anonymous caller listed the seals'
            assert not os.path.exists(os.path.join(work, 'y.pdf'))
        check('a wrong GTIN check digit and an anonymous caller are refused', refusals)
    finally:
        if registry is not None:
            registry.stop()
        shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
