"""The demo `make run` shows, built once for this module (in a transaction rolled back at its end): what it
holds, that it is what people would have made through the site, that it can be seeded again, and that every page
a crawl of it reaches is valid HTML.

Made through the services (with `at=` to back-date), the demo cannot drift from what the services write (issue
15): every membership has its history and its ledger row, every RSVP and attendance its ledger row, every post,
resource and story an author who was a member.
"""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.test import Client, override_settings

from activities.models import Discussion, Reply, Rsvp
from communities.models import Community, Membership, MembershipEvent, Participation
from copsite.demo.members import DEMO_PASSWORD
from members.models import User
from repertoire.files import PDF, check_upload
from repertoire.models import Application, Collection, Resource, ResourceFile, Revision
from tests.copsite.test_seed_demo import counts
from tests.copsite.test_valid_html import ROLES, crawl, validate

# Builds the whole demo: in `make test`, left out of `make test-fast`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """The demo, seeded once; every test nests in its transaction (as a savepoint). Returns what it printed."""
    media = tmp_path_factory.mktemp("demo-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_seed_demo_prints_the_logins_and_can_run_again(demo):
    """A second run adds nothing (its services are not called twice for what exists)."""
    first = counts()
    library = (Resource.objects.count(), Revision.objects.count(), Application.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == first
    assert (Resource.objects.count(), Revision.objects.count(), Application.objects.count()) == library
    assert first["User"] >= 30
    assert first["OrgUnit"] >= 20
    for text in (demo, out.getvalue()):
        assert "priya.raman@demo.copsite.example" in text and DEMO_PASSWORD in text
    assert authenticate(email="priya.raman@demo.copsite.example", password=DEMO_PASSWORD)
    priya = User.objects.get(email="priya.raman@demo.copsite.example")
    assert priya.org_unit.name == "Developer Experience"
    assert priya.org_unit.parent.parent.name == "Engineering"
    assert priya.profile.expertise.count() == 3


def test_seed_demo_communities_cover_stages_policies_visibility_and_levels(demo):
    communities = Community.objects.all()
    assert 10 <= communities.count() <= 15
    assert set(communities.values_list("stage", flat=True)) == {
        "potential",
        "coalescing",
        "maturing",
        "stewardship",
        "transformation",
    }
    assert set(communities.values_list("join_policy", flat=True)) == {"open", "approval", "invitation"}
    assert set(communities.values_list("visibility", flat=True)) == {"listed", "private"}
    active = Membership.objects.filter(status="active")
    assert set(active.values_list("level", flat=True)) == {
        "core",
        "active",
        "occasional",
        "peripheral",
        "transactional",
    }
    assert Membership.objects.filter(status="requested").exists()
    assert Membership.objects.filter(status="invited").exists()
    for community in communities:
        assert community.memberships.filter(status="active", role="coordinator").exists(), community
        assert community.sponsorships.exists(), community
    # History the services would have written, spread over the past year.
    assert MembershipEvent.objects.filter(kind="joined").count() == active.count()
    assert Participation.objects.filter(kind="joined").count() == active.count()
    first, last = (
        MembershipEvent.objects.order_by("at").first().at,
        MembershipEvent.objects.order_by("at").last().at,
    )
    assert (last - first).days > 150


def test_seed_demo_adds_resources_revisions_stories_a_pdf_and_collections(demo):
    assert Resource.objects.filter(status="draft").exists()
    assert Resource.objects.filter(source_discussion__isnull=False).exists()
    assert Revision.objects.filter(number__gte=2).exists()
    assert Application.objects.count() >= 10
    assert Collection.objects.filter(title="Start here").exists()
    attachment = ResourceFile.objects.first()
    with attachment.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
        assert check_upload(attachment.file) == PDF
    for resource in Resource.objects.all():
        assert resource.applied_count == resource.applications.count()
    assert Participation.objects.filter(kind="applied").count() == Application.objects.count()
    published = Resource.objects.exclude(status=Resource.Status.DRAFT).count()
    assert Participation.objects.filter(kind="resource_added").count() == published


def test_admin_pages_of_the_library_load_for_staff(demo, client, staff):
    client.force_login(staff)
    resource = Resource.objects.filter(files__isnull=False).first()
    collection = Collection.objects.first()
    for path in (
        "/admin/repertoire/resource/",
        f"/admin/repertoire/resource/{resource.pk}/change/",
        "/admin/repertoire/application/",
        "/admin/repertoire/collection/",
        f"/admin/repertoire/collection/{collection.pk}/change/",
    ):
        assert client.get(path).status_code == 200, path
    assert str(resource) == resource.title and str(collection) == collection.title
    assert str(resource.files.first()) and str(resource.revisions.first()).endswith("v1")
    assert "applied" in str(Application.objects.first())
    assert " in " in str(collection.items.first())


def test_every_page_a_member_coordinator_sponsor_and_staff_reach_is_valid_html(demo, tmp_path):
    """Issue 14, item 19: the W3C Nu validator over every page a crawl of the demo reaches, as each of them
    (tests/copsite/test_valid_html.py has the crawl and the validator)."""
    pages: dict[str, str] = {}
    anonymous = Client()
    reached = {"anonymous": crawl(anonymous, ["/accounts/login/", "/accounts/signup/"], pages, "anonymous")}
    for role, email in ROLES.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        reached[role] = crawl(client, ["/"], pages, role)
    # The error pages people meet.
    pages["staff 404"] = client.get("/no-such-page/").content.decode()

    # The crawl really went through the site as each of them (a broken crawl would validate nothing).
    assert reached["anonymous"] >= 2 and min(reached[role] for role in ROLES) >= 30, reached
    assert reached["staff"] > reached["member"], reached

    errors = validate(pages, tmp_path)
    assert not errors, f"{len(errors)} Nu validator errors:\n" + "\n".join(errors[:60])


JOINING = [
    MembershipEvent.Kind.JOINED,
    MembershipEvent.Kind.APPROVED,
    MembershipEvent.Kind.INVITATION_ACCEPTED,
]


def ledger(kind: str) -> set[tuple[int, int, str]]:
    return set(Participation.objects.filter(kind=kind).values_list("community_id", "user_id", "source"))


def test_every_membership_that_joined_has_its_history_event_and_ledger_row(demo):
    joined = Membership.objects.exclude(joined_at=None)
    assert joined.count() > 100
    events = set(MembershipEvent.objects.filter(kind__in=JOINING).values_list("community_id", "user_id"))
    rows = {(c, u) for c, u, _ in ledger(Participation.Kind.JOINED)}
    missing = [(m.community_id, m.user_id) for m in joined if (m.community_id, m.user_id) not in events]
    assert not missing, f"{len(missing)} memberships without a joining event"
    missing = [(m.community_id, m.user_id) for m in joined if (m.community_id, m.user_id) not in rows]
    assert not missing, f"{len(missing)} memberships without a ledger row"


def test_every_rsvp_and_attendance_has_its_ledger_row(demo):
    answered = ledger(Participation.Kind.RSVP)
    attended = ledger(Participation.Kind.ATTENDED)
    rsvps = Rsvp.objects.select_related("occurrence__activity")
    assert rsvps.count() > 20 and rsvps.filter(attended=True).exists()
    missing = [
        r.pk
        for r in rsvps
        if (r.occurrence.activity.community_id, r.user_id, f"occurrence:{r.occurrence_id}") not in answered
    ]
    assert not missing, f"{len(missing)} RSVPs without a ledger row"
    missing = [
        r.pk
        for r in rsvps.filter(attended=True)
        if (r.occurrence.activity.community_id, r.user_id, f"occurrence:{r.occurrence_id}") not in attended
    ]
    assert not missing, f"{len(missing)} attendances without a ledger row"


def test_every_post_resource_and_story_has_an_author_who_was_a_member_and_its_ledger_row(demo):
    members = set(Membership.objects.exclude(joined_at=None).values_list("community_id", "user_id"))
    posted, replied = ledger(Participation.Kind.POSTED), ledger(Participation.Kind.REPLIED)
    for discussion in Discussion.objects.exclude(author=None):
        assert (discussion.community_id, discussion.author_id) in members, discussion
        assert (discussion.community_id, discussion.author_id, f"discussion:{discussion.pk}") in posted, (
            discussion
        )
    for reply in Reply.objects.exclude(author=None).select_related("discussion"):
        assert (reply.discussion.community_id, reply.author_id) in members, reply
        assert (reply.discussion.community_id, reply.author_id, f"reply:{reply.pk}") in replied, reply
    for story in Application.objects.select_related("resource"):
        assert (story.resource.community_id, story.user_id) in members, story
    added = ledger(Participation.Kind.RESOURCE_ADDED)
    for resource in Resource.objects.filter(~Q(status="draft")).prefetch_related("authors"):
        assert (resource.community_id, resource.created_by_id, f"resource:{resource.pk}") in added, resource


def test_each_community_discusses_its_own_domain(demo):
    """A title belongs to one community: "What to do when a model drifts in production?" appeared in unrelated
    communities."""
    titles = Discussion.objects.values_list("title", "community_id")
    by_title: dict[str, set[int]] = {}
    for title, community in titles:
        by_title.setdefault(title, set()).add(community)
    shared = {title: len(communities) for title, communities in by_title.items() if len(communities) > 1}
    assert not shared, shared


def test_every_text_written_through_the_services_keeps_its_html(demo):
    """Posts, resources, descriptions and notes are rendered when written (core.markup): every one the demo wrote
    holds the HTML its text renders to, so pages show it without rendering."""
    from core.markup import RENDERED

    checked = 0
    for entry in RENDERED.values():
        for row in entry.model._base_manager.only("pk", entry.source, entry.target):
            assert getattr(row, entry.target) == entry.html(getattr(row, entry.source)), (entry, row.pk)
            checked += bool(getattr(row, entry.source).strip())
    assert checked > 150
