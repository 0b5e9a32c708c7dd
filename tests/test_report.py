"""`vnpipe report`: one self-contained HTML page about a run, checked as HTML and for what it says;
the slow test opens it in a real headless browser (Debian's chromium)."""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.outputs.report import gather, render, write_report

from conftest import ROOT, SAMPLE

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictHTML(HTMLParser):
    """Every element closed, in order (browsers forgive, but a page that needs forgiving is
    read differently by each of them); the src and href of every element collected."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.links, self.doctype, self.tags = [], [], None, []

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [(tag, value) for name, value in attrs if name in ("src", "href", "xlink:href")]
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [(tag, value) for name, value in attrs if name in ("src", "href", "xlink:href")]

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def parsed(page: str) -> StrictHTML:
    parser = StrictHTML()
    parser.feed(page)
    parser.close()
    assert parser.doctype == "DOCTYPE html" and parser.open == []
    return parser


@pytest.fixture(scope="module")
def sample_report(sample_run, tmp_path_factory):
    path = write_report(sample_run, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")


def test_the_sample_report_is_valid_html_with_charts(sample_report):
    page = parsed(sample_report)
    # documents per folder and the top keywords as bars; languages, boilerplate and labels as shares
    assert re.findall(r'<svg class="chart (\w+)"', sample_report) == ["bar", "share", "share", "share", "bar"]
    assert page.tags.count("article") == 6  # six documents up close
    assert '<meta charset="utf-8">' in sample_report and "<title>vnpipe report:" in sample_report


def test_the_sample_report_says_what_is_in_the_run(sample_run, sample_report):
    report = gather(sample_run)
    assert report.counts == {"read": 11, "errors": 0, "analysed": 11, "last_stage": "keywords", "groups": 2,
                             "duplicates": 0, "exact_duplicates": 0, "clusters": 0, "restored": 3}
    assert report.groups[["group", "documents"]].values.tolist() == [["kinh-te", 6], ["tin-cong-nghe", 5]]
    entities = pipeline.read_stage(sample_run, "ner", shape="items")
    assert report.labels.set_index("label")["mentions"].to_dict() == entities["label"].value_counts().to_dict()
    people = report.top_entities["PER"].set_index("canonical")
    assert people.loc["Sam Altman", ["documents", "mentions"]].tolist() == [1, 2]
    assert people.loc["Sam Altman", "aliases"] == ["Altman"]  # the other way it is written
    assert report.top_entities["ORG"]["canonical"].head(2).tolist() == ["VinFast", "OpenAI"]  # in 2 documents each, the most mentions
    assert report.boilerplate["documents"] == 2 and report.languages == {"vi": 11}
    assert report.trend is None and report.dated == 1  # one date: no trend
    # what a reader sees: the counts, the names, the boilerplate lines, the stages' settings
    text = " ".join(re.sub(r"<[^>]+>", " ", sample_report).split())
    for shown in ("11 documents read", "No document failed.", "No duplicates among 11 documents.",
                  "Sam Altman", "Altman", "Trương Gia Bình", "Hiệp hội Cà phê Ca cao Việt Nam", "doanh nghiệp",
                  "Bạn cũng có thể thích", "related_header", "1 of 11 documents have a date",
                  "OpenAI và Nvidia công bố thỏa thuận hạ tầng trị giá 100 tỷ USD", "tone_style=classic"):
        assert shown in text, shown
    # entities highlighted as displaCy does, with the canonical name where the text differs
    assert '<mark class="ent PER" title="Sam Altman">Altman<span>PER</span></mark>' in sample_report


def test_the_report_fetches_nothing(sample_report):
    page = parsed(sample_report)
    assert not {"script", "link", "img", "iframe", "object"} & set(page.tags)
    assert "url(" not in sample_report and "@import" not in sample_report
    # the only links: the page's own sections (and a document's own source, which the sample has not)
    assert {value for _, value in page.links} == {"#overview", "#entities", "#keywords", "#documents", "#settings"}


def test_a_document_links_to_its_own_source(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.jsonl").write_text(json.dumps(
        {"text": "Sam Altman gặp Jensen Huang tại Hà Nội.", "url": "https://example.vn/tin/1"}) + "\n",
        encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", progress=False)
    page = parsed(render(gather(tmp_path / "run")))
    assert [value for tag, value in page.links if value.startswith("http")] == ["https://example.vn/tin/1"]


def test_errors_and_duplicates_are_listed(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "tin").mkdir(parents=True)
    article = "Ngân hàng Vietcombank giảm lãi suất cho vay từ tháng sau, theo thông báo của ngân hàng hôm nay."
    (corpus / "tin" / "a.txt").write_text(f"Lãi suất giảm\n{article}\n", encoding="utf-8")
    (corpus / "tin" / "b.txt").write_text(f"Lãi suất giảm\n{article}\n", encoding="utf-8")
    (corpus / "bad.jsonl").write_text('{"text": "FPT"}\n{oops\n', encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", progress=False)
    report = gather(tmp_path / "run")
    assert (report.counts["errors"], report.counts["duplicates"], report.counts["exact_duplicates"]) == (1, 1, 1)
    assert report.errors[["stage", "documents", "example"]].values.tolist() == [["ingest", 1, "bad.jsonl"]]
    assert report.clusters[["size", "title", "source"]].values.tolist() == [[2, "Lãi suất giảm", "tin/a.txt"]]
    assert report.groups.set_index("group")[["documents", "duplicates", "errors"]].to_dict("index") == {
        "tin": {"documents": 2, "duplicates": 1, "errors": 0},
        "(top folder)": {"documents": 1, "duplicates": 0, "errors": 1}}
    page = render(report)
    parsed(page)
    assert "line 2 is not valid JSON" in page and "1 documents copy an earlier one (1 exactly)" in page


def test_tags_are_counted(sample_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(sample_run, run)
    rules = tmp_path / "rules.yaml"
    rules.write_text("ai:\n  entities: [OpenAI, Nvidia]\n  regex: ['AI']\npeople:\n  labels: [PER]\n", encoding="utf-8")
    pipeline.run(None, run, pipeline.RunSettings(keywords=pipeline.STAGES["keywords"].Settings(tag_rules=str(rules))),
                 only="keywords", progress=False)
    tags = pipeline.read_stage(run, "keywords", shape="documents")["tags"]
    documents = {tag: sum(any(t["tag"] == tag for t in row) for row in tags) for tag in ("ai", "people")}
    report = gather(run)
    assert report.tags.set_index("tag")["documents"].to_dict() == documents
    assert "No tags" not in render(report)


def test_a_run_stopped_early_says_what_it_lacks(tmp_path):
    pipeline.run(SAMPLE, tmp_path / "run", until="normalize", progress=False)
    report = gather(tmp_path / "run")
    assert (report.counts["analysed"], report.counts["last_stage"]) == (11, "normalize")
    page = render(report)
    parsed(page)
    assert "No entities: the ner stage has not run" in page and "The dedup stage has not run." in page
    assert len(report.documents) == 6 and all(not document["entities"] for document in report.documents)


def test_names_and_keywords_over_time(tmp_path):
    """Dated documents give a trend per day (the span is under 45 days) and the rising keywords of
    the latest day; grouped by a metadata field."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    earlier = "Ngân hàng Vietcombank giữ lãi suất. Vietcombank cho biết lãi suất ổn định tại Hà Nội."
    latest = "VinFast mở nhà máy ô tô điện. VinFast bán ô tô điện tại Hà Nội và Ấn Độ."
    records = [{"text": earlier, "date": f"2025-03-0{day}", "topic": "ngan-hang"} for day in (1, 2, 3)]
    records += [{"text": latest, "date": "2025-03-05", "topic": "o-to"} for _ in range(3)]
    (corpus / "news.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                       encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", progress=False)  # the copies are duplicates, and analysed all the same
    report = gather(tmp_path / "run", by="topic")
    assert report.period == "day" and report.dated == 6
    assert report.timeline.values.tolist() == [["2025-03-01", 1], ["2025-03-02", 1], ["2025-03-03", 1],
                                               ["2025-03-05", 3]]
    trend = report.trend.set_index(["period", "name"])["documents"]
    assert trend[("2025-03-05", "VinFast")] == 3 and trend[("2025-03-01", "Vietcombank")] == 1
    assert report.latest_period == "2025-03-05" and report.rising["term"].iloc[0] == "VinFast"
    assert report.rising.iloc[0][["latest", "earlier"]].tolist() == [3, 0]
    assert sorted(report.groups["group"]) == ["ngan-hang", "o-to"]
    page = parsed(render(report))
    assert page.tags.count("polyline") == len(set(report.trend["name"]))


