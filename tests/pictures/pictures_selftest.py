"""The checker checked: hand-written fixtures (fixtures/report.html with
the report's hooks, fixtures/tsg.svg with three R marks) must pass, and
each fault put into them must fail with its reason.  A checker that let
an external image or a console.error through would pass everything.

Each faulty page is the fixture with one snippet put before its closing
</body> or </svg> (or a replacement), written to a temporary directory.
"""
import os
import shutil
import tempfile

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'fixtures')
REPORT_FACTS = {'counts': {'.finding': 2}, 'rendered': ['svg.seq-graph']}
TSG_FACTS = {'counts': {'.mark.retrans': 3}, 'svg': True}

# name, fixture, (old, new) edit or None, facts, the failure's reason
# (None: must pass).
CASES = [
    ('report-ok', 'report.html', None, REPORT_FACTS, None),
    ('tsg-ok', 'tsg.svg', None, TSG_FACTS, None),
    ('report-external-img', 'report.html',
     ('</body>', '<img src="http://192.0.2.1/logo.png" alt="">\n</body>'),
     REPORT_FACTS, 'network request: http://192.0.2.1/logo.png'),
    ('report-external-css', 'report.html',
     ('</head>', '<link rel="stylesheet" href="https://cdn.example/x.css">'
                 '\n</head>'),
     REPORT_FACTS, 'network request: https://cdn.example/x.css'),
    ('report-other-file', 'report.html',
     ('</body>', '<img src="tsg.svg" alt="">\n</body>'),
     REPORT_FACTS, 'network request: file://'),
    ('report-console-error', 'report.html',
     ('</body>', '<script>console.error("graph data missing")</script>'
                 '\n</body>'),
     REPORT_FACTS, 'console.error: graph data missing'),
    ('report-exception', 'report.html',
     ('</body>', '<script>undefinedFunction()</script>\n</body>'),
     REPORT_FACTS, 'uncaught exception: ReferenceError'),
    ('report-broken-anchor', 'report.html',
     ('</body>', '<a href="#conn-Cnowhere">gone</a>\n</body>'),
     REPORT_FACTS, 'anchor(s) name no element id: #conn-Cnowhere'),
    ('report-zero-size-graph', 'report.html',
     ('width="400" height="200" viewBox="0 0 400 200">\n<rect x="100"',
      'width="0" height="0" viewBox="0 0 400 200">\n<rect x="100"'),
     REPORT_FACTS, 'svg.seq-graph with zero size'),
    ('report-finding-count', 'report.html', None,
     {'counts': {'.finding': 3}}, "2 element(s) match '.finding', expected 3"),
    ('tsg-retrans-count', 'tsg.svg', None,
     {'counts': {'.mark.retrans': 4}, 'svg': True},
     "3 element(s) match '.mark.retrans', expected 4"),
    ('tsg-no-zero-window', 'tsg.svg', None,
     {'rendered': ['.mark.zero-window'], 'svg': True},
     "nothing matches '.mark.zero-window'"),
    ('tsg-external-image', 'tsg.svg',
     ('</svg>', '<image href="http://192.0.2.1/bg.png" width="9" height="9"/>'
                '\n</svg>'),
     TSG_FACTS, 'network request: http://192.0.2.1/bg.png'),
    ('tsg-malformed', 'tsg.svg', ('</svg>', '<g>\n</svg>'),
     TSG_FACTS, 'XML parse error'),
]


def _write_case(tmp, fixture, edit):
    src = os.path.join(FIXTURES, fixture)
    if edit is None:
        return src
    with open(src) as f:
        text = f.read()
    old, new = edit
    if text.count(old) != 1:
        raise RuntimeError(f'{fixture}: {old!r} is not there exactly once')
    # report-other-file loads the SVG beside the page.
    shutil.copy(os.path.join(FIXTURES, 'tsg.svg'), tmp)
    path = os.path.join(tmp, fixture)
    with open(path, 'w') as f:
        f.write(text.replace(old, new))
    return path


def run(check):
    """check: the chromium_check module.  0 when every case behaved."""
    browser = check.start_browser('selftest')
    if browser is None:
        return 1 if os.environ.get('CI') == 'true' else 0
    failed = 0
    tmp = tempfile.mkdtemp(prefix='tcplens-pictures-')
    try:
        for name, fixture, edit, facts, reason in CASES:
            case_dir = os.path.join(tmp, name)
            os.mkdir(case_dir)
            path = _write_case(case_dir, fixture, edit)
            try:
                problems = check.check_page(browser, path, facts)
            except check.DevToolsError as e:
                problems = [f'browser: {e}']
            if reason is None:
                ok = not problems
                why = problems
            else:
                ok = any(reason in p for p in problems)
                why = ([f'expected a failure "{reason}", got: '
                        + ('; '.join(problems) or 'a pass')])
            if not check.verdict(f'selftest-{name}', [] if ok else why,
                                 figure=(problems[0] if reason and ok
                                         else '')):
                failed += 1
    finally:
        browser.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0
