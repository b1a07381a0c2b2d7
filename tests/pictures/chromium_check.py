#!/usr/bin/env python3
"""tcplens's pictures as a browser shows them (issue 18): headless
Chromium loads an HTML report or a standalone SVG from a file:// URL and
the check FAILs on
- any console error or uncaught exception (Runtime.exceptionThrown,
  Runtime.consoleAPICalled error/assert, Log.entryAdded error);
- any request other than the file itself and data: URLs
  (Network.requestWillBeSent): the page must open offline, from a mail
  attachment or a ticket;
- an XML parse error (Chromium shows a <parsererror>);
- a DOM fact that does not hold: every a[href^="#"] names an element id;
  every image and every svg.seq-graph renders with a non-zero size; the
  root renders with a non-zero size; each --count SELECTOR=N matches N
  elements; each --rendered SELECTOR matches at least one element, all
  of non-zero size.
It takes a screenshot (the whole page, or the viewport with --viewport).

Usage:
  chromium_check.py file NAME PATH [--findings N] [--count SEL=N]...
                    [--rendered SEL]... [--screenshot PNG] [--viewport]
  chromium_check.py selftest     fixtures that must pass and must fail
  chromium_check.py lab          tcplens's own output on lab captures
One line per check: "PASS pictures/chromium-NAME" or
"FAIL pictures/chromium-NAME: why".  Without chromium: SKIP (exit 0),
except under CI=true, where it is a FAIL: scripts/deps.sh installs it.
"""
import argparse
import base64
import json
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEBIAN_PYTHON = '/usr/bin/python3'

try:
    import websocket  # noqa: F401  (python3-websocket, Debian's)
except ImportError:
    # A python3 of its own (pyenv, venv) earlier in PATH does not see
    # Debian's modules; the one that does is tried once.
    if (os.path.exists(DEBIAN_PYTHON) and sys.executable != DEBIAN_PYTHON
            and not os.environ.get('TCPLENS_PICTURES_REEXEC')):
        os.environ['TCPLENS_PICTURES_REEXEC'] = '1'
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    websocket = None

sys.path.insert(0, HERE)
if websocket is not None:
    from devtools import (Browser, DevToolsError, TIMEOUT,  # noqa: E402
                          find_chromium)
import pictures_lab  # noqa: E402
import pictures_selftest  # noqa: E402

SUITE = os.environ.get('PICTURES_SUITE', 'pictures')

# Runs in the page after its load; returns the facts as JSON.  args:
# {counts: [selector], rendered: [selector]}.
PAGE_FACTS_JS = r'''
(args => {
  const size = e => { const r = e.getBoundingClientRect();
                      return [Math.round(r.width), Math.round(r.height)]; };
  const zero = e => { const [w, h] = size(e); return w <= 0 || h <= 0; };
  const describe = e => e.localName + (e.id ? '#' + e.id : '') +
                        (e.getAttribute('class') ?
                         '.' + e.getAttribute('class').trim()
                               .split(/\s+/).join('.') : '');
  const root = document.documentElement;
  const facts = {
    root: root ? root.localName : null,
    rootSize: root ? size(root) : [0, 0],
    parseErrors: Array.from(document.getElementsByTagName('parsererror'),
                            e => e.textContent.trim().slice(0, 200)),
    brokenAnchors: [], unrenderedImages: [], unrenderedGraphs: [],
    counts: {}, rendered: {},
  };
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const href = a.getAttribute('href');
    let id = href.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { }
    if (id === '' || !document.getElementById(id))
      facts.brokenAnchors.push(href);
  }
  for (const img of document.querySelectorAll('img'))
    if (!img.complete || img.naturalWidth === 0 || zero(img))
      facts.unrenderedImages.push((img.getAttribute('src') || '')
                                  .slice(0, 80));
  document.querySelectorAll('svg.seq-graph').forEach((g, i) => {
    if (zero(g)) facts.unrenderedGraphs.push(describe(g) + '[' + i + ']');
  });
  for (const sel of args.counts)
    facts.counts[sel] = document.querySelectorAll(sel).length;
  for (const sel of args.rendered) {
    const all = Array.from(document.querySelectorAll(sel));
    facts.rendered[sel] = {matches: all.length,
                           zero: all.filter(zero).map(describe)
                                    .slice(0, 5)};
  }
  return JSON.stringify(facts);
})
'''


