"""A deterministic demo world: one coherent sales-and-marketing story as raw tables.

`generate` simulates a fictional B2B vendor ("Brightwave", www.brightwave.example)
over a window of `days` ending at `end`: visitors arrive from ads, search, email,
referrals and social; some fill in a form and become CRM contacts; marketing scores
them; sales follows up (or does not, in the proportions of the HBR lead-response
study); qualified leads become deals that are won or lost. Every row of every table
comes from that one simulation, so the numbers the pipeline computes (response
times, conversion by channel, clicks against sessions) are the ones the simulation
put in. Only the standard library is used, with a single `random.Random(seed)`, so
a seed always yields the same world.
"""

from __future__ import annotations

import bisect
import copy
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any
from urllib.parse import urlencode

from connectors.files.tables import FILE_TABLES

# The demo's web analytics speak Segment; GA4's export is another format for the same
# kind of data, so the world does not produce it twice.
DEMO_TABLES = tuple(t for t in FILE_TABLES if t.name != "web_ga4_events")
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in DEMO_TABLES)
COLUMNS: dict[str, tuple[str, ...]] = {t.name: t.columns for t in DEMO_TABLES}

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)

SITE = "https://www.brightwave.example"
VENDOR_DOMAIN = "brightwave.example"

# --- channels ---------------------------------------------------------------------------
# HubSpot's `hs_analytics_source` value for the channel of a contact's first visit.
HUBSPOT_SOURCE = {
    "paid_search": "PAID_SEARCH", "organic_search": "ORGANIC_SEARCH",
    "paid_social": "PAID_SOCIAL", "email": "EMAIL_MARKETING", "direct": "DIRECT_TRAFFIC",
    "referral": "REFERRALS", "organic_social": "SOCIAL_MEDIA",
}
# Olist: paid search and organic convert about 4x better than email; the factor scales
# the odds that a responded-to MQL qualifies.
QUALIFY_FACTOR = {
    "paid_search": 1.25, "organic_search": 1.2, "paid_social": 0.8, "email": 0.3,
    "direct": 1.0, "referral": 1.05, "organic_social": 0.7,
}
_FIRST_TOUCH = {"paid_search": 22, "organic_search": 26, "paid_social": 14, "direct": 12,
                "referral": 8, "email": 8, "organic_social": 10}
_RETURN_VISIT = {"direct": 30, "organic_search": 25, "paid_search": 15, "paid_social": 10,
                 "referral": 5, "organic_social": 8, "email": 7}
_KNOWN_VISIT = {"email": 35, "direct": 25, "organic_search": 15, "paid_search": 10,
                "paid_social": 7, "referral": 3, "organic_social": 5}
_SALES_SOURCED_VISIT = {"direct": 40, "organic_search": 20, "email": 20, "referral": 10,
                        "paid_social": 10}

# --- the HBR lead-response study (DOMAIN.md) --------------------------------------------
RESPONSE_SHARES = (0.37, 0.16, 0.24, 0.23)  # <1h, 1-24h, >24h, never
_QUALIFY_ODDS = (0.62, 0.62 / 7, 0.62 / 60)  # by the three response buckets above

DEAL_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
               "decisionmakerboughtin", "contractsent", "closedwon", "closedlost")
_LOST_REASONS = {"price": 30, "timing": 25, "competitor": 25, "no_decision": 20}
_BECAME = {"lead": "became_lead_at", "marketingqualifiedlead": "became_mql_at",
           "salesqualifiedlead": "became_sql_at", "opportunity": "became_opportunity_at",
           "customer": "became_customer_at"}
_SCORED_STAGES = ("marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")

# --- the website ------------------------------------------------------------------------
TITLES = {
    "/": "Brightwave | Customer journey analytics for B2B teams",
    "/product": "Product | Brightwave",
    "/pricing": "Pricing | Brightwave",
    "/customers": "Customer stories | Brightwave",
    "/integrations": "Integrations | Brightwave",
    "/about": "About us | Brightwave",
    "/demo": "Book a demo | Brightwave",
    "/contact": "Contact sales | Brightwave",
    "/blog": "Blog | Brightwave",
    "/webinars/register": "Webinars | Brightwave",
    "/resources/attribution-playbook": "The B2B attribution playbook (ebook) | Brightwave",
    "/blog/sales-marketing-alignment": "Sales and marketing alignment, in practice | Brightwave",
    "/blog/lead-response-time": "Why lead response time decides pipeline | Brightwave",
    "/blog/multi-touch-attribution": "Multi-touch attribution without the hype | Brightwave",
    "/blog/what-is-an-mql": "What is an MQL, really? | Brightwave",
    "/blog/utm-parameters-guide": "A field guide to UTM parameters | Brightwave",
    "/blog/funnel-velocity": "Measuring funnel velocity | Brightwave",
    "/lp/journey-analytics": "See every customer journey | Brightwave",
    "/lp/attribution-guide": "Get the attribution guide | Brightwave",
    "/lp/revenue-teams": "Brightwave for revenue teams",
    "/lp/compare": "Brightwave vs. the spreadsheet | Brightwave",
}
_BLOG = tuple(p for p in TITLES if p.startswith("/blog/"))
_INNER = ("/product", "/pricing", "/customers", "/integrations", "/about", "/blog", *_BLOG)
_LANDINGS = {
    "organic_search": (*_BLOG, *_BLOG, "/", "/product", "/pricing"),
    "direct": ("/", "/", "/pricing", "/product", "/demo"),
    "referral": ("/", "/customers", "/integrations", "/product"),
    "organic_social": _BLOG,
    "email": (*_BLOG, "/webinars/register", "/resources/attribution-playbook", "/customers"),
}
FORMS = {  # form_name: (form_id, page)
    "demo_request": ("4b1f0c2e-7d3a-4e58-9c61-2f8a5d9e0a11", "/demo"),
    "contact_us": ("9e2d7a41-0b6c-4f13-8a2e-5c7d1b3f9e22", "/contact"),
    "ebook_download": ("1c8e5f90-3a2b-4d7c-b6e1-8f0a2c4d6e33", "/resources/attribution-playbook"),
    "webinar_signup": ("7a3c9e12-5f4d-4b8a-9e0c-1d2f3a4b5c44", "/webinars/register"),
    "newsletter_signup": ("2f6b8d04-9c1e-4a3f-8b5d-7e9f0a1b2c55", "/blog"),
}
_FIRST_FORM = {"demo_request": 22, "contact_us": 8, "ebook_download": 35, "webinar_signup": 22,
               "newsletter_signup": 13}
_ORGANIC_SEARCH_REFS = {"https://www.google.com/": 82, "https://www.bing.com/": 12,
                        "https://duckduckgo.com/": 6}
_REFERRAL_REFS = ("https://www.g2.com/products/brightwave/reviews",
                  "https://www.capterra.com/p/brightwave/",
                  "https://partners.northbeam-consulting.example/resources",
                  "https://revopscollective.example/tools")
_SOCIAL_REFS = ("https://www.linkedin.com/", "https://t.co/", "https://twitter.com/")
_USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:143.0) Gecko/20100101 Firefox/143.0",
)

