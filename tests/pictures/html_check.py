#!/usr/bin/env python3
"""tcplens report -F html: a page that opens offline and says what report says.

On lab captures with known trouble, the page must be:
  - well-formed XML (xmllint --noout) and parse as HTML with no error
    but libxml2's HTML 4 parser not knowing HTML5 and SVG element names
    (xmllint --html --noout);
  - one element class="finding" per finding of report -F json;
  - anchors that resolve: every href="#x" names an id on the page;
  - self-contained: no src or href to another site ("http://",
    "https://", "//"), no <script src>, no <link>, no url() in a style;
  - from standard input, without graphs and saying why.
The bench capture's page (bench/work/bench.pcap, when there) stays under
5 MB.  Prints "PASS pictures/NAME" or "FAIL pictures/NAME: why" per check,
"SKIP ..." when a capture is missing.  TCPLENS names the binary.
"""
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TCPLENS = os.environ.get("TCPLENS", os.path.join(ROOT, "build", "tcplens"))
CAPTURES = ["testdata/lab/bulk_loss.pcap", "testdata/lab/close_wait_leak.pcap"]
BENCH = "bench/work/bench.pcap"
BENCH_MAX = 5 * 1000 * 1000
# Elements libxml2's HTML parser (HTML 4) calls invalid that HTML5 has.
HTML5_AND_SVG = {
    "section", "details", "summary", "svg", "g", "path", "rect", "line",
    "polyline", "polygon", "circle", "text", "tspan", "title", "defs",
    "clippath", "use", "marker", "pattern", "lineargradient", "stop",
    "desc", "symbol", "ellipse", "style",
}
failed = 0


def verdict(name, why):
    global failed
    if why:
        failed += 1
        print(f"FAIL pictures/{name}: {why}")
    else:
        print(f"PASS pictures/{name}")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.external = [], [], []
        self.findings = 0
        self.finding_ids = []
        self.graphs = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        classes = (a.get("class") or "").split()
        if "finding" in classes:
            self.findings += 1
            self.finding_ids.append(a.get("id"))
        if tag == "svg" and "seq-graph" in classes:
            self.graphs += 1
        for key in ("href", "src", "xlink:href", "action", "srcset"):
            v = a.get(key)
            if v is None:
                continue
            if key == "href" and v.startswith("#"):
                self.hrefs.append(v[1:])
            elif re.match(r"\s*(https?:)?//", v, re.I) or ":" in v.split("/")[0]:
                self.external.append(f"{tag} {key}={v}")
        if tag == "script" and "src" in a:
            self.external.append("script src")
        if tag == "link":
            self.external.append("link element")
        if re.search(r"url\s*\(", a.get("style") or "", re.I):
            self.external.append("url() in a style attribute")

    handle_startendtag = handle_starttag


def tcplens(*args, stdin=None):
    return subprocess.run([TCPLENS, *args], stdin=stdin, capture_output=True,
                          env=dict(os.environ, TCPLENS_CONFIG="/dev/null"))


def xmllint_html_errors(path):
    out = subprocess.run(["xmllint", "--html", "--noout", path],
                         capture_output=True, text=True)
    bad = []
    for line in (out.stdout + out.stderr).splitlines():
        m = re.search(r"HTML parser error : (.*)", line)
        if not m:
            continue
        tag = re.fullmatch(r"Tag (\S+) invalid", m.group(1))
        if tag and tag.group(1).lower() in HTML5_AND_SVG:
            continue
        bad.append(m.group(1))
    return bad


def check_page(name, page, expect_findings, expect_graphs):
    with tempfile.NamedTemporaryFile(suffix=".html", delete=False) as f:
        f.write(page)
        path = f.name
    try:
        xml = subprocess.run(["xmllint", "--noout", path], capture_output=True,
                             text=True)
        verdict(f"{name}/well-formed",
                None if xml.returncode == 0 else xml.stderr.strip()[:300])
        bad = xmllint_html_errors(path)
        verdict(f"{name}/xmllint-html", "; ".join(bad[:3]) if bad else None)
    finally:
        os.unlink(path)
    p = Page()
    p.feed(page.decode("utf-8"))
    verdict(f"{name}/finding-count", None if p.findings == expect_findings
            else f"{p.findings} class=\"finding\" elements, report -F json has {expect_findings}")
    want_ids = [f"finding-{i}" for i in range(1, expect_findings + 1)]
    verdict(f"{name}/finding-ids", None if p.finding_ids == want_ids
            else f"ids {p.finding_ids[:5]}, not finding-1..{expect_findings}")
    dup = sorted({i for i in p.ids if p.ids.count(i) > 1})
    verdict(f"{name}/unique-ids", f"ids twice: {dup[:5]}" if dup else None)
    missing = sorted(set(h for h in p.hrefs if h not in set(p.ids)))
    verdict(f"{name}/anchors", f"href to no id: {missing[:5]}" if missing
            else None if p.hrefs else "no anchor at all")
    verdict(f"{name}/self-contained",
            "; ".join(p.external[:3]) if p.external else None)
    if expect_graphs:
        verdict(f"{name}/graphs", None if p.graphs > 0
                else "no <svg class=\"seq-graph\">")
    return p


def main():
    os.chdir(ROOT)
    for cap in CAPTURES:
        name = os.path.splitext(os.path.basename(cap))[0]
        if not os.path.exists(cap):
            print(f"SKIP pictures/{name}: {cap} missing")
            continue
        doc = tcplens("report", "-F", "json", cap)
        page = tcplens("report", "-F", "html", cap)
        if doc.returncode != 0 or page.returncode != 0:
            verdict(name, f"exit {doc.returncode}/{page.returncode}: "
                    f"{page.stderr.decode(errors='replace')[:200]}")
            continue
        n = len(json.loads(doc.stdout)["findings"])
        check_page(name, page.stdout, n, expect_graphs=True)
        with open(cap, "rb") as f:
            piped = tcplens("report", "-F", "html", "-", stdin=f)
        p = check_page(f"{name}-stdin", piped.stdout, n, expect_graphs=False)
        said = b"Time-sequence graphs left out" in piped.stdout
        verdict(f"{name}-stdin/graphs-left-out",
                None if said and p.graphs == 0 and piped.returncode == 0
                else f"exit {piped.returncode}, {p.graphs} graphs, "
                     f"says why: {said}")
    if not os.path.exists(BENCH):
        print(f"SKIP pictures/bench-size: {BENCH} missing (make bench makes it)")
    else:
        page = tcplens("report", "-F", "html", BENCH)
        verdict("bench-size", f"exit {page.returncode}" if page.returncode
                else None if len(page.stdout) < BENCH_MAX
                else f"{len(page.stdout)} bytes, over {BENCH_MAX}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