def verdict(name, problems, figure=''):
    label = f'{SUITE}/chromium-{name}'
    if problems:
        print(f'FAIL {label}: {problems[0]}', flush=True)
        for p in problems[1:]:
            print(f'    {p}', flush=True)
        return False
    print(f'PASS {label}' + (f' ({figure})' if figure else ''), flush=True)
    return True


def _event_problems(events, page_url):
    """Console errors, exceptions and foreign requests among a page's
    events."""
    problems = []
    for msg in events:
        method, p = msg['method'], msg.get('params', {})
        if method == 'Runtime.exceptionThrown':
            d = p.get('exceptionDetails', {})
            text = d.get('exception', {}).get('description') or d.get('text')
            problems.append(f'uncaught exception: {text}'.split('\n')[0])
        elif (method == 'Runtime.consoleAPICalled'
              and p.get('type') in ('error', 'assert')):
            text = ' '.join(str(a.get('value', a.get('description', '')))
                            for a in p.get('args', []))
            problems.append(f'console.{p["type"]}: {text}'[:200])
        elif (method == 'Log.entryAdded'
              and p.get('entry', {}).get('level') == 'error'):
            e = p['entry']
            problems.append(f'console error ({e.get("source")}): '
                            f'{e.get("text")}'[:200])
        elif method == 'Network.requestWillBeSent':
            url = p.get('request', {}).get('url', '')
            if url != page_url and not url.startswith('data:'):
                problems.append(f'network request: {url[:120]}')
    return problems


def _fact_problems(facts, expect):
    problems = []
    if facts['parseErrors']:
        problems.append(f'XML parse error: {facts["parseErrors"][0]}')
    w, h = facts['rootSize']
    if w <= 0 or h <= 0:
        problems.append(f'<{facts["root"]}> renders {w}x{h}')
    if expect.get('svg') and facts['root'] != 'svg':
        problems.append(f'root element is <{facts["root"]}>, not <svg>')
    if facts['brokenAnchors']:
        problems.append(f'{len(facts["brokenAnchors"])} anchor(s) name no '
                        f'element id: {" ".join(facts["brokenAnchors"][:5])}')
    if facts['unrenderedImages']:
        problems.append('image(s) not rendered: '
                        + ' '.join(facts['unrenderedImages'][:5]))
    if facts['unrenderedGraphs']:
        problems.append('svg.seq-graph with zero size: '
                        + ' '.join(facts['unrenderedGraphs'][:5]))
    for sel, want in expect.get('counts', {}).items():
        got = facts['counts'][sel]
        if got != want:
            problems.append(f'{got} element(s) match {sel!r}, expected {want}')
    for sel in expect.get('rendered', []):
        r = facts['rendered'][sel]
        if r['matches'] == 0:
            problems.append(f'nothing matches {sel!r}')
        elif r['zero']:
            problems.append(f'{sel!r} with zero size: {" ".join(r["zero"])}')
    return problems


def _screenshot(browser, session, path, viewport, facts):
    """A PNG of the viewport, of a standalone SVG's own box, or of the
    whole page."""
    if viewport:
        width, height = browser.width, browser.height
    elif facts['root'] == 'svg':
        width, height = facts['rootSize']
    else:
        size = browser.call('Page.getLayoutMetrics',
                            session=session)['cssContentSize']
        width, height = size['width'], size['height']
    # A bound on the bitmap: a longer page is cut.
    clip = {'x': 0, 'y': 0, 'width': max(1, min(width, 4000)),
            'height': max(1, min(height, 16000)), 'scale': 1}
    shot = browser.call('Page.captureScreenshot',
                        {'format': 'png', 'clip': clip,
                         'captureBeyondViewport': not viewport},
                        session=session)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(base64.b64decode(shot['data']))