# --- ad platforms -----------------------------------------------------------------------
# platform: utm_source, utm_medium, click-id parameter, referrers, currency, ctr, price
# (google: cost per click; social: cost per thousand impressions)
PLATFORMS = {
    "google_ads": ("google", "cpc", "gclid", ("https://www.google.com/",), "USD", 0.055, 4.8),
    "meta_ads": ("facebook", "paid_social", "fbclid",
                 ("https://l.facebook.com/", "https://m.facebook.com/", "https://l.instagram.com/"),
                 "EUR", 0.011, 17.0),
    "linkedin_ads": ("linkedin", "paid_social", "li_fat_id", ("https://www.linkedin.com/",),
                     "USD", 0.006, 48.0),
}
# platform, campaign name, always on, landing page, weight, ad-group themes
_AD_CAMPAIGNS = (
    ("google_ads", "Brand Search", True, "/", 3.0, ("brightwave", "brightwave pricing")),
    ("google_ads", "Non-Brand - Journey Analytics", True, "/lp/journey-analytics", 3.0,
     ("customer journey analytics", "b2b funnel analytics", "marketing attribution software")),
    ("meta_ads", "Prospecting - Lookalikes", True, "/lp/attribution-guide", 2.0, ("lookalike", "interests")),
    ("linkedin_ads", "ABM - Target Accounts", True, "/lp/revenue-teams", 2.0, ("target accounts",)),
    ("google_ads", "Non-Brand - Competitors", False, "/lp/compare", 1.5,
     ("attribution tool alternatives", "revenue analytics comparison")),
    ("google_ads", "Search - EMEA", False, "/lp/journey-analytics", 1.5, ("journey analytics emea",)),
    ("google_ads", "Search - Pricing Intent", False, "/pricing", 1.0, ("attribution software cost",)),
    ("meta_ads", "Retargeting - Site Visitors", False, "/demo", 1.0, ("site visitors 30d",)),
    ("meta_ads", "Ebook - Attribution Playbook", False, "/resources/attribution-playbook", 1.5,
     ("marketers", "revops")),
    ("linkedin_ads", "Webinar Promotion", False, "/webinars/register", 1.5, ("marketing leaders",)),
    ("linkedin_ads", "Thought Leadership", False, "/blog/sales-marketing-alignment", 1.0,
     ("sales leaders",)),
    ("linkedin_ads", "Lead Gen - Demo", False, "/demo", 1.0, ("vp sales", "vp marketing")),
)
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# --- companies and people ---------------------------------------------------------------
_REGIONS = {"NA": 50, "EMEA": 30, "APAC": 12, "LATAM": 8}
_COUNTRIES = {
    "NA": {"United States": 85, "Canada": 15},
    "EMEA": {"United Kingdom": 30, "Germany": 25, "France": 18, "Netherlands": 10, "Sweden": 9,
             "South Africa": 8},
    "APAC": {"Australia": 35, "India": 25, "Singapore": 20, "Japan": 20},
    "LATAM": {"Brazil": 50, "Mexico": 30, "Argentina": 10, "Chile": 10},
}
_EURO = ("Germany", "France", "Netherlands")
_INDUSTRIES = {
    "Software": ("Labs", "Software", "Systems", "Cloud"),
    "Financial Services": ("Capital", "Financial", "Payments", "Insurance"),
    "Healthcare": ("Health", "Medical", "Care", "Diagnostics"),
    "Manufacturing": ("Industries", "Manufacturing", "Components", "Robotics"),
    "Retail": ("Retail", "Goods", "Commerce", "Brands"),
    "Education": ("Learning", "Academy", "Education"),
    "Logistics": ("Logistics", "Freight", "Shipping"),
    "Media": ("Media", "Studios", "Publishing"),
    "Professional Services": ("Consulting", "Partners", "Advisory"),
    "Telecommunications": ("Networks", "Telecom", "Connect"),
}
_NAME_A = ("Blue", "North", "Silver", "Pine", "Harbor", "Summit", "Cedar", "Atlas", "Nova", "Iron",
           "Bright", "Clear", "Golden", "Red", "Maple", "River", "Stone", "Falcon", "Orion", "Delta",
           "Oak", "Crystal", "Granite", "Swift", "Lumen", "Vertex", "Alder", "Coral", "Ember", "Frost")
_NAME_B = ("peak", "field", "gate", "wave", "line", "stone", "works", "bridge", "point", "view",
           "ridge", "haven", "port", "wood", "crest", "path", "forge", "light", "mark", "vale")
_SIZE_WEIGHTS = {1: 35, 2: 22, 3: 14, 4: 10, 5: 7, 6: 5, 7: 4, 8: 3}
_FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
          "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
          "Sarah", "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra",
          "Mark", "Ashley", "Priya", "Emily", "Wei", "Aisha", "Lukas", "Sofia", "Mateo", "Chloe",
          "Hiroshi", "Yuki", "Arjun", "Fatima", "Olivier", "Camille", "Lars", "Ingrid", "Pedro",
          "Ana", "Ethan", "Grace", "Noah", "Zoe", "Omar", "Leila", "Tomasz", "Eva", "Kwame", "Amara",
          "Diego", "Lucia", "Ravi", "Mei")
_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
         "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
         "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark",
         "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Nguyen",
         "Hill", "Flores", "Green", "Adams", "Baker", "Patel", "Shah", "Chen", "Wang", "Kim",
         "Tanaka", "Sato", "Muller", "Schmidt", "Dubois", "Laurent", "Jansen", "Berg", "Silva",
         "Santos", "Kowalski", "Novak", "Mensah", "Okafor", "Rossi")
_PERSONAL_DOMAINS = ("mailbox.example", "inbox.example", "post.example")

_CAMPAIGN_TOPICS = ("Attribution that sales believes", "The 5-minute lead response playbook",
                    "Pipeline reviews with one source of truth", "From MQL to revenue",
                    "Measuring the buyer journey", "Aligning SDRs and marketing",
                    "Budgeting paid media by pipeline", "Renewals start on day one")
_EVENTS = ("RevOps Summit", "B2B Marketing Expo", "SaaS Growth Forum")


@dataclass
class World:
    """A generated world: raw rows keyed by raw table name, and the parameters used.

    `tables` holds every table of `connectors.files.tables.FILE_TABLES`; rows of the
    crm_*/ads_* tables carry exactly that table's columns as Python values (str ids,
    numbers, bools, aware UTC datetimes, `date` for ads days), while web_events rows are
    nested Segment-spec event dicts.
    """

    tables: dict[str, list[dict]]
    params: dict[str, Any] = field(default_factory=dict)


def generate(
    people: int = 3000,
    seed: int = 42,
    end: datetime = datetime(2026, 10, 31, tzinfo=UTC),
    days: int = 365,
) -> World:
    """Simulate `days` of a B2B vendor's marketing and sales up to `end`, deterministically.

    About `people` CRM contacts are created (about 10% by sales reps, the rest from web
    form fills), plus about as many anonymous visitors who never identify. The same
    `seed` and arguments always return identical tables; nothing is dated after `end`
    or before `end - days`. A naive `end` is read as UTC.
    """
    if people < 1:
        raise ValueError(f"people must be at least 1, got {people}")
    if days < 7:
        raise ValueError(f"days must be at least 7 so journeys fit in the window, got {days}")
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    end = end.astimezone(UTC).replace(microsecond=0)
    builder = _Builder(people, seed, end, days)
    tables = builder.build()
    return World(tables=tables, params={"seed": seed, "people": people, "end": end, "days": days})


def _cum(weights: dict) -> tuple[tuple, tuple]:
    return tuple(weights), tuple(accumulate(weights.values()))


