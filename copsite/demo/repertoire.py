"""Demo and benchmark data for the repertoire: resources (with a small PDF), revisions, applied stories,
collections and the ledger rows the services would have written.

`seed_demo_resources()` builds the realistic set (idempotent: communities that already have resources are left
alone). `seed_scaled_resources(scale, communities)` adds RESOURCES_PER_SCALE * scale resources with bulk inserts.
"""

import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from activities.models import Discussion
from communities.models import Community, Membership, Participation
from members.models import Tag
from repertoire.models import Application, Collection, CollectionItem, Resource, ResourceFile, Revision

RESOURCES_PER_SCALE = 200
Kind = Resource.Kind
Status = Resource.Status
BENCH_FILE = "repertoire/bench/sample.pdf"


def minimal_pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica text), written by hand: no dependency needed."""

    def escape(text: str) -> str:
        ascii_text = text.encode("latin-1", "replace").decode("latin-1")
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 18 Tf 72 760 Td ({escape(title)}) Tj ET"]
    for n, line in enumerate(lines):
        rows.append(f"BT /F1 11 Tf 72 {728 - 18 * n} Td ({escape(line)}) Tj ET")
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# (title, kind, summary, body, tags, with a PDF)
CATALOGUE: dict[str, list[tuple[str, str, str, str, list[str], bool]]] = {
    "site-reliability-guild": [
        (
            "Blameless incident review checklist",
            Kind.TEMPLATE,
            "The twelve questions we walk through after every incident, timeline first and causes second.",
            "## Before the review\n\n- Collect the timeline from chat and alerts.\n- Invite the people involved "
            "and one facilitator from another team.\n\n## During\n\n1. Walk the timeline without names.\n"
            "2. List contributing causes, never a single root cause.\n3. Agree on at most three actions.\n\n"
            "## After\n\nPublish the review within five working days.",
            ["incident reviews", "on-call"],
            True,
        ),
        (
            "Error budgets made us ship faster",
            Kind.STORY,
            "How the payments team used its error budget to argue for, not against, more frequent releases.",
            "We agreed a 99.9% objective with product. When the budget was healthy we shipped daily; when it "
            "burned we paused features and fixed reliability. Releases went from monthly to daily in a quarter.",
            ["error budgets", "release engineering"],
            False,
        ),
    ],
    "accessibility-champions": [
        (
            "Keyboard-first audit of a web journey",
            Kind.PRACTICE,
            "Walk a journey with the keyboard only before anything else: it finds half the problems in an hour.",
            "1. Unplug the mouse.\n2. Tab through the journey: is the focus always visible?\n3. Can every "
            "control be reached and used?\n4. Does a dialog keep and return the focus?\n\nNote each problem with "
            "the page, the control and what happened.",
            ["audits", "keyboard"],
            True,
        ),
        (
            "Contrast is not only for text",
            Kind.LESSON,
            "Icons, focus rings and form borders need 3:1 contrast too; our design tokens missed it for a year.",
            "We checked text contrast in CI, but the focus ring on our brand colour was 1.9:1. Add non-text "
            "contrast (WCAG 1.4.11) to the checks of your design system.",
            ["contrast", "design systems"],
            False,
        ),
    ],
    "lean-practitioners": [
        (
            "A3 problem-solving template",
            Kind.TEMPLATE,
            "One page from background to follow-up: the A3 we use on the shop floor.",
            "Background · Current condition · Goal · Root-cause analysis · Countermeasures · Plan · Follow-up.\n\n"
            "Fill it in pencil, with the team, at the place where the work happens.",
            ["a3", "kaizen"],
            True,
        ),
        (
            "Why our first value-stream map failed",
            Kind.LESSON,
            "We mapped from the meeting room. Walk the stream first, with a stopwatch.",
            "The map we drew from memory showed four steps; the real stream had eleven, and two queues that "
            "held work for days. Walk it, time it, then map it.",
            ["value stream mapping"],
            False,
        ),
    ],
}
GENERIC = [
    (
        "How {name} runs its monthly show-and-tell",
        Kind.PRACTICE,
        "Three members, ten minutes each, one question from the floor: the format that keeps people coming.",
        "- Ask three members a week ahead.\n- Ten minutes each: the problem, what they tried, what happened.\n"
        "- One question each from the floor, then the next.\n\nRecord it and link the recording here.",
        ["meetings", "sharing"],
    ),
    (
        "Onboarding guide to {name}",
        Kind.DOCUMENT,
        "Where things are, who to ask, and the three resources to read first.",
        "Welcome! Start with the charter on the community's home, then read the resources in the "
        "*Start here* collection. Introduce yourself in the discussions.",
        ["onboarding"],
    ),
    (
        "FAQ: how do I propose a topic for a {name} session?",
        Kind.FAQ,
        "Post it in the discussions with the tag “session idea”; the core group picks two a month.",
        "Post it in the discussions with a short description. The core group reviews ideas at its monthly "
        "meeting and picks two.",
        ["sessions"],
    ),
]
STORIES = [
    "Used it in our team's retrospective; we cut the meeting from an hour to forty minutes.",
    "Adapted it for the night shift. Two near-misses were reported that would have gone unnoticed before.",
    "Shared it with a customer team; they adopted it the same week.",
    "We tried it on the migration project: it surfaced a risk we had not seen, and we re-planned in time.",
    "Ran it with new joiners; they said it was the most useful hour of their first week.",
]


def _revised(body: str, n: int) -> str:
    additions = [
        "\n\n## Tips\n\nKeep it short and do it every time.",
        "\n\nUpdated after feedback from the community session.",
        "\n\n*See also the discussions for examples from other teams.*",
    ]
    return body + "".join(additions[:n])


@transaction.atomic
def seed_demo_resources() -> None:
    """Four or five resources per demo community (one with a PDF where it fits), some revised, most applied,
    a draft, a “Start here” collection and one harvested accepted answer; safe to run again."""
    rng = random.Random(6)
    now = timezone.now()
    tags_by_name: dict[str, Tag] = {}

    def tag(name: str) -> Tag:
        if name not in tags_by_name:
            found = Tag.objects.filter(name__iexact=name).first()
            tags_by_name[name] = found or Tag.objects.create(name=name)
        return tags_by_name[name]

    communities = Community.objects.exclude(slug__startswith="bench-").filter(archived_at__isnull=True)
    for community in communities.order_by("pk"):
        if community.resources.exists():
            continue
        people = list(
            community.memberships.filter(status=Membership.Status.ACTIVE)
            .order_by("-role", "pk")
            .values_list("user_id", flat=True)
        )
        if len(people) < 3:
            continue
        entries = [(entry[0].format(name=community.name), *entry[1:], False) for entry in GENERIC]
        specific = CATALOGUE.get(community.slug, [])
        entries = list(specific) + entries[: 4 - len(specific) + 1]
        created = []
        for n, (title, kind, summary, body, tag_names, with_pdf) in enumerate(entries):
            author = people[(n + 1) % len(people)]
            added = now - timedelta(days=rng.randint(20, 200), hours=rng.randint(0, 23))
            draft = n == len(entries) - 1 and community.slug in CATALOGUE
            versions = 0 if draft else 1 + (n % 3)
            final_body = _revised(body, versions - 1) if versions else body
            resource = Resource.objects.create(
                community=community,
                kind=kind,
                title=title,
                summary=summary,
                body=final_body,
                status=Status.DRAFT if draft else Status.PUBLISHED,
                created_by_id=author,
                created_at=added,
                updated_at=added + timedelta(days=3 * max(versions - 1, 0)),
                published_at=None if draft else added,
            )
            resource.tags.set([tag(name) for name in tag_names])
            resource.authors.set([author])
            if not draft:  # the ledger records a resource when it is published
                Participation.objects.create(
                    community=community,
                    user_id=author,
                    kind=Participation.Kind.RESOURCE_ADDED,
                    at=added,
                    source=f"resource:{resource.pk}",
                )
            if with_pdf:
                pdf = minimal_pdf(title, [summary[:90], "Shared in the CoPsite library of " + community.name])
                name = f"{title.lower().replace(' ', '-')[:60]}.pdf"
                attachment = ResourceFile(
                    resource=resource,
                    name=name,
                    content_type="application/pdf",
                    size=len(pdf),
                    uploaded_by_id=author,
                    uploaded_at=added,
                )
                attachment.file.save(name, ContentFile(pdf), save=False)
                attachment.save()
            for v in range(1, versions + 1):
                editor = author if v == 1 else people[(n + v) % len(people)]
                Revision.objects.create(
                    resource=resource,
                    number=v,
                    kind=kind,
                    title=title,
                    summary=summary,
                    body=_revised(body, v - 1),
                    tags=", ".join(sorted(tag_names)),
                    edited_by_id=editor,
                    created_at=added + timedelta(days=3 * (v - 1)),
                    note="First published"
                    if v == 1
                    else rng.choice(["Added tips", "Clarified after feedback", "Fixed a step"]),
                )
            if not draft:
                appliers = [p for p in people if p != author][: rng.randint(0, 4)]
                for k, user_id in enumerate(appliers):
                    at = added + timedelta(days=5 + 4 * k)
                    Application.objects.create(
                        resource=resource,
                        user_id=user_id,
                        story=STORIES[(n + k) % len(STORIES)],
                        created_at=at,
                    )
                    Participation.objects.create(
                        community=community,
                        user_id=user_id,
                        kind=Participation.Kind.APPLIED,
                        at=at,
                        source=f"resource:{resource.pk}",
                    )
                resource.applied_count = len(appliers)
                if n == 0 and appliers:
                    resource.recommended_at, resource.recommended_by_id = (
                        added + timedelta(days=30),
                        people[0],
                    )
                resource.save(update_fields=["applied_count", "recommended_at", "recommended_by"])
                created.append(resource)
        if created:
            start_here = Collection.objects.create(
                community=community,
                title="Start here",
                description="Read these first when you join.",
                created_by_id=people[0],
                created_at=now - timedelta(days=10),
            )
            CollectionItem.objects.bulk_create(
                [
                    CollectionItem(collection=start_here, resource=r, position=k)
                    for k, r in enumerate(created[:3], start=1)
                ]
            )
        if community.pk % 2:
            _harvest_one(community, people[0], now)  # elsewhere, accepted answers wait on the harvest page


def _harvest_one(community: Community, coordinator_id: int, now) -> None:
    """One accepted answer harvested into a published FAQ, linked back to its discussion."""
    discussion = (
        Discussion.objects.filter(community=community, accepted_reply__isnull=False)
        .select_related("accepted_reply")
        .first()
    )
    if discussion is None:
        return
    answer = discussion.accepted_reply
    resource = Resource.objects.create(
        community=community,
        kind=Kind.FAQ,
        title=discussion.title,
        summary=answer.body[:300],
        body=f"## The question\n\n{discussion.body}\n\n## The accepted answer\n\n{answer.body}",
        created_by_id=coordinator_id,
        created_at=now - timedelta(days=2),
        updated_at=now - timedelta(days=2),
        published_at=now - timedelta(days=2),
        source_discussion=discussion,
    )
    resource.authors.set({coordinator_id, answer.author_id} - {None})
    Revision.objects.create(
        resource=resource,
        number=1,
        kind=resource.kind,
        title=resource.title,
        summary=resource.summary,
        body=resource.body,
        edited_by_id=coordinator_id,
        created_at=resource.created_at,
        note="Harvested from the discussion",
    )
    Participation.objects.create(
        community=community,
        user_id=coordinator_id,
        kind=Participation.Kind.RESOURCE_ADDED,
        at=resource.created_at,
        source=f"resource:{resource.pk}",
    )


def _bench_file_name() -> str:
    """One small PDF in storage that every benchmark file row points to (written once)."""
    if not default_storage.exists(BENCH_FILE):
        default_storage.save(
            BENCH_FILE, ContentFile(minimal_pdf("Benchmark file", ["A benchmark attachment."]))
        )
    return BENCH_FILE


@transaction.atomic
def seed_scaled_resources(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """Add RESOURCES_PER_SCALE * scale resources across `communities` with bulk inserts: tags, authors, a file
    on one in four, one to three revisions, up to four applied stories, collections, and ledger rows."""
    rng = rng or random.Random(scale * 32452843)
    now = timezone.now()
    members: dict[int, list[int]] = {}
    for community_id, user_id in Membership.objects.filter(
        community__in=communities, status=Membership.Status.ACTIVE
    ).values_list("community_id", "user_id"):
        members.setdefault(community_id, []).append(user_id)
    usable = [c for c in communities if len(members.get(c.pk, [])) >= 2]
    if not usable:
        return 0
    tag_ids = list(Tag.objects.order_by("-pk").values_list("pk", flat=True)[: 20 * scale + 20])
    kinds = list(Kind.values)
    resources = []
    for i in range(RESOURCES_PER_SCALE * scale):
        community = usable[i % len(usable)]
        added = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
        status = Status.DRAFT if i % 20 == 0 else Status.ARCHIVED if i % 25 == 1 else Status.PUBLISHED
        resources.append(
            Resource(
                community=community,
                kind=kinds[i % len(kinds)],
                title=f"Bench resource {i}: {rng.choice(['checklist', 'workshop', 'playbook', 'lesson', 'story'])}",
                summary="A benchmark resource about how a team improved its practice.",
                body="## Context\n\nWhat we tried in our team.\n\n## What happened\n\nIt worked, mostly. "
                * 3,
                status=status,
                created_by_id=rng.choice(members[community.pk]),
                created_at=added,
                updated_at=added,
                published_at=None if status == Status.DRAFT else added,
            )
        )
    resources = Resource.objects.bulk_create(resources, batch_size=5000)
    file_name = _bench_file_name()
    file_size = default_storage.size(file_name)
    authors, tags, files, revisions, applications, ledger = [], [], [], [], [], []
    for resource in resources:
        pool = members[resource.community_id]
        authors.append(Resource.authors.through(resource_id=resource.pk, user_id=resource.created_by_id))
        for tag_id in rng.sample(tag_ids, k=min(2, len(tag_ids))):
            tags.append(Resource.tags.through(resource_id=resource.pk, tag_id=tag_id))
        if resource.status != Status.DRAFT:
            ledger.append(
                Participation(
                    community_id=resource.community_id,
                    user_id=resource.created_by_id,
                    kind=Participation.Kind.RESOURCE_ADDED,
                    at=resource.created_at,
                    source=f"resource:{resource.pk}",
                )
            )
        if resource.pk % 4 == 0:
            files.append(
                ResourceFile(
                    resource=resource,
                    file=file_name,
                    name="checklist.pdf",
                    content_type="application/pdf",
                    size=file_size,
                    uploaded_by_id=resource.created_by_id,
                    uploaded_at=resource.created_at,
                )
            )
        if resource.status == Status.DRAFT:
            continue
        for number in range(1, rng.randint(1, 3) + 1):
            revisions.append(
                Revision(
                    resource=resource,
                    number=number,
                    kind=resource.kind,
                    title=resource.title,
                    summary=resource.summary,
                    body=resource.body + ("\n\nRevised." * (number - 1)),
                    edited_by_id=rng.choice(pool),
                    created_at=resource.created_at + timedelta(days=number - 1),
                    note="First published" if number == 1 else "Benchmark edit",
                )
            )
        appliers = rng.sample(pool, k=min(len(pool), rng.randint(0, 4)))
        resource.applied_count = len(appliers)
        for user_id in appliers:
            at = resource.created_at + timedelta(days=rng.randint(1, 30))
            applications.append(
                Application(
                    resource=resource, user_id=user_id, story="We used it and it helped.", created_at=at
                )
            )
            ledger.append(
                Participation(
                    community_id=resource.community_id,
                    user_id=user_id,
                    kind=Participation.Kind.APPLIED,
                    at=at,
                    source=f"resource:{resource.pk}",
                )
            )
    Resource.authors.through.objects.bulk_create(authors, batch_size=5000)
    Resource.tags.through.objects.bulk_create(tags, batch_size=5000, ignore_conflicts=True)
    ResourceFile.objects.bulk_create(files, batch_size=5000)
    Revision.objects.bulk_create(revisions, batch_size=5000)
    Application.objects.bulk_create(applications, batch_size=5000)
    # One statement, not a CASE per row: each resource's count of "I applied this" stories.
    applied = Application.objects.filter(resource=OuterRef("pk")).values("resource").annotate(n=Count("pk"))
    Resource.objects.filter(pk__in=[r.pk for r in resources if r.applied_count]).update(
        applied_count=Subquery(applied.values("n"))
    )
    Participation.objects.bulk_create(ledger, batch_size=5000)
    _seed_scaled_collections(usable, resources, now)
    return len(resources)


def _seed_scaled_collections(communities: list[Community], resources: list[Resource], now) -> None:
    published: dict[int, list[Resource]] = {}
    for resource in resources:
        if resource.status == Status.PUBLISHED:
            published.setdefault(resource.community_id, []).append(resource)
    collections = Collection.objects.bulk_create(
        [
            Collection(community=c, title=f"Start here ({resources[0].pk})", created_at=now)
            for c in communities
            if published.get(c.pk)
        ]
    )
    CollectionItem.objects.bulk_create(
        [
            CollectionItem(collection=collection, resource=resource, position=k)
            for collection in collections
            for k, resource in enumerate(published[collection.community_id][:5], start=1)
        ]
    )
