"""Demo and benchmark data for members: org units, people, profiles and expertise.

`seed_demo_members()` builds the realistic demo set (idempotent). `seed_scaled_members(scale)` adds a
benchmark set with bulk inserts: 100 people per unit of scale, on top of whatever is there already, so the
query-count helper can grow the data tenfold by calling it again.
"""

import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from members.models import OrgUnit, Profile, Tag, User

DEMO_PASSWORD = "copsite-demo"  # noqa: S105 - published demo credential, printed by seed_demo
DEMO_DOMAIN = "demo.copsite.example"
BENCH_DOMAIN = "bench.copsite.example"
PEOPLE_PER_SCALE = 100

ORG_TREE = {
    "Engineering": {
        "Platform Engineering": ["Cloud Infrastructure", "Developer Experience"],
        "Product Engineering": ["Web Applications", "Mobile Apps"],
        "Quality & Reliability": ["Test Automation"],
    },
    "Operations": {
        "Manufacturing": ["Line Maintenance", "Process Improvement"],
        "Supply Chain": ["Procurement", "Logistics"],
        "Health & Safety": ["Site Safety"],
    },
    "Customers & Markets": {
        "Customer Success": ["Onboarding", "Support"],
        "Marketing": ["Content", "Market Research"],
        "Data & Analytics": ["Business Intelligence", "Data Science"],
    },
}

# One person a line: full name | job title | team | location | expertise, comma-separated | "staff" for staff.
PEOPLE_TABLE = """
Amara Okafor | Head of Platform Engineering | Cloud Infrastructure | Berlin | Kubernetes, Site reliability, Incident response | staff
Jonas Becker | Senior SRE | Cloud Infrastructure | Berlin | Site reliability, Observability, PostgreSQL
Priya Raman | Staff Engineer | Developer Experience | London | Developer tooling, Python, Code review
Lucas Moreau | Engineering Manager | Web Applications | Lyon | Agile coaching, Accessibility, Django
Sofia Lindqvist | Frontend Developer | Web Applications | Stockholm | Accessibility, Design systems, JavaScript
Mateo García | Mobile Developer | Mobile Apps | Madrid | Kotlin, Swift, Usability testing
Hannah Schmidt | QA Lead | Test Automation | Munich | Test automation, Exploratory testing, Playwright
Kenji Watanabe | Reliability Engineer | Test Automation | Tokyo | Chaos engineering, Observability
Fatima Zahra El Idrissi | Director of Operations | Process Improvement | Casablanca | Lean, Six Sigma, Change management
Tomasz Nowak | Maintenance Planner | Line Maintenance | Wrocław | Predictive maintenance, Root cause analysis
Grace Mensah | Process Engineer | Process Improvement | Accra | Lean, Kaizen, Value stream mapping
Oliver Bennett | Maintenance Technician | Line Maintenance | Leeds | Root cause analysis, Hydraulics
Isabella Rossi | Procurement Manager | Procurement | Milan | Supplier management, Negotiation
Ahmed Hassan | Logistics Analyst | Logistics | Cairo | Route optimisation, Forecasting
Mei Chen | Supply Planner | Logistics | Singapore | Forecasting, Inventory planning, Excel modelling
Daniel Kowalski | Safety Officer | Site Safety | Gdańsk | Risk assessment, Incident investigation
Aisha Bello | HSE Manager | Site Safety | Lagos | Risk assessment, Safety culture, Change management
Emma Johansson | VP Customer Success | Onboarding | Gothenburg | Customer onboarding, Coaching | staff
Carlos Mendes | Onboarding Specialist | Onboarding | Lisbon | Customer onboarding, Training design
Nora Haddad | Support Team Lead | Support | Beirut | Knowledge management, Customer support, Coaching
Liam O'Connor | Support Engineer | Support | Dublin | Customer support, SQL, Troubleshooting
Yuki Tanaka | Content Strategist | Content | Osaka | Technical writing, Storytelling
Chloé Dubois | Marketing Manager | Content | Paris | Storytelling, Brand strategy
Samuel Adeyemi | Market Researcher | Market Research | Nairobi | User research, Survey design, Interviewing
Elena Petrova | Head of Data | Data Science | Sofia | Machine learning, Statistics, Data governance
Ravi Kumar | Data Scientist | Data Science | Bangalore | Machine learning, Python, Forecasting
Laura Fischer | BI Developer | Business Intelligence | Vienna | Dashboards, SQL, Data visualisation
Marcus Johnson | Analytics Engineer | Business Intelligence | Chicago | dbt, SQL, Data modelling
Ingrid Halvorsen | Knowledge Manager | Support | Oslo | Knowledge management, Communities of practice, Facilitation
Diego Fernández | Agile Coach | Developer Experience | Buenos Aires | Agile coaching, Facilitation, Retrospectives
Zainab Yusuf | UX Researcher | Market Research | Abuja | User research, Usability testing, Accessibility
Henrik Larsen | Plant Manager | Process Improvement | Aarhus | Operational excellence, Lean
Anna Kovács | Learning Designer | Onboarding | Budapest | Training design, Facilitation, E-learning
Pedro Alves | Cloud Architect | Cloud Infrastructure | Porto | Cloud architecture, Security, Kubernetes
Sarah Cohen | Security Engineer | Developer Experience | Tel Aviv | Security, Threat modelling
Thabo Nkosi | Continuous Improvement Lead | Process Improvement | Johannesburg | Kaizen, Coaching, Lean
"""