def check_page(browser, path, expect, screenshot=None, viewport=False):
    """Loads path and returns its problems ([] when it passes).  expect:
    {counts: {selector: n}, rendered: [selector], svg: bool}."""
    url = 'file://' + urllib.parse.quote(os.path.abspath(path))
    session, target = browser.open_page()
    try:
        for domain in ('Runtime', 'Log', 'Network', 'Page'):
            browser.call(f'{domain}.enable', session=session)
        # --window-size counts the window's frame in headless=new too:
        # the page gets exactly width x height.
        browser.call('Emulation.setDeviceMetricsOverride',
                     {'width': browser.width, 'height': browser.height,
                      'deviceScaleFactor': 1, 'mobile': False},
                     session=session)
        nav = browser.call('Page.navigate', {'url': url}, session=session)
        if nav.get('errorText'):
            return [f'cannot load {path}: {nav["errorText"]}']
        if browser.wait_event(session, 'Page.loadEventFired') is None:
            return [f'no load event in {TIMEOUT:.0f} s']
        browser.settle()
        args = {'counts': list(expect.get('counts', {})),
                'rendered': list(expect.get('rendered', []))}
        res = browser.call('Runtime.evaluate',
                           {'expression': f'({PAGE_FACTS_JS})'
                                          f'({json.dumps(args)})',
                            'returnByValue': True}, session=session)
        if 'exceptionDetails' in res:
            return ['the DOM check script failed: '
                    + res['exceptionDetails'].get('text', '?')]
        facts = json.loads(res['result']['value'])
        if screenshot:
            _screenshot(browser, session, screenshot, viewport, facts)
            # A screenshot beyond the viewport can start lazy loads.
            browser.settle()
        return (_event_problems(browser.events.get(session, []), url)
                + _fact_problems(facts, expect))
    finally:
        browser.close_page(target)
        browser.events.pop(session, None)


def start_browser(name, width=1000, height=600):
    """A Browser with a width x height viewport, or None after a
    SKIP/FAIL line saying why not."""
    ci = os.environ.get('CI') == 'true'
    binary = find_chromium() if websocket is not None else None
    if websocket is None or binary is None:
        missing = ('python3-websocket' if websocket is None else 'chromium')
        why = f'{missing} not installed (scripts/deps.sh test installs it)'
        if ci:
            verdict(name, [why])
            return None
        print(f'SKIP {SUITE}/chromium-{name}: {why}', flush=True)
        return None
    try:
        return Browser(binary, width, height)
    except DevToolsError as e:
        verdict(name, [f'chromium did not start: {e}'])
        return None


def run_checked(browser, name, path, expect, screenshot=None,
                viewport=False, figure=''):
    """check_page with its verdict line; True when it passed."""
    try:
        problems = check_page(browser, path, expect, screenshot, viewport)
    except DevToolsError as e:
        problems = [f'browser: {e}']
    return verdict(name, problems, figure)


def parse_counts(items):
    counts = {}
    for item in items:
        sel, sep, n = item.rpartition('=')
        if not sep or not n.isdigit():
            raise SystemExit(f'--count wants SELECTOR=N, not {item!r}')
        counts[sel] = int(n)
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='mode', required=True)
    one = sub.add_parser('file', help='check one HTML or SVG file')
    one.add_argument('name')
    one.add_argument('path')
    one.add_argument('--findings', type=int,
                     help='expected number of .finding elements')
    one.add_argument('--count', action='append', default=[],
                     metavar='SELECTOR=N')
    one.add_argument('--rendered', action='append', default=[],
                     metavar='SELECTOR')
    one.add_argument('--screenshot', metavar='PNG')
    one.add_argument('--viewport', action='store_true',
                     help='screenshot the viewport only, not the page')
    one.add_argument('--window', default='1000x600', metavar='WxH')
    sub.add_parser('selftest', help='fixtures that must pass and fail')
    lab = sub.add_parser('lab', help="tcplens's output on lab captures")
    lab.add_argument('--out', default='build/pictures',
                     help='where outputs and screenshots go')
    a = ap.parse_args()

    if a.mode == 'selftest':
        return pictures_selftest.run(sys.modules[__name__])
    if a.mode == 'lab':
        return pictures_lab.run(sys.modules[__name__], a.out)

    expect = {'counts': parse_counts(a.count), 'rendered': a.rendered,
              'svg': a.path.endswith('.svg')}
    if a.findings is not None:
        expect['counts']['.finding'] = a.findings
    w, _, h = a.window.partition('x')
    if not (w.isdigit() and h.isdigit()):
        raise SystemExit(f'--window wants WxH, not {a.window!r}')
    browser = start_browser(a.name, int(w), int(h))
    if browser is None:
        return 1 if os.environ.get('CI') == 'true' else 0
    try:
        ok = run_checked(browser, a.name, a.path, expect, a.screenshot,
                         a.viewport)
    finally:
        browser.close()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