def test_vnpipe_report_writes_the_page(sample_run, tmp_path):
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["report", str(sample_run), "--out", str(out), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"wrote {re.escape(str(out))} \(\d+ kB\)\n", result.stderr)
    assert len(gather(sample_run, top=3).top_entities["LOC"]) == 3
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "is not a vnpipe run" in " ".join(result.stderr.split())


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND",  # a page that fetched anything would fail to
                  "--enable-logging=stderr", "--v=0"]        # and console messages go to stderr


@pytest.mark.slow
def test_the_report_renders_in_a_headless_browser(sample_run, tmp_path):
    """Debian's chromium (`.ci/run` installs it) opens the sample's report from disk: the page
    renders with its charts, logs nothing to the console, and a screenshot is taken."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium: apt-get install -y chromium")
    page = write_report(sample_run, tmp_path / "report.html")

    def chromium(*arguments: str) -> subprocess.CompletedProcess:
        profile = tmp_path / f"profile-{arguments[0].lstrip('-').split('=')[0]}"  # a fresh profile each time
        return subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments, page.as_uri()],
                              capture_output=True, text=True, timeout=120)

    dom = chromium("--dump-dom")
    assert dom.returncode == 0, dom.stderr
    assert len(re.findall(r'<svg class="chart ', dom.stdout)) == 5
    assert dom.stdout.count("<article>") == 6 and 'class="ent PER"' in dom.stdout
    assert [line for line in dom.stderr.splitlines() if ":CONSOLE" in line] == []
    screenshot = tmp_path / "report.png"
    shot = chromium(f"--screenshot={screenshot}", "--window-size=1280,2400")
    assert shot.returncode == 0, shot.stderr
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 50_000
    assert [line for line in shot.stderr.splitlines() if ":CONSOLE" in line] == []
    (ROOT / "runs").mkdir(exist_ok=True)
    shutil.copy(screenshot, ROOT / "runs" / "report.png")  # to look at (docs/report.png is one such)


# The page in a 420 px frame (headless chromium's windows are at least 500 px wide); the frame's
# document is measured from the harness (file pages may read each other with the flag below).
HARNESS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" src="report.html" style="width:420px;height:900px;border:0"></iframe>
<script>
document.getElementById("phone").addEventListener("load", () => {
  const page = document.getElementById("phone").contentDocument;
  const view = page.defaultView;
  let smallest = 1e9;
  for (const svg of page.querySelectorAll("svg.chart")) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text"))
      smallest = Math.min(smallest, parseFloat(view.getComputedStyle(text).fontSize) * scale);
  }
  document.body.setAttribute("data-measured", JSON.stringify({page: page.documentElement.scrollWidth,
    screen: view.innerWidth, text: smallest}));
});
</script></body></html>"""