def _person(line: str) -> tuple[str, str, str, str, list[str], bool]:
    name, title, team, location, expertise, *staff = (part.strip() for part in line.split("|"))
    return name, title, team, location, [e.strip() for e in expertise.split(",")], staff == ["staff"]


# (full name, job title, team, location, expertise, staff?)
PEOPLE = [_person(line) for line in PEOPLE_TABLE.strip().splitlines()]

WORDS = [
    "Kubernetes",
    "Lean",
    "Facilitation",
    "Python",
    "Safety",
    "Forecasting",
    "Accessibility",
    "SQL",
    "Coaching",
    "Storytelling",
    "Research",
    "Security",
    "Testing",
    "Maintenance",
    "Logistics",
    "Design",
    "Analytics",
    "Onboarding",
    "Writing",
    "Negotiation",
]
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Maria",
    "Ken",
    "Lena",
    "Omar",
    "Julia",
    "Noah",
    "Ines",
    "Raj",
    "Eva",
    "Tariq",
    "Mia",
    "Luca",
    "Sara",
    "Ivan",
    "Nia",
    "Hugo",
    "Lea",
    "Ade",
]
LAST_NAMES = [
    "Berg",
    "Silva",
    "Novak",
    "Ito",
    "Kaur",
    "Weber",
    "Costa",
    "Okoye",
    "Dahl",
    "Rossi",
    "Khan",
    "Meyer",
    "Sato",
    "Lopez",
    "Nagy",
    "Owusu",
    "Popescu",
    "Park",
    "Moreno",
    "Haas",
]
LOCATIONS = [
    "Berlin",
    "London",
    "Madrid",
    "Tokyo",
    "Nairobi",
    "Toronto",
    "Sydney",
    "Warsaw",
    "Paris",
    "Lagos",
]


@dataclass
class DemoLogin:
    email: str
    role: str


def demo_email(full_name: str) -> str:
    local = full_name.lower().replace("'", "").replace(" ", ".")
    local = local.translate(
        str.maketrans("áàâãäçéèêëíìîïñóòôõöúùûüýłńśźżő", "aaaaaceeeeiiiinooooouuuuylnszzo")
    )
    return f"{local}@{DEMO_DOMAIN}"