class _Builder:
    """Runs the simulation; every random draw goes through `self.rng`, in a fixed order."""

    def __init__(self, people: int, seed: int, end: datetime, days: int) -> None:
        self.rng = random.Random(seed)
        self.people = people
        self.end = end.timestamp()
        self.start = self.end - days * DAY
        self.first_day = int(self.start // DAY)
        self.last_day = int(self.end // DAY)
        self.contacts: list[dict] = []
        self.accounts: list[dict] = []
        self.deals: list[dict] = []
        self.activities: list[tuple] = []
        self.members: dict[tuple, dict] = {}
        self.events: list[dict] = []
        self.ad_days: dict[tuple, list[int]] = {}
        self.emails: set[str] = set()
        self.round_robin: dict[tuple, int] = {}
        self.active_cache: dict[tuple, tuple] = {}
        self.pools: dict[tuple, list[dict]] = {}
        self.w = {name: _cum(w) for name, w in (
            ("first_touch", _FIRST_TOUCH), ("return", _RETURN_VISIT), ("known", _KNOWN_VISIT),
            ("sales_visit", _SALES_SOURCED_VISIT), ("first_form", _FIRST_FORM),
            ("region", _REGIONS), ("size", _SIZE_WEIGHTS), ("lost", _LOST_REASONS),
            ("search_ref", _ORGANIC_SEARCH_REFS),
            *((f"country_{r}", c) for r, c in _COUNTRIES.items()))}

    # --- small helpers --------------------------------------------------------------------
    def pick(self, table: str):
        values, cum = self.w[table]
        return self.rng.choices(values, cum_weights=cum)[0]

    def uuid(self) -> str:
        h = "%032x" % self.rng.getrandbits(128)
        variant = "89ab"[int(h[16], 16) & 3]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"

    def loguniform(self, lo: float, hi: float) -> float:
        return math.exp(self.rng.uniform(math.log(lo), math.log(hi)))

    def next_in_rotation(self, pool: list[dict], key: tuple) -> dict:
        i = self.round_robin.get(key, 0)
        self.round_robin[key] = i + 1
        return pool[i % len(pool)]

    # --- the whole run --------------------------------------------------------------------
    def build(self) -> dict[str, list[dict]]:
        self.build_owners()
        self.build_ad_campaigns()
        self.build_crm_campaigns()
        rng = self.rng
        for account in self.account_slots():
            if rng.random() < 0.10:
                self.sales_sourced_person(account)
            else:
                self.marketing_person(account)
        for _ in range(self.people):
            self.anonymous_visitor()
        self.delete_a_few_contacts()
        self.add_campaign_audiences()
        return self.finish()

    # --- owners ---------------------------------------------------------------------------
    def build_owners(self) -> None:
        rng = self.rng
        n = max(6, round(self.people / 150))
        n_marketing = max(1, round(n * 0.17))
        n_sdr = max(2, round(n * 0.33))
        n_sales = n - n_marketing - n_sdr
        regions = ("NA", "EMEA", "APAC", "NA", "LATAM", "EMEA", "NA", "APAC")
        self.owners: list[dict] = []
        used: set[tuple] = set()

        def add(team: str, region: str, manager: dict | None) -> dict:
            while True:
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                if (first, last) not in used:
                    used.add((first, last))
                    break
            owner = {"owner_id": f"own_{len(self.owners) + 1:03d}", "name": f"{first} {last}",
                     "email": f"{first}.{last}@{VENDOR_DOMAIN}".lower(), "team": team,
                     "manager_id": manager["owner_id"] if manager else None, "region": region}
            self.owners.append(owner)
            return owner

        head_of_sales = add("sales", "NA", None)
        self.aes = [add("sales", regions[i % len(regions)], head_of_sales) for i in range(n_sales - 1)]
        sdr_lead = add("sdr", "NA", head_of_sales)
        self.sdrs = [sdr_lead] + [add("sdr", regions[i % len(regions)], sdr_lead)
                                  for i in range(n_sdr - 1)]
        head_of_marketing = add("marketing", "NA", None)
        for i in range(n_marketing - 1):
            add("marketing", regions[i % len(regions)], head_of_marketing)

    def pool(self, team: list[dict], region: str) -> list[dict]:
        key = (id(team), region)
        if key not in self.pools:
            self.pools[key] = [o for o in team if o["region"] == region] or team
        return self.pools[key]

    def sdr_for(self, contact: dict) -> dict:
        region = contact["account"]["region"] if contact["account"] else "NA"
        return self.next_in_rotation(self.pool(self.sdrs, region), ("sdr", region))

    def ae_for(self, contact: dict) -> dict:
        if contact["account"]:
            return contact["account"]["owner"]
        return self.next_in_rotation(self.aes, ("ae", "none"))

    # --- ad campaigns ---------------------------------------------------------------------
    def build_ad_campaigns(self) -> None:
        rng = self.rng
        n = rng.randint(6, 12)
        always = [c for c in _AD_CAMPAIGNS if c[2]]
        flighted = [c for c in _AD_CAMPAIGNS if not c[2]]
        chosen = always + rng.sample(flighted, n - len(always))
        chosen.sort(key=lambda c: (c[0], _AD_CAMPAIGNS.index(c)))
        span = self.last_day - self.first_day
        self.ad_campaigns: list[dict] = []
        for platform, name, always_on, landing, weight, themes in chosen:
            source, medium, click_param, refs, currency, ctr, price = PLATFORMS[platform]
            if platform == "google_ads":
                cid = str(rng.randint(10**10, 10**11 - 1))
            elif platform == "meta_ads":
                cid = "238" + str(rng.randint(10**13, 10**14 - 1))
            else:
                cid = str(rng.randint(10**8, 10**9 - 1))
            if always_on:
                first, last = self.first_day, self.last_day
            else:
                length = min(span, rng.randint(30, 120))
                first = self.first_day + rng.randint(0, span - length)
                last = first + length
            slug = name.lower().replace(" - ", "_").replace(" ", "_").replace("-", "_")
            campaign = {"idx": len(self.ad_campaigns), "platform": platform, "campaign_id": cid,
                        "name": name, "utm_source": source, "utm_medium": medium,
                        "utm_campaign": slug, "landing": landing, "weight": weight,
                        "first_day": first, "last_day": last, "currency": currency,
                        "ctr": ctr * rng.uniform(0.8, 1.25), "price": price * rng.uniform(0.8, 1.25),
                        "click_param": click_param, "referrers": refs, "ads": []}
            for g, theme in enumerate(themes):
                group_id = str(int(cid[-9:]) * 10 + g + 1) if platform != "meta_ads" else cid[:-1] + str(g + 1)
                for v in range(rng.randint(1, 3)):
                    campaign["ads"].append({
                        "idx": len(campaign["ads"]), "ad_group_id": group_id,
                        "ad_id": f"{group_id}{v + 1:02d}", "content": f"g{g + 1}_v{v + 1}",
                        "term": theme if platform == "google_ads" else None,
                    })
            self.ad_campaigns.append(campaign)

    def active_campaign(self, platform: str, day: int) -> dict:
        key = (platform, day)
        if key not in self.active_cache:
            live = [c for c in self.ad_campaigns
                    if c["platform"] == platform and c["first_day"] <= day <= c["last_day"]]
            self.active_cache[key] = (live, tuple(accumulate(c["weight"] for c in live)))
        live, cum = self.active_cache[key]
        return self.rng.choices(live, cum_weights=cum)[0]

    # --- CRM campaigns (email, webinar, event) --------------------------------------------
    def build_crm_campaigns(self) -> None:
        rng = self.rng
        self.crm_campaigns: list[dict] = []

        def add(name: str, kind: str, at: float | None) -> dict:
            slug = "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")
            while "__" in slug:
                slug = slug.replace("__", "_")
            campaign = {"id": f"cmp_{len(self.crm_campaigns) + 1:03d}", "name": name, "type": kind,
                        "slug": slug, "at": at}
            self.crm_campaigns.append(campaign)
            return campaign

        self.nurture = add("Nurture - Lead Follow-up", "email", None)
        self.newsletters: list[dict] = []
        month = datetime.fromtimestamp(self.start, UTC).replace(day=1, hour=0, minute=0, second=0)
        while month.timestamp() <= self.end:
            send = month.replace(day=10, hour=15).timestamp()
            if self.start <= send <= self.end:
                self.newsletters.append(add(f"Newsletter {month:%Y-%m}", "email", send))
            month = (month + timedelta(days=32)).replace(day=1)
        self.newsletter_sends = [n["at"] for n in self.newsletters]
        self.webinars: list[dict] = []
        t = self.start + 20 * DAY
        topics = list(_CAMPAIGN_TOPICS)
        rng.shuffle(topics)
        while t <= self.end + 45 * DAY:
            at = (t // DAY) * DAY + 16 * HOUR
            topic = topics[len(self.webinars) % len(topics)]
            self.webinars.append(add(f"Webinar: {topic}", "webinar", at))
            t += rng.uniform(35, 55) * DAY
        self.webinar_times = [w["at"] for w in self.webinars]
        self.events_crm = []
        for i, name in enumerate(_EVENTS):
            at = (self.start + (0.2 + 0.3 * i) * (self.end - self.start)) // DAY * DAY + 9 * HOUR
            year = datetime.fromtimestamp(at, UTC).year
            self.events_crm.append(add(f"{name} {year}", "event", at))

    def email_campaign(self, t: float, contact: dict | None) -> dict:
        i = bisect.bisect_right(self.newsletter_sends, t) - 1
        latest = self.newsletters[i] if i >= 0 else None
        if contact is None:
            return latest or self.nurture
        if latest and latest["at"] >= contact["created"] and t - latest["at"] <= 10 * DAY:
            return latest
        return self.nurture

    def add_member(self, campaign: dict, contact: dict, status: str, responded_at: float | None) -> None:
        key = (campaign["id"], contact["seq"])
        row = self.members.get(key)
        if row is None:
            self.members[key] = {"campaign": campaign, "contact": contact, "status": status,
                                 "responded_at": responded_at}
        elif responded_at is not None and (row["responded_at"] is None or responded_at < row["responded_at"]):
            row["status"], row["responded_at"] = status, responded_at

    # --- accounts -------------------------------------------------------------------------
    def account_slots(self) -> list[dict | None]:
        """One entry per CRM person: the account they belong to (None: personal email)."""
        rng = self.rng
        slots: list[dict | None] = []
        names: set[str] = set()
        while len(slots) < self.people:
            if rng.random() < 0.03:
                slots.append(None)
                continue
            industry = rng.choice(tuple(_INDUSTRIES))
            while True:
                stem = rng.choice(_NAME_A) + rng.choice(_NAME_B)
                word = rng.choice(_INDUSTRIES[industry])
                name = f"{stem} {word}"
                if name not in names:
                    names.add(name)
                    break
            region = self.pick("region")
            country = self.pick(f"country_{region}")
            employees = int(min(60000, max(5, rng.lognormvariate(math.log(220), 1.3))))
            account = {
                "seq": len(self.accounts), "name": name, "industry": industry, "region": region,
                "country": country, "domain": f"{stem.lower()}-{word.lower()}.example",
                "employees": employees,
                "revenue": float(round(employees * rng.uniform(80_000, 300_000), -3)),
                "owner": self.next_in_rotation(self.pool(self.aes, region), ("acct", region)),
                "contacts": [],
            }
            self.accounts.append(account)
            size = min(self.pick("size"), self.people - len(slots))
            slots.extend([account] * size)
        return slots

    # --- contacts -------------------------------------------------------------------------
    def new_contact(self, account: dict | None, created: float, source: str, channel: str) -> dict:
        rng = self.rng
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        domain = account["domain"] if account else rng.choice(_PERSONAL_DOMAINS)
        u = rng.random()
        local = f"{first}.{last}" if u < 0.7 else (f"{first[0]}{last}" if u < 0.9 else first)
        local = local.lower()
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        crm_email = email
        if rng.random() < 0.03:
            at = email.index("@")
            crm_email = email[:at].title() + email[at:] if rng.random() < 0.7 else email.upper()
        contact = {"seq": len(self.contacts), "account": account, "first": first, "last": last,
                   "email": email, "crm_email": crm_email, "created": created, "source": source,
                   "channel": channel, "stages": [], "statuses": [], "owners": [],
                   "visits_known": 0, "first_touch": created, "deleted_at": None, "has_deal": False,
                   "sales_sourced": source == "OFFLINE"}
        self.contacts.append(contact)
        if account:
            account["contacts"].append(contact)
        return contact

    @staticmethod
    def stage(contact: dict, t: float, stage: str) -> None:
        contact["stages"].append((t, stage))

    @staticmethod
    def status(contact: dict, t: float, status: str) -> None:
        contact["statuses"].append((t, status))

    @staticmethod
    def assign(contact: dict, t: float, owner: dict) -> None:
        contact["owners"].append((t, owner["owner_id"]))

    def activity(self, t: float, kind: str, direction: str | None, outcome: str | None,
                 contact: dict, owner: dict, deal: dict | None = None) -> None:
        if t <= self.end:
            self.activities.append((t, len(self.activities), kind, direction, outcome, contact,
                                    owner["owner_id"], deal))

    # --- web sessions ---------------------------------------------------------------------
    def device(self) -> dict:
        rng = self.rng
        return {"anon": self.uuid(), "ua": rng.choice(_USER_AGENTS),
                "ip": f"{rng.randint(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}",
                "user_id": None}

    def plan_session(self, t: float, channel: str, dev: int, contact: dict | None) -> dict:
        """Draw one visit: page times (gaps < 5 min), landing URL, referrer and UTMs."""
        rng = self.rng
        n = 1 + min(6, int(rng.expovariate(1 / 1.5)))
        times = [t]
        for _ in range(n - 1):
            t += 5 + min(295.0, rng.expovariate(1 / 60))
            times.append(t)
        session = {"t": times[0], "times": times, "channel": channel, "dev": dev, "form": None,
                   "extra": None, "ad": None, "email_campaign": None, "utm": None,
                   "offsets": (10 + 80 * rng.random(), 15 + 100 * rng.random(), 0.2 + 1.3 * rng.random())}
        query: dict[str, str] = {}
        if channel in ("paid_search", "paid_social"):
            platform = "google_ads" if channel == "paid_search" else (
                "meta_ads" if rng.random() < 0.6 else "linkedin_ads")
            day = min(self.last_day, max(self.first_day, int(times[0] // DAY)))
            campaign = self.active_campaign(platform, day)
            ad = rng.choice(campaign["ads"])
            landing = campaign["landing"]
            utm = {"source": campaign["utm_source"], "medium": campaign["utm_medium"],
                   "name": campaign["utm_campaign"]}
            if ad["term"]:
                utm["term"] = ad["term"]
            utm["content"] = ad["content"]
            if platform == "linkedin_ads":
                click_id = self.uuid()
            else:
                prefix = "Cj0KCQjw" if platform == "google_ads" else "IwAR"
                click_id = prefix + "".join(rng.choices(_B64, k=48))
            query = {f"utm_{k if k != 'name' else 'campaign'}": v for k, v in utm.items()}
            query[campaign["click_param"]] = click_id
            referrer = rng.choice(campaign["referrers"])
            session["ad"] = (campaign, ad)
            session["utm"] = utm
        elif channel == "email":
            campaign = self.email_campaign(times[0], contact)
            landing = rng.choice(_LANDINGS["email"])
            utm = {"source": "newsletter", "medium": "email", "name": campaign["slug"],
                   "content": rng.choice(("cta_button", "header_link", "text_link"))}
            query = {f"utm_{k if k != 'name' else 'campaign'}": v for k, v in utm.items()}
            referrer = ""
            session["email_campaign"] = campaign
            session["utm"] = utm
        else:
            landing = rng.choice(_LANDINGS[channel])
            if channel == "organic_search":
                referrer = self.pick("search_ref")
            elif channel == "referral":
                referrer = rng.choice(_REFERRAL_REFS)
            elif channel == "organic_social":
                referrer = rng.choice(_SOCIAL_REFS)
            else:
                referrer = ""
        session["url"] = SITE + landing + ("?" + urlencode(query) if query else "")
        session["referrer"] = referrer
        session["paths"] = [landing] + [rng.choice(_INNER) for _ in range(n - 1)]
        return session

    @staticmethod
    def form_time(session: dict) -> float:
        return session["times"][-1] + session["offsets"][0] + session["offsets"][1]

    @staticmethod
    def session_end(session: dict) -> float:
        return session["times"][-1] + sum(session["offsets"])

    # --- a person who arrives through marketing -------------------------------------------
    def marketing_person(self, account: dict | None) -> None:
        rng = self.rng
        t_id = self.start + rng.random() * (self.end - self.start - 3 * HOUR)
        first_channel = self.pick("first_touch")
        two_devices = rng.random() < 0.15
        devices = [self.device()] + ([self.device()] if two_devices else [])
        times = [t_id]
        t = t_id
        for _ in range(min(5, int(rng.expovariate(1 / 1.2)))):
            t -= 2 * HOUR + rng.expovariate(1 / (4 * DAY))
            if t < self.start:
                break
            times.append(t)
        times.reverse()
        sessions = []
        for i, ts in enumerate(times):
            channel = first_channel if i == 0 else self.pick("return")
            dev = 1 if two_devices and i < len(times) - 1 and rng.random() < 0.5 else 0
            sessions.append(self.plan_session(ts, channel, dev, None))
        first_form = self.pick("first_form")
        sessions[-1]["form"] = first_form
        created = self.form_time(sessions[-1]) + rng.uniform(60, 600)
        contact = self.new_contact(account, created, HUBSPOT_SOURCE[first_channel], first_channel)
        contact["first_touch"] = times[0]
        n_pre = len(sessions)
        t = created
        mean_gap = rng.uniform(6, 20) * DAY
        for _ in range(min(15, int(rng.expovariate(1 / 3.5)))):
            t += 2 * HOUR + rng.expovariate(1 / mean_gap)
            if t > self.end:
                break
            dev = 1 if two_devices and rng.random() < 0.4 else 0
            sessions.append(self.plan_session(t, self.pick("known"), dev, contact))
        if two_devices:
            for s in sessions[n_pre:]:
                if s["dev"] == 1:
                    s["form"] = rng.choice(("webinar_signup", "ebook_download"))
                    break
        post = sessions[n_pre:]
        contact["visits_known"] = len(post)
        self.marketing_lifecycle(contact, first_form, post)
        self.emit_visits(contact, sessions, devices)

    def marketing_lifecycle(self, contact: dict, first_form: str, post: list[dict]) -> None:
        rng = self.rng
        created = contact["created"]
        if first_form == "newsletter_signup":
            self.stage(contact, created, "subscriber")
            is_lead = False
        else:
            self.stage(contact, created, "lead")
            self.status(contact, created, "NEW")
            is_lead = True
        mql_at = None
        if first_form in ("demo_request", "contact_us"):
            mql_at = created + rng.uniform(30, 300)
        elif is_lead and rng.random() < 0.02:
            t = created + rng.uniform(1, 30) * DAY
            self.stage(contact, t, "other")
            self.status(contact, t, "UNQUALIFIED")
            return
        else:
            for s in post:
                if not is_lead:
                    if s["form"] in ("ebook_download", "webinar_signup") or rng.random() < 0.3:
                        s["form"] = s["form"] or "ebook_download"
                        t = self.form_time(s) + rng.uniform(30, 300)
                        self.stage(contact, t, "lead")
                        self.status(contact, t, "NEW")
                        is_lead = True
                elif rng.random() < 0.17:
                    if s["form"] is None and rng.random() < 0.5:
                        s["form"] = "demo_request"
                    else:
                        s["extra"] = "/pricing"
                    mql_at = self.session_end(s) + rng.uniform(30, 300)
                    break
        if mql_at is not None:
            self.mql(contact, mql_at, post, comeback=True)

    def mql(self, contact: dict, t: float, post: list[dict], comeback: bool) -> None:
        """The lead score crosses the threshold at `t`: route to an SDR and hand off."""
        rng = self.rng
        if t > self.end:
            return
        self.stage(contact, t, "marketingqualifiedlead")
        self.status(contact, t, "OPEN")
        sdr = self.sdr_for(contact)
        self.assign(contact, t, sdr)
        recycled_at = self.handoff(contact, t, sdr)
        if recycled_at is None or not comeback or rng.random() >= 0.3:
            return
        for s in post:
            if s["t"] >= recycled_at + 14 * DAY:
                if s["form"] is None and rng.random() < 0.5:
                    s["form"] = "demo_request"
                else:
                    s["extra"] = "/pricing"
                self.mql(contact, self.session_end(s) + rng.uniform(30, 300), post, comeback=False)
                return

    def handoff(self, contact: dict, mql_at: float, sdr: dict) -> float | None:
        """Sales' first response to an MQL, then qualification; returns a recycle time."""
        rng = self.rng
        u = rng.random()
        if u < RESPONSE_SHARES[0]:
            bucket, delay = 0, MINUTE * (2 + 56 * rng.random() ** 1.5)
        elif u < sum(RESPONSE_SHARES[:2]):
            bucket, delay = 1, HOUR * self.loguniform(1.05, 23.8)
        elif u < sum(RESPONSE_SHARES[:3]):
            bucket, delay = 2, HOUR * self.loguniform(24.5, 30 * 24)
        else:
            return None
        contact.setdefault("response_bucket", bucket)
        odds = min(0.95, _QUALIFY_ODDS[bucket] * QUALIFY_FACTOR[contact["channel"]])
        if contact["account"] is None:
            odds *= 0.5
        qualified = rng.random() < odds
        t = mql_at + delay
        kind = "call" if rng.random() < 0.65 else "email"
        if qualified:
            attempts = 0 if kind == "call" and rng.random() < 0.6 else rng.randint(1, 3)
            self.touch(contact, t, kind, sdr, connected=attempts == 0)
            self.status(contact, t, "CONNECTED" if attempts == 0 else "ATTEMPTED_TO_CONTACT")
            for i in range(attempts):
                t += rng.uniform(2 * HOUR, 2 * DAY)
                if i < attempts - 1:
                    self.touch(contact, t, None, sdr, connected=False)
                elif rng.random() < 0.3:
                    self.activity(t, "call", "inbound", "connected", contact, sdr)
                else:
                    self.touch(contact, t, None, sdr, connected=True)
            if attempts:
                self.status(contact, t, "CONNECTED")
            return self.qualify(contact, t, sdr)
        connected = False
        for i in range(rng.randint(1, 6)):
            if i:
                t += rng.uniform(4 * HOUR, 4 * DAY)
            connected = rng.random() < 0.25
            self.touch(contact, t, kind if i == 0 else None, sdr, connected=connected)
            if i == 0:
                self.status(contact, t, "ATTEMPTED_TO_CONTACT")
            if connected:
                self.status(contact, t, "CONNECTED")
                break
        if connected:
            t += rng.uniform(0, 2) * DAY
            self.status(contact, t, "UNQUALIFIED" if rng.random() < 0.5 else "BAD_TIMING")
            recycle = rng.random() < 0.6
        else:
            t += rng.uniform(1, 14) * DAY
            recycle = rng.random() < 0.35
        if recycle:
            self.stage(contact, t, "lead")
            if not connected:
                self.status(contact, t, "BAD_TIMING")
            return t
        if rng.random() < 0.5:
            self.activity(t, "task", None, "scheduled", contact, sdr)
        return None

    def touch(self, contact: dict, t: float, kind: str | None, owner: dict, connected: bool) -> None:
        rng = self.rng
        kind = kind or ("call" if rng.random() < 0.6 else "email")
        if kind == "call":
            outcome = "connected" if connected else ("no_answer" if rng.random() < 0.55 else "left_voicemail")
            self.activity(t, "call", "outbound", outcome, contact, owner)
        else:
            self.activity(t, "email", "outbound", "sent", contact, owner)
            if connected:
                self.activity(t + rng.uniform(0.5, 8) * HOUR, "email", "inbound", "received", contact, owner)

    def qualify(self, contact: dict, connected_at: float, rep: dict) -> float | None:
        """A connected lead books a discovery meeting and becomes an SQL, then maybe a deal."""
        rng = self.rng
        ae = self.ae_for(contact)
        self.activity(connected_at + rng.uniform(2, 30) * MINUTE, "task", None, "completed", contact, rep)
        meeting = connected_at + rng.uniform(1, 5) * DAY
        self.activity(meeting, "meeting", "outbound", "completed", contact, ae)
        sql_at = meeting + rng.uniform(10 * MINUTE, 3 * HOUR)
        self.stage(contact, sql_at, "salesqualifiedlead")
        self.status(contact, sql_at, "IN_PROGRESS")
        self.assign(contact, sql_at, ae)
        if rng.random() < 0.85:
            return self.deal(contact, sql_at + rng.uniform(HOUR, 3 * DAY), ae)
        t = sql_at + rng.uniform(7, 30) * DAY
        self.activity(t - rng.uniform(1, 48) * HOUR, "note", None, None, contact, ae)
        self.stage(contact, t, "lead")
        self.status(contact, t, "BAD_TIMING" if rng.random() < 0.6 else "UNQUALIFIED")
        return t

    def deal(self, contact: dict, created: float, ae: dict) -> float | None:
        """Walk a deal through the default pipeline; returns a recycle time if lost."""
        rng = self.rng
        account = contact["account"]
        mu = math.log(18_000) + (0.25 * math.log10(account["employees"] / 220) if account else -0.5)
        amount = float(round(min(400_000, max(2_000, rng.lognormvariate(mu, 0.9))), -2))
        currency = "USD"
        if account and account["region"] == "EMEA":
            if account["country"] == "United Kingdom" and rng.random() < 0.7:
                currency = "GBP"
            elif account["country"] in _EURO and rng.random() < 0.7:
                currency = "EUR"
        deal = {"seq": len(self.deals), "contact": contact, "account": account, "owner": ae,
                "amount": amount, "currency": currency, "created": created,
                "history": [("appointmentscheduled", created)], "closed": None, "won": False,
                "lost_reason": None}
        self.deals.append(deal)
        contact["has_deal"] = True
        self.stage(contact, created, "opportunity")
        self.activity(created, "note", None, None, contact, ae, deal)
        t = created
        for nxt in DEAL_STAGES[1:6]:
            step = DAY * (1.5 + rng.expovariate(1 / 4.8))
            t_next = t + step
            for _ in range(rng.randint(0, 2)):
                inbound = rng.random() < 0.35
                self.activity(t + rng.random() * step, "email", "inbound" if inbound else "outbound",
                              "received" if inbound else "sent", contact, ae, deal)
            if rng.random() < 0.11:
                deal["history"].append(("closedlost", t_next))
                deal["closed"], deal["lost_reason"] = t_next, self.pick("lost")
                self.activity(t_next, "call", "outbound", "connected", contact, ae, deal)
                if rng.random() < 0.5:
                    t_r = t_next + rng.uniform(1, 10) * DAY
                    self.stage(contact, t_r, "lead")
                    self.status(contact, t_r, "BAD_TIMING")
                    return t_r
                return None
            if nxt in ("presentationscheduled", "decisionmakerboughtin"):
                self.activity(t_next - rng.uniform(0, 3) * HOUR, "meeting", "outbound", "completed",
                              contact, ae, deal)
            elif nxt == "contractsent":
                self.activity(t_next, "email", "outbound", "sent", contact, ae, deal)
            else:
                self.activity(t_next - rng.uniform(0, 3) * HOUR, "call", "outbound", "connected",
                              contact, ae, deal)
            deal["history"].append((nxt, t_next))
            t = t_next
        deal["closed"], deal["won"] = t, True
        self.stage(contact, t, "customer")
        return None

    # --- a person a rep finds first -------------------------------------------------------
    def sales_sourced_person(self, account: dict | None) -> None:
        rng = self.rng
        created = self.start + rng.random() * (self.end - self.start - 3 * HOUR)
        contact = self.new_contact(account, created, "OFFLINE", "outbound")
        rep = self.sdr_for(contact) if rng.random() < 0.6 else self.ae_for(contact)
        self.stage(contact, created, "lead")
        self.status(contact, created, "NEW")
        self.assign(contact, created, rep)
        t = created + rng.uniform(10 * MINUTE, 2 * DAY)
        contact["first_touch"] = t
        first_touch = t
        qualifies = rng.random() < (0.32 if account else 0.15)
        n = rng.randint(2, 8)
        connect_at = rng.randrange(n) if qualifies else -1
        for i in range(n):
            if i:
                t += rng.uniform(1, 4) * DAY
            if i == connect_at:
                self.touch(contact, t, "call", rep, connected=True)
                self.status(contact, t, "CONNECTED")
                self.qualify(contact, t, rep)
                break
            self.touch(contact, t, None, rep, connected=False)
            if i == 0:
                self.status(contact, t, "ATTEMPTED_TO_CONTACT")
        else:
            if rng.random() < 0.3:
                t += rng.uniform(1, 4) * DAY
                self.touch(contact, t, "call", rep, connected=True)
                self.status(contact, t, "CONNECTED")
                self.status(contact, t + rng.uniform(0, 2) * DAY,
                            "UNQUALIFIED" if rng.random() < 0.5 else "BAD_TIMING")
        if rng.random() < 0.4:
            devices = [self.device()]
            sessions = []
            t = first_touch + rng.uniform(1, 40) * DAY
            for _ in range(rng.randint(1, 4)):
                if t > self.end:
                    break
                sessions.append(self.plan_session(t, self.pick("sales_visit"), 0, contact))
                t += 2 * HOUR + rng.expovariate(1 / (10 * DAY))
            if sessions:
                sessions[0]["form"] = rng.choice(("webinar_signup", "ebook_download"))
                contact["visits_known"] = len(sessions)
                self.emit_visits(contact, sessions, devices)

    # --- a visitor who never says who they are --------------------------------------------
    def anonymous_visitor(self) -> None:
        rng = self.rng
        device = self.device()
        t = self.start + rng.random() * (self.end - self.start)
        sessions = []
        for i in range(1 + min(3, int(rng.expovariate(1 / 0.6)))):
            if t > self.end:
                break
            sessions.append(self.plan_session(t, self.pick("first_touch" if i == 0 else "return"), 0, None))
            t += 2 * HOUR + rng.expovariate(1 / (5 * DAY))
        self.emit_visits(None, sessions, [device])

    # --- web events -----------------------------------------------------------------------
    def emit_visits(self, contact: dict | None, sessions: list[dict], devices: list[dict]) -> None:
        for s in sessions:
            self.emit_session(contact, s, devices[s["dev"]])

    def emit_session(self, contact: dict | None, s: dict, device: dict) -> None:
        end = self.end
        times, paths = s["times"], s["paths"]
        if times[0] > end:
            return
        if s["ad"]:
            campaign, ad = s["ad"]
            key = (campaign["idx"], ad["idx"], int(times[0] // DAY))
            counts = self.ad_days.setdefault(key, [0, 0])
            counts[0] += 1
        if s["email_campaign"] is not None and contact is not None and times[0] >= contact["created"]:
            self.add_member(s["email_campaign"], contact, "responded", times[0])
        previous = None
        for i, (t, path) in enumerate(zip(times, paths)):
            if t > end:
                return
            url = s["url"] if i == 0 else SITE + path
            self.page(t, device, url, path, s["referrer"] if i == 0 else previous,
                      s["utm"] if i == 0 else None)
            previous = url
        form = s["form"]
        if not form and not s["extra"]:
            return
        t = times[-1] + s["offsets"][0]
        path = FORMS[form][1] if form else s["extra"]
        if t > end:
            return
        url = SITE + path
        self.page(t, device, url, path, previous, None)
        if not form:
            return
        t += s["offsets"][1]
        if t > end:
            return
        self.events.append({
            "messageId": self.uuid(), "type": "track", "event": "Form Submitted",
            "anonymousId": device["anon"], "userId": device["user_id"], "timestamp": t,
            "context": self.context(device, url, path, previous, None),
            "properties": {"form_id": FORMS[form][0], "form_name": form, "page_path": path},
        })
        if s["ad"]:
            counts[1] += 1
        if form == "webinar_signup" and contact is not None:
            self.register_for_webinar(contact, t)
        t += s["offsets"][2]
        if t > end or contact is None:
            return
        device["user_id"] = contact["email"]
        traits = {"email": contact["email"], "firstName": contact["first"], "lastName": contact["last"]}
        if contact["account"]:
            traits["company"] = contact["account"]["name"]
        self.events.append({
            "messageId": self.uuid(), "type": "identify", "anonymousId": device["anon"],
            "userId": contact["email"], "timestamp": t,
            "context": self.context(device, url, path, previous, None), "traits": traits,
        })

    def page(self, t: float, device: dict, url: str, path: str, referrer: str | None, utm: dict | None) -> None:
        referrer = referrer if referrer is not None else ""
        self.events.append({
            "messageId": self.uuid(), "type": "page", "anonymousId": device["anon"],
            "userId": device["user_id"], "timestamp": t,
            "context": self.context(device, url, path, referrer, utm),
            "properties": {"path": path, "url": url, "referrer": referrer, "title": TITLES[path]},
        })

    @staticmethod
    def context(device: dict, url: str, path: str, referrer: str | None, utm: dict | None) -> dict:
        context = {"page": {"path": path, "url": url, "referrer": referrer or "", "title": TITLES[path]},
                   "userAgent": device["ua"], "ip": device["ip"],
                   "library": {"name": "analytics.js", "version": "next-1.74.0"}}
        if utm:
            context["campaign"] = dict(utm)
        return context

    def register_for_webinar(self, contact: dict, t: float) -> None:
        i = bisect.bisect_right(self.webinar_times, t + HOUR)
        if i >= len(self.webinars):
            return
        webinar = self.webinars[i]
        if webinar["at"] <= self.end and self.rng.random() < 0.45:
            self.add_member(webinar, contact, "attended", webinar["at"] + self.rng.uniform(0, 10) * MINUTE)
        else:
            self.add_member(webinar, contact, "registered", None)

    # --- after everyone has lived their journey -------------------------------------------
    def delete_a_few_contacts(self) -> None:
        rng = self.rng
        for contact in self.contacts:
            if contact["has_deal"] or rng.random() >= 0.006:
                continue
            last = max([contact["created"], *(t for t, _ in contact["stages"] + contact["statuses"] + contact["owners"])])
            t = last + rng.uniform(1, 60) * DAY
            if t <= self.end:
                contact["deleted_at"] = t

    def add_campaign_audiences(self) -> None:
        """Newsletter recipients, nurture enrolment and event attendees."""
        rng = self.rng
        for newsletter in self.newsletters:
            for contact in self.contacts:
                if contact["created"] < newsletter["at"] and rng.random() < 0.5 and not (
                        contact["deleted_at"] and contact["deleted_at"] < newsletter["at"]):
                    self.add_member(newsletter, contact, "sent", None)
        for contact in self.contacts:
            if not contact["sales_sourced"] and any(s == "lead" for _, s in contact["stages"]):
                self.add_member(self.nurture, contact, "sent", None)
        for event in self.events_crm:
            for contact in self.contacts:
                if contact["created"] < event["at"] - 3 * DAY and rng.random() < 0.04:
                    if rng.random() < 0.55:
                        self.add_member(event, contact, "attended", event["at"] + rng.uniform(0, 8) * HOUR)
                    else:
                        self.add_member(event, contact, "registered", None)

    def finish(self) -> dict[str, list[dict]]:
        rng = self.rng
        end = self.end
        cdt = _crm_time
        tables: dict[str, list[dict]] = {name: [] for name in TABLE_NAMES}

        for i, contact in enumerate(sorted(self.contacts, key=lambda c: (c["created"], c["seq"]))):
            contact["id"] = f"con_{i + 1:06d}"
        for account in self.accounts:
            account["created"] = max(self.start, min(c["created"] for c in account["contacts"])
                                     - rng.uniform(0, 600))
        for i, account in enumerate(sorted(self.accounts, key=lambda a: (a["created"], a["seq"]))):
            account["id"] = f"acc_{i + 1:05d}"
        live_deals = sorted((d for d in self.deals if d["created"] <= end), key=lambda d: (d["created"], d["seq"]))
        for i, deal in enumerate(live_deals):
            deal["id"] = f"deal_{i + 1:06d}"

        tables["crm_owners"] = [dict(o) for o in self.owners]

        account_touched: dict[int, float] = {}
        for contact in sorted(self.contacts, key=lambda c: c["id"]):
            stages = sorted((t, s) for t, s in contact["stages"] if t <= end)
            statuses = sorted((t, s) for t, s in contact["statuses"] if t <= end)
            owners = sorted((t, o) for t, o in contact["owners"] if t <= end)
            became: dict[str, float] = {}
            for t, s in stages:
                if s in _BECAME and _BECAME[s] not in became:
                    became[_BECAME[s]] = t
                tables["crm_contact_stage_history"].append(
                    {"contact_id": contact["id"], "lifecycle_stage": s, "entered_at": cdt(t)})
            stage = stages[-1][1]
            if "became_mql_at" in became and stage in _SCORED_STAGES:
                score = rng.randint(65, 100) if stage == "customer" else rng.randint(50, 92)
            else:
                score = min(49, 4 + 6 * contact["visits_known"] + rng.randint(0, 12))
            updated = max([contact["created"], *(t for t, _ in stages + statuses + owners)])
            if contact["deleted_at"]:
                updated = max(updated, contact["deleted_at"])
            account = contact["account"]
            if account:
                account_touched[account["seq"]] = max(account_touched.get(account["seq"], 0.0), contact["created"])
            row = {"contact_id": contact["id"], "email": contact["crm_email"],
                   "account_id": account["id"] if account else None,
                   "owner_id": owners[-1][1] if owners else None, "lifecycle_stage": stage,
                   "lead_status": statuses[-1][1] if statuses else None, "lead_score": score,
                   "original_source": contact["source"], "created_at": cdt(contact["created"]),
                   "updated_at": cdt(updated), "is_deleted": contact["deleted_at"] is not None}
            for column in ("became_lead_at", "became_mql_at", "became_sql_at",
                           "became_opportunity_at", "became_customer_at"):
                row[column] = cdt(became[column]) if column in became else None
            tables["crm_contacts"].append(row)

        for deal in live_deals:
            history = [(s, t) for s, t in deal["history"] if t <= end]
            closed = deal["closed"] is not None and deal["closed"] <= end
            for s, t in history:
                tables["crm_deal_stage_history"].append(
                    {"deal_id": deal["id"], "deal_stage": s, "entered_at": cdt(t)})
            account = deal["account"]
            if account:
                account_touched[account["seq"]] = max(account_touched.get(account["seq"], 0.0), history[-1][1])
            tables["crm_deals"].append({
                "deal_id": deal["id"], "account_id": account["id"] if account else None,
                "contact_id": deal["contact"]["id"], "owner_id": deal["owner"]["owner_id"],
                "pipeline": "default", "deal_stage": history[-1][0], "amount": deal["amount"],
                "currency": deal["currency"], "created_at": cdt(deal["created"]),
                "closed_at": cdt(deal["closed"]) if closed else None, "is_closed": closed,
                "is_won": closed and deal["won"], "lost_reason": deal["lost_reason"] if closed else None,
                "updated_at": cdt(history[-1][1]), "is_deleted": False,
            })

        for account in sorted(self.accounts, key=lambda a: a["id"]):
            touched = max(account["created"], account_touched.get(account["seq"], 0.0))
            tables["crm_accounts"].append({
                "account_id": account["id"], "name": account["name"], "domain": account["domain"],
                "industry": account["industry"], "region": account["region"],
                "country": account["country"], "employee_count": account["employees"],
                "annual_revenue": account["revenue"], "owner_id": account["owner"]["owner_id"],
                "created_at": cdt(account["created"]),
                "updated_at": cdt(min(end, touched + rng.uniform(0, 3) * DAY)), "is_deleted": False,
            })

        for i, (t, _, kind, direction, outcome, contact, owner_id, deal) in enumerate(sorted(self.activities)):
            account = contact["account"]
            tables["crm_activities"].append({
                "activity_id": f"act_{i + 1:07d}", "activity_type": kind, "direction": direction,
                "contact_id": contact["id"], "account_id": account["id"] if account else None,
                "deal_id": deal["id"] if deal else None, "owner_id": owner_id,
                "occurred_at": cdt(t), "outcome": outcome,
            })

        for member in sorted(self.members.values(), key=lambda m: (m["campaign"]["id"], m["contact"]["id"])):
            campaign = member["campaign"]
            tables["crm_campaign_members"].append({
                "campaign_id": campaign["id"], "contact_id": member["contact"]["id"],
                "member_status": member["status"],
                "responded_at": cdt(member["responded_at"]) if member["responded_at"] is not None else None,
                "campaign_name": campaign["name"], "campaign_type": campaign["type"],
            })

        tables["ads_campaigns"] = [
            {"platform": c["platform"], "campaign_id": c["campaign_id"], "campaign_name": c["name"],
             "utm_source": c["utm_source"], "utm_medium": c["utm_medium"], "utm_campaign": c["utm_campaign"]}
            for c in self.ad_campaigns]
        tables["ads_ad_performance_daily"] = self.ad_performance()
        tables["web_events"] = self.web_events()
        return tables

    def ad_performance(self) -> list[dict]:
        """Platform-reported daily numbers: at least the sessions analytics saw, plus more."""
        rng = self.rng
        rows = []
        for campaign in self.ad_campaigns:
            currency, ctr, price = campaign["currency"], campaign["ctr"], campaign["price"]
            for day in range(max(campaign["first_day"], self.first_day), min(campaign["last_day"], self.last_day) + 1):
                for ad in campaign["ads"]:
                    sessions, forms = self.ad_days.get((campaign["idx"], ad["idx"], day), (0, 0))
                    clicks = sessions + int(sessions * rng.uniform(0.05, 0.3) + 0.5) + _poisson(rng, 0.4)
                    impressions = max(clicks, int((clicks + rng.random()) / (ctr * rng.uniform(0.8, 1.25))))
                    if campaign["platform"] == "google_ads":
                        spend = clicks * price * rng.uniform(0.85, 1.15)
                        conversions = float(forms)
                    else:
                        spend = impressions / 1000 * price * rng.uniform(0.9, 1.1)
                        conversions = round(forms * rng.uniform(1.0, 1.3), 2) if forms else 0.0
                    rows.append({
                        "platform": campaign["platform"], "date": _EPOCH_DATE + timedelta(days=day),
                        "campaign_id": campaign["campaign_id"], "ad_group_id": ad["ad_group_id"],
                        "ad_id": ad["ad_id"], "currency": currency, "spend": round(spend, 2),
                        "impressions": impressions, "clicks": clicks, "conversions": conversions,
                    })
        return rows

    def web_events(self) -> list[dict]:
        """Time-ordered events with aware timestamps, and ~0.5% delivered twice."""
        rng = self.rng
        events = sorted(self.events, key=lambda e: e["timestamp"])
        out = []
        for event in events:
            event["timestamp"] = _web_time(event["timestamp"])
            out.append(event)
            if rng.random() < 0.005:
                out.append(copy.deepcopy(event))
        return out


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _crm_time(t: float) -> datetime:
    return _EPOCH + timedelta(seconds=math.floor(t))


def _web_time(t: float) -> datetime:
    return _EPOCH + timedelta(milliseconds=math.floor(t * 1000))