@pytest.mark.slow
def test_the_report_fits_a_phone_screen(tmp_path):
    """At 420 px, the page is no wider than the screen (tables and charts scroll inside their own
    box) and the smallest text of a chart is 10 px or more. The run has long names, a pair chart,
    a timeline and a wide table: what a real run's report has."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium: apt-get install -y chromium")
    corpus = tmp_path / "corpus"
    (corpus / "thoi-su-trong-nuoc-va-quoc-te").mkdir(parents=True)
    lines = []
    for day in range(1, 8):
        text = (f"Tập đoàn Công nghiệp Viễn thông Quân đội và Ngân hàng Thương mại Cổ phần Ngoại thương Việt Nam "
                f"ký thỏa thuận hợp tác ngày {day}/5/2017 tại Thành phố Hồ Chí Minh. Ông Nguyễn Văn Bình và bà "
                f"Christine Lagarde dự lễ ký. https://example.com/tin-tuc/mot-duong-dan-rat-dai-khong-co-cho-ngat-{day}")
        lines.append(json.dumps({"text": text, "date": f"2017-05-{day:02d}"}, ensure_ascii=False))
    (corpus / "thoi-su-trong-nuoc-va-quoc-te" / "tin.jsonl").write_text("\n".join(lines), encoding="utf-8")
    pipeline.run(corpus, tmp_path / "run", pipeline.RunSettings(workers=1), progress=False)
    write_report(tmp_path / "run", tmp_path / "report.html")
    (tmp_path / "harness.html").write_text(HARNESS, encoding="utf-8")
    result = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                             "--allow-file-access-from-files", "--window-size=800,1000", "--virtual-time-budget=5000",
                             "--dump-dom", (tmp_path / "harness.html").as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    measured = json.loads(re.search(r'data-measured="([^"]+)"', result.stdout).group(1).replace("&quot;", '"'))
    assert measured["screen"] == 420
    assert measured["page"] <= measured["screen"], measured
    assert measured["text"] >= 10, measured