@transaction.atomic
def seed_demo_members() -> list[DemoLogin]:
    """Create (or find) the demo org units and people; returns the logins to print."""
    teams: dict[str, OrgUnit] = {}
    for division_name, departments in ORG_TREE.items():
        division, _ = OrgUnit.objects.get_or_create(
            name=division_name, parent=None, kind=OrgUnit.Kind.DIVISION
        )
        for department_name, team_names in departments.items():
            department, _ = OrgUnit.objects.get_or_create(
                name=department_name, parent=division, kind=OrgUnit.Kind.DEPARTMENT
            )
            for team_name in team_names:
                team, _ = OrgUnit.objects.get_or_create(
                    name=team_name, parent=department, kind=OrgUnit.Kind.TEAM
                )
                teams[team_name] = team

    password = make_password(DEMO_PASSWORD)
    logins: list[DemoLogin] = []
    for full_name, job_title, team_name, location, expertise, staff in PEOPLE:
        email = demo_email(full_name)
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "org_unit": teams[team_name],
                "password": password,
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        profile, _ = Profile.objects.get_or_create(
            user=user, defaults={"job_title": job_title, "location": location, "time_zone": "Europe/Berlin"}
        )
        if created:
            profile.bio = f"{job_title} in {team_name}, based in {location}. Happy to talk about {expertise[0].lower()}."
            profile.save(update_fields=["bio"])
            profile.expertise.set([Tag.objects.get_or_create(name=name)[0] for name in expertise])
        if staff:
            logins.append(DemoLogin(email=email, role="staff (administration)"))
    logins.append(DemoLogin(email=demo_email("Priya Raman"), role="member"))
    return logins


@dataclass
class ScaledMembers:
    """What one benchmark batch added, for the apps that seed on top of it."""

    users: list[User]
    tags: list[Tag]
    teams: list[OrgUnit]


@transaction.atomic
def seed_scaled_members(scale: int, *, rng: random.Random | None = None) -> ScaledMembers:
    """Add PEOPLE_PER_SCALE * scale benchmark people (with org units, tags and profiles) in bulk.

    Additive: names are numbered after the benchmark rows already present, so calling it again grows every
    table by the same factor. Returns what it added.
    """
    rng = rng or random.Random(scale)
    start = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").count()
    batch = f"b{start}"

    divisions = OrgUnit.objects.bulk_create(
        [OrgUnit(name=f"Division {batch}-{i}", kind=OrgUnit.Kind.DIVISION) for i in range(scale)]
    )
    departments = OrgUnit.objects.bulk_create(
        [
            OrgUnit(name=f"Department {batch}-{i}", kind=OrgUnit.Kind.DEPARTMENT, parent=divisions[i // 3])
            for i in range(3 * scale)
        ]
    )
    teams = OrgUnit.objects.bulk_create(
        [
            OrgUnit(name=f"Team {batch}-{i}", kind=OrgUnit.Kind.TEAM, parent=departments[i // 2])
            for i in range(6 * scale)
        ]
    )
    tags = Tag.objects.bulk_create(
        [
            Tag(
                name=f"{WORDS[i % len(WORDS)]} {batch}-{i}",
                slug=f"{WORDS[i % len(WORDS)].lower()}-{batch}-{i}",
            )
            for i in range(20 * scale)
        ]
    )

    password = make_password(DEMO_PASSWORD)  # hashed once: a Django password hash costs ~0.3 s
    count = PEOPLE_PER_SCALE * scale
    users = User.objects.bulk_create(
        [
            User(
                email=f"member{start + i}@{BENCH_DOMAIN}",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {start + i}",
                org_unit=rng.choice(teams),
                password=password,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
        batch_size=2000,
    )
    profiles = Profile.objects.bulk_create(
        [
            Profile(user=user, job_title=f"{rng.choice(WORDS)} specialist", location=rng.choice(LOCATIONS))
            for user in users
        ],
        batch_size=2000,
    )
    through = Profile.expertise.through
    through.objects.bulk_create(
        [
            through(profile_id=profile.pk, tag_id=tag.pk)
            for profile in profiles
            for tag in rng.sample(tags, k=min(3, len(tags)))
        ],
        batch_size=5000,
    )
    return ScaledMembers(users=users, tags=tags, teams=teams)
