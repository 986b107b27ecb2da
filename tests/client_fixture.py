"""A small hand-built client whose people, paths and gaps are known by heart.

G  Global HQ        ceo (DECISION_MAKER), cpo -> ceo
R  Region EMEA      rpres -> ceo (solid), rpres -> cpo (dotted)
N  Germany          nat -> rpres
S  Bavaria          site -> nat
N2 France           buyer (no manager)

influence: site -0.5-> nat -0.8-> cpo -0.9-> ceo ; buyer -0.4-> cpo
P1 ATTACK:  ceo DECISION_MAKER, cpo INFLUENCER, nat CHAMPION, buyer BLOCKER (partner ptn)
P2 DEFEND:  ceo DECISION_MAKER (no champion)
our team:   am (ACCOUNT_MANAGER, mirrors G), mk (MARKETING)
knows:      am -0.9-> site, am -0.5-> cpo, mk -0.6-> site
talks:      am+site 10 days ago, am+cpo 200 days ago, mk+site never
needs:      need-int requires cap-int (offered by area ar); need-ptn requires cap-ptn
            (offered by partner ptn, which was on P1 here and on a project at `other`)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from graph.contact_keys import keep_account_ids
from tests import factories
from tests.conftest import Backend

BUILD = """
MERGE (a:Account {id: $p + '-acc'})
  SET a.name = 'Fixture ' + $p, a.segment = 'Industrial', a.industry = 'Machinery', a.tier = 'A',
      a.status = 'ACTIVE', a.marketPotential = 12500000.0, a.createdAt = datetime(),
        a.updatedAt = datetime()
MERGE (o:Account {id: $p + '-other'})
  SET o.name = 'Other ' + $p, o.segment = 'Energy', o.status = 'ACTIVE', o.marketPotential = 3.0
WITH a, o
UNWIND $units AS u
MERGE (x:ClientUnit {id: $p + '-' + u.key}) SET x.name = u.name, x.level = u.level,
  x.country = u.country
MERGE (a)-[:HAS_UNIT]->(x)
WITH DISTINCT a, o
UNWIND $tree AS t
MATCH (pu:ClientUnit {id: $p + '-' + t[0]}), (cu:ClientUnit {id: $p + '-' + t[1]})
MERGE (pu)-[:PARENT_OF]->(cu)
WITH DISTINCT a, o
UNWIND $people AS c
MERGE (x:Contact {id: $p + '-' + c.key})
  SET x.name = c.name, x.title = c.title, x.buyingRole = c.role,
      x.email = c.key + '@client.example',
      x.phone = '+49 1', x.linkedinUrl = 'https://www.linkedin.com/in/' + c.key
WITH DISTINCT a, o, c
MATCH (x:Contact {id: $p + '-' + c.key}), (u:ClientUnit {id: $p + '-' + c.unit})
MERGE (x)-[:WORKS_IN]->(u)
WITH DISTINCT a, o
UNWIND $lines AS l
MATCH (f:Contact {id: $p + '-' + l[0]}), (t:Contact {id: $p + '-' + l[1]})
MERGE (f)-[r:REPORTS_TO]->(t) SET r.kind = l[2]
WITH DISTINCT a, o
UNWIND $influence AS i
MATCH (f:Contact {id: $p + '-' + i[0]}), (t:Contact {id: $p + '-' + i[1]})
MERGE (f)-[r:INFLUENCES]->(t) SET r.strength = i[2]
WITH DISTINCT a, o
MERGE (p1:Project {id: $p + '-p1'}) SET p1.name = 'Attack line', p1.kind = 'ATTACK',
  p1.status = 'OPEN', p1.value = 400000.0
MERGE (p2:Project {id: $p + '-p2'}) SET p2.name = 'Defend frame', p2.kind = 'DEFEND',
  p2.status = 'OPEN', p2.value = 900000.0
MERGE (a)-[:HAS_PROJECT]->(p1) MERGE (a)-[:HAS_PROJECT]->(p2)
MERGE (po:Project {id: $p + '-po'}) SET po.name = 'Other project', po.kind = 'ATTACK',
  po.status = 'OPEN'
MERGE (o)-[:HAS_PROJECT]->(po)
WITH DISTINCT a, o
UNWIND $decides AS d
MATCH (c:Contact {id: $p + '-' + d[0]}), (pr:Project {id: $p + '-' + d[1]})
MERGE (c)-[r:DECIDES]->(pr) SET r.role = d[2]
WITH DISTINCT a, o
MERGE (am:TeamMember {id: $p + '-am'}) SET am.name = 'Alma Manager', am.segments = ['Industrial']
MERGE (mk:TeamMember {id: $p + '-mk'}) SET mk.name = 'Mika Marketing', mk.segments = []
MERGE (am)-[t1:ON_TEAM]->(a) SET t1.role = 'ACCOUNT_MANAGER', t1.from = $since, t1.until = null
MERGE (mk)-[t2:ON_TEAM]->(a) SET t2.role = 'MARKETING', t2.from = $since, t2.until = null
WITH a, o, am, mk
MATCH (g:ClientUnit {id: $p + '-G'}) MERGE (am)-[:MIRRORS]->(g)
WITH DISTINCT a, o
UNWIND $knows AS k
MATCH (m:TeamMember {id: $p + '-' + k[0]}), (c:Contact {id: $p + '-' + k[1]})
MERGE (m)-[r:KNOWS]->(c) SET r.strength = k[2], r.since = $since
WITH DISTINCT a, o
UNWIND $talks AS k
MATCH (m:TeamMember {id: $p + '-' + k[0]}), (c:Contact {id: $p + '-' + k[1]})
MERGE (i:Interaction {id: $p + '-int-' + k[0] + '-' + k[1]})
  SET i.at = k[2], i.channel = 'MEETING', i.summary = 'Talked with ' + c.name
