"""Public job pages without signing in: listing, search and filters, the announcement page with its
state, share links and preview metadata, the Atom feed, and the public base URL setting."""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from pydantic import ValidationError

from archive_api.context import reset_archive
from archive_api.settings import Settings, reset_settings
from archive_api.timeutil import utcnow
from tests.recruitment import test_announcements_fixtures as support
from tests.recruitment import test_applicant_fixtures as applicants
from tests.web import conftest as web
from tests.web.pages import arabic

app = web.app
new_client = web.new_client
client = web.client
gpc = support.gpc
make_announcement = support.make_announcement
make_applicant = applicants.make_applicant
applicant_browser = applicants.applicant_browser
signed_in = applicants.signed_in
fresh_throttles = applicants.fresh_throttles

ATOM = "{http://www.w3.org/2005/Atom}"


class MetaTags(HTMLParser):
    """Collects <meta property|name=... content=...> tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "content" in attributes:
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.values[key] = attributes["content"]


def _meta(page: str) -> dict[str, str]:
    parser = MetaTags()
    parser.feed(page)
    return parser.values


def _parse_feed(content: bytes) -> ElementTree.Element:
    # The document comes from the application under test, not from an outside source.
    return ElementTree.fromstring(content)  # noqa: S314


def _cards(page: str) -> list[str]:
    return re.findall(r'<a href="/jobs/(\d+)" dir="auto">', page)


@pytest.fixture
def jobs(make_announcement) -> dict[str, int]:
    now = utcnow()
    return {
        "open": make_announcement(number="1/2026", title_ar="مهندس مدني", governorate="gaza", degree_level="master"),
        "upcoming": make_announcement(number="2/2026", title_ar="أخصائية تغذية", governorate="hebron",
                                      opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=20),
                                      degree_level="diploma", description="متابعة برامج التغذية في المدارس"),
        "ended": make_announcement(number="3/2026", title_ar="سائق", opens_at=now - timedelta(days=30),
                                   closes_at=now - timedelta(days=2), degree_level="secondary"),
        "closed": make_announcement(number="4/2026", title_ar="محاسب", state="closed"),
        "draft": make_announcement(number="5/2026", title_ar="مسودة سرية", state="draft"),
    }


# --- listing -------------------------------------------------------------------------------------


def test_listing_open_to_visitors(client, jobs):
    response = client.get("/jobs")

    assert response.status_code == 200
    assert sorted(int(number) for number in _cards(response.text)) == sorted(
        jobs[name] for name in ("open", "upcoming", "ended", "closed"))
    assert "مسودة سرية" not in response.text
    assert arabic("Jobs found: %(total)d", total=4) in response.text


def test_listing_states(client, jobs):
    page = client.get("/jobs").text

    assert page.count('class="job-state job-state-open"') == 1
    assert page.count('class="job-state job-state-upcoming"') == 1
    assert page.count('class="job-state job-state-closed"') == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "مهندس"}, ["open"]),
        ({"q": "المهندس المدني"}, ["open"]),
        ({"q": "اخصائيه"}, ["upcoming"]),
        ({"q": "التغذيه المدارس"}, ["upcoming"]),
        ({"q": "وزاره الصحه"}, ["open", "upcoming", "ended", "closed"]),
        ({"q": "Accountant"}, ["open", "upcoming", "ended", "closed"]),
        ({"q": "2/2026"}, ["upcoming"]),
        ({"q": "طيار"}, []),
        ({"governorate": "hebron"}, ["upcoming"]),
        ({"degree": "bachelor"}, ["upcoming", "ended", "closed"]),
        ({"degree": "secondary"}, ["ended"]),
        ({"ministry": "MOH"}, ["open", "upcoming", "ended", "closed"]),
        ({"open": "1"}, ["open"]),
        ({"open": "1", "q": "سائق"}, []),
    ],
)
def test_listing_filters(client, jobs, query, expected):
    response = client.get("/jobs", params=query)

    assert response.status_code == 200
    assert sorted(int(number) for number in _cards(response.text)) == sorted(jobs[name] for name in expected)


@pytest.mark.parametrize(
    ("query", "msgid", "params"),
    [
        ({"governorate": "tel_aviv"}, "Governorate %(value)r is unknown; choose one from the list.",
         {"value": "tel_aviv"}),
        ({"degree": "phd"}, "Degree level %(value)r is unknown; choose one from the list.", {"value": "phd"}),
        ({"ministry": "NOPE"}, "Ministry %(value)r has no published jobs; choose one from the list.",
         {"value": "NOPE"}),
        ({"open": "yes"}, "The open-now filter %(value)r is invalid; tick the box or leave it empty.",
         {"value": "yes"}),
        ({"page": "0"}, "The page number %(value)r is invalid; use 1 or more.", {"value": "0"}),
        ({"page": "two"}, "The page number %(value)r is invalid; use 1 or more.", {"value": "two"}),
        ({"page": "٢"}, "The page number %(value)r is invalid; use 1 or more.", {"value": "٢"}),
        ({"q": "و" * 201}, "The search has %(length)d characters; use at most %(maximum)d.",
         {"length": 201, "maximum": 200}),
    ],
)
def test_listing_bad_filters(client, jobs, query, msgid, params):
    response = client.get("/jobs", params=query)

    assert response.status_code == 422
    assert arabic(msgid, **params) in response.text
    assert _cards(response.text) == []


def test_listing_pages(client, make_announcement):
    for sequence in range(1, 26):
        make_announcement(number=f"{sequence}/2026")

    first = client.get("/jobs").text
    second = client.get("/jobs", params={"page": "2"}).text
    beyond = client.get("/jobs", params={"page": "9"}).text

    assert len(_cards(first)) == 20
    assert len(_cards(second)) == 5
    assert set(_cards(first)).isdisjoint(_cards(second))
    assert 'href="/jobs?page=2" rel="next"' in first
    assert _cards(beyond) == []


def test_listing_page_links_keep_filters(client, make_announcement):
    for sequence in range(1, 23):
        make_announcement(number=f"{sequence}/2026", governorate="jenin")

    page = client.get("/jobs", params={"governorate": "jenin", "q": "محاسب"}).text

    assert 'href="/jobs?q=%D9%85%D8%AD%D8%A7%D8%B3%D8%A8&amp;governorate=jenin&amp;page=2"' in page


def test_listing_links_feed(client, jobs):
    page = client.get("/jobs").text

    assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="http://testserver/jobs/feed.atom"',
                     page)


# --- announcement page --------------------------------------------------------------------------------


def test_draft_page_not_found(client, jobs):
    response = client.get(f"/jobs/{jobs['draft']}")

    assert response.status_code == 404
    assert "مسودة سرية" not in response.text


def test_missing_page_not_found(client, jobs):
    assert client.get("/jobs/99999").status_code == 404
    assert client.get("/jobs/abc").status_code == 404


@pytest.mark.parametrize(
    ("name", "badge", "sentence"),
    [
        ("open", "Open for applications", "Applications are open until %(time)s, Palestine time."),
        ("upcoming", "Opens soon", "Applications open on %(time)s, Palestine time."),
        ("ended", "Closed", "Applications closed on %(time)s, Palestine time."),
        ("closed", "Closed", "Applications closed on %(time)s, Palestine time."),
    ],
)
def test_page_shows_state(client, jobs, name, badge, sentence):
    page = client.get(f"/jobs/{jobs[name]}").text

    assert f'job-state-{"closed" if name == "ended" else name}">{arabic(badge)}</span>' in page
    before, _marker, _after = arabic(sentence, time="\0").partition("\0")
    assert before in page


def test_page_shows_requirements(client, jobs):
    page = client.get(f"/jobs/{jobs['open']}").text

    assert arabic("%(degree)s or higher", degree=arabic("Master's degree")) in page
    assert "المحاسبة، العلوم المالية والمصرفية" in page
    assert arabic("Minimum years of experience: %(years)d", years=2) in page
    assert arabic("Identity card") in page
    assert arabic("Degree certificate") in page
    assert arabic("Ramallah and Al-Bireh") not in page
    assert arabic("Gaza") in page


def test_page_shows_local_times(client, make_announcement):
    announcement_id = make_announcement(opens_at=datetime(2026, 1, 10, 6, 0), closes_at=datetime(2090, 7, 1, 9, 0))

    page = client.get(f"/jobs/{announcement_id}").text

    assert '<time datetime="2026-01-10T08:00+02:00" dir="ltr">2026-01-10 08:00</time>' in page
    assert '<time datetime="2090-07-01T12:00+03:00" dir="ltr">2090-07-01 12:00</time>' in page


def test_page_preview_metadata(client, jobs):
    page = client.get(f"/jobs/{jobs['open']}").text
    meta = _meta(page)

    assert meta["og:title"] == "مهندس مدني"
    assert meta["og:url"] == f"http://testserver/jobs/{jobs['open']}"
    assert meta["og:type"] == "website"
    assert meta["og:locale"] == "ar_PS"
    assert meta["twitter:card"] == "summary"
    assert "وزارة الصحة" in meta["og:description"]
    assert "إعداد القيود المحاسبية" in meta["og:description"]


def test_page_share_links(client, jobs):
    page = client.get(f"/jobs/{jobs['open']}").text
    url = f"http://testserver/jobs/{jobs['open']}"

    links = dict(re.findall(r'<a class="share-(\w+)" href="([^"]+)"', page))
    assert set(links) == {"facebook", "x", "whatsapp", "telegram"}
    queries = {name: parse_qs(urlsplit(href.replace("&amp;", "&")).query) for name, href in links.items()}
    assert queries["facebook"]["u"] == [url]
    assert queries["x"]["url"] == [url]
    assert queries["x"]["text"] == ["مهندس مدني"]
    assert queries["whatsapp"]["text"] == [f"مهندس مدني {url}"]
    assert queries["telegram"]["url"] == [url]
    assert "http%3A%2F%2Ftestserver" in links["facebook"]


def test_page_loads_no_outside_scripts(client, jobs):
    page = client.get(f"/jobs/{jobs['open']}").text

    assert not re.search(r'<script[^>]+src="https?://', page)
    assert not re.search(r'<(img|iframe|link)[^>]+(src|href)="https?://(?!testserver)', page)


def test_page_in_english(client, jobs):
    client.http.cookies.set("diwan_lang", "en")

    page = client.get(f"/jobs/{jobs['open']}").text

    assert "Open for applications" in page
    assert "Accountant" in page
    assert _meta(page)["og:locale"] == "en_US"


# --- Atom feed ------------------------------------------------------------------------------------


def test_feed_is_valid_atom(client, jobs):
    response = client.get("/jobs/feed.atom")
    root = _parse_feed(response.content)

    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert root.find(f"{ATOM}title").text == arabic("Government job announcements")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": "http://testserver/jobs/feed.atom", "alternate": "http://testserver/jobs"}
    datetime.strptime(root.find(f"{ATOM}updated").text, "%Y-%m-%dT%H:%M:%SZ")


def test_feed_entries(client, jobs):
    root = _parse_feed(client.get("/jobs/feed.atom").content)
    entries = root.findall(f"{ATOM}entry")

    ids = sorted(entry.find(f"{ATOM}id").text for entry in entries)
    assert ids == sorted(f"http://testserver/jobs/{jobs[name]}" for name in ("open", "upcoming", "ended", "closed"))
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        link = entry.find(f"{ATOM}link")
        assert link.get("rel") == "alternate"
        assert link.get("href") == entry.find(f"{ATOM}id").text
        datetime.strptime(entry.find(f"{ATOM}updated").text, "%Y-%m-%dT%H:%M:%SZ")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "مهندس مدني (1/2026)" in titles
    assert all("مسودة" not in title for title in titles)


def test_feed_empty(client, gpc):
    root = _parse_feed(client.get("/jobs/feed.atom").content)

    assert root.findall(f"{ATOM}entry") == []
    assert root.find(f"{ATOM}updated") is not None


# --- public base URL ------------------------------------------------------------------------------


def test_base_url_setting_used(client, jobs, monkeypatch):
    monkeypatch.setenv("DIWAN_PUBLIC_BASE_URL", "https://jobs.example.ps/")
    reset_settings()
    reset_archive()

    page = client.get(f"/jobs/{jobs['open']}").text
    feed = _parse_feed(client.get("/jobs/feed.atom").content)

    assert _meta(page)["og:url"] == f"https://jobs.example.ps/jobs/{jobs['open']}"
    assert feed.find(f"{ATOM}id").text == "https://jobs.example.ps/jobs"
    assert "http://testserver" not in page.split("<main")[1]


@pytest.mark.parametrize("value", ["jobs.example.ps", "ftp://jobs.example.ps", "https://jobs.example.ps/?a=1"])
def test_base_url_setting_rejects(value):
    with pytest.raises(ValidationError):
        Settings(public_base_url=value)


# --- applying from the page ----------------------------------------------------------------------


def test_open_page_invites_visitor(client, jobs):
    page = client.get(f"/jobs/{jobs['open']}").text

    assert f'href="/jobs/{jobs["open"]}/apply"' in page
    assert arabic("Sign in to your applicant account, or create one with your national ID number and mobile, "
                  "to apply.") in page


def test_open_page_invites_applicant(jobs, signed_in):
    browser, _national_id = signed_in()

    page = browser.http.get(f"/jobs/{jobs['open']}").text

    assert f'href="/jobs/{jobs["open"]}/apply"' in page
    assert 'action="/applicant/sign-out"' in page


@pytest.mark.parametrize("name", ["upcoming", "ended", "closed"])
def test_page_without_apply_link(client, jobs, name):
    page = client.get(f"/jobs/{jobs[name]}").text

    assert f'href="/jobs/{jobs[name]}/apply"' not in page