MERGE (i)-[:ABOUT]->(a) MERGE (i)-[:WITH]->(c) MERGE (i)-[:BY]->(m)
WITH DISTINCT a, o
MERGE (ar:FunctionalArea {id: $p + '-area'}) SET ar.name = 'Area ' + $p
MERGE (ci:Capability {id: $p + '-cap-int'}) SET ci.name = 'Internal capability'
MERGE (cp:Capability {id: $p + '-cap-ptn'}) SET cp.name = 'Partner capability'
MERGE (ptn:Partner {id: $p + '-ptn'}) SET ptn.name = 'Partner ' + $p
MERGE (ar)-[:OFFERS]->(ci) MERGE (ptn)-[:OFFERS]->(cp)
MERGE (ni:Need {id: $p + '-need-int'}) SET ni.name = 'Needs internal'
MERGE (np:Need {id: $p + '-need-ptn'}) SET np.name = 'Needs partner'
MERGE (a)-[:HAS_NEED]->(ni) MERGE (a)-[:HAS_NEED]->(np)
MERGE (ni)-[:REQUIRES]->(ci) MERGE (np)-[:REQUIRES]->(cp)
WITH a, o, ptn
MATCH (p1:Project {id: $p + '-p1'}), (po:Project {id: $p + '-po'})
MERGE (p1)-[:WITH_PARTNER]->(ptn) MERGE (po)-[:WITH_PARTNER]->(ptn)
MERGE (k:Competitor {id: $p + '-comp'}) SET k.name = 'Rival ' + $p
MERGE (k)-[r:COMPETES_AT]->(a) SET r.share = 0.3, r.position = 'LEADER'
RETURN a.id AS id
"""


@dataclass(frozen=True)
class ClientFixture:
    prefix: str
    account: str
    other: str

    def id(self, key: str) -> str:
        return f"{self.prefix}-{key}"


def build_client(backend: Backend, prefix: str) -> ClientFixture:
    now = datetime.now(UTC)
    backend.write(
        BUILD,
        p=prefix,
        since=date(2020, 1, 1),
        units=[
            {"key": "G", "name": "Global HQ", "level": "GLOBAL", "country": None},
            {"key": "R", "name": "Region EMEA", "level": "REGIONAL", "country": None},
            {"key": "N", "name": "Germany", "level": "NATIONAL", "country": "Germany"},
            {"key": "S", "name": "Bavaria", "level": "STATE", "country": "Germany"},
            {"key": "N2", "name": "France", "level": "NATIONAL", "country": "France"},
        ],
        tree=[["G", "R"], ["R", "N"], ["N", "S"], ["R", "N2"]],
        people=[
            {
                "key": "ceo",
                "name": "Cora CEO",
                "title": "CEO",
                "role": "DECISION_MAKER",
                "unit": "G",
            },
            {
                "key": "cpo",
                "name": "Carl CPO",
                "title": "Chief Procurement Officer",
                "role": "USER",
                "unit": "G",
            },
            {
                "key": "rpres",
                "name": "Rita President",
                "title": "Regional President",
                "role": "USER",
                "unit": "R",
            },
            {
                "key": "nat",
                "name": "Nina National",
                "title": "Country Manager",
                "role": "USER",
                "unit": "N",
            },
            {
                "key": "site",
                "name": "Sam Site",
                "title": "Site Manager",
                "role": "USER",
                "unit": "S",
            },
            {"key": "buyer", "name": "Bea Buyer", "title": "Buyer", "role": "USER", "unit": "N2"},
        ],
        lines=[
            ["cpo", "ceo", "SOLID"],
            ["rpres", "ceo", "SOLID"],
            ["rpres", "cpo", "DOTTED"],
            ["nat", "rpres", "SOLID"],
            ["site", "nat", "SOLID"],
        ],
        influence=[
            ["site", "nat", 0.5],
            ["nat", "cpo", 0.8],
            ["cpo", "ceo", 0.9],
            ["buyer", "cpo", 0.4],
        ],
        decides=[
            ["ceo", "p1", "DECISION_MAKER"],
            ["cpo", "p1", "INFLUENCER"],
            ["nat", "p1", "CHAMPION"],
            ["buyer", "p1", "BLOCKER"],
            ["ceo", "p2", "DECISION_MAKER"],
        ],
        knows=[["am", "site", 0.9], ["am", "cpo", 0.5], ["mk", "site", 0.6]],
        talks=[["am", "site", now - timedelta(days=10)], ["am", "cpo", now - timedelta(days=200)]],
    )
    # As every write that places contacts does (graph/contact_keys.py).
    units = [f"{prefix}-{key}" for key in ("G", "R", "N", "S", "N2")]
    backend.run(keep_account_ids(backend.db.write, unit_ids=units))
    return ClientFixture(prefix, f"{prefix}-acc", f"{prefix}-other")


def am_login(backend: Backend, client: ClientFixture) -> str:
    """A login that is the fixture's account manager (segment Industrial)."""
    from datetime import UTC, datetime

    from graph.users import upsert_user

    username = f"{client.prefix}-am-user"
    backend.run(
        upsert_user(
            backend.db,
            f"user-{username}",
            username,
            factories._HASH,
            ["ACCOUNT_MANAGER"],
            client.id("am"),
            datetime.now(UTC),
        )
    )
    return username
