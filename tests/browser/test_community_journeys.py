"""Browser journeys of communities: find by topic, join, ask to join, approval, and an invitation by email."""

import re

import pytest

from communities.models import Membership
from members.models import Tag, User
from tests.factories import PASSWORD, CommunityFactory, UserFactory, coordinator_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(journey, email: str, password: str = PASSWORD) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))
    journey.audit()


def sign_out(journey) -> None:
    page = journey.page
    page.locator("#main-nav .dropdown-toggle").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.audit()


def test_member_finds_joins_and_requests_then_coordinator_approves(journey, smtp_server):
    kaizen = Tag.objects.create(name="Kaizen")
    open_one = CommunityFactory(name="Lean Practitioners", slug="lean", join_policy="open")
    open_one.topics.add(kaizen)
    approval = CommunityFactory(name="Shop-floor Coaches", slug="coaches", join_policy="approval")
    approval.topics.add(kaizen)
    CommunityFactory(name="Unrelated Guild", slug="unrelated")
    coordinator = coordinator_of(approval, user=UserFactory(full_name="Cora Coordinator"))
    coordinator_of(open_one)
    member = UserFactory(full_name="Mia Member")
    page = journey.page

    # The member finds communities by topic.
    sign_in(journey, member.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
    page.wait_for_url(re.compile(r"/c/$"))
    journey.audit()
    page.get_by_label("Topic", exact=True).select_option(label="Kaizen")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"topic=kaizen"))
    journey.audit()
    results = page.locator("main")
    assert results.get_by_role("link", name="Lean Practitioners").count() >= 1
    assert results.get_by_role("link", name="Unrelated Guild").count() == 0

    # Joins the open one at once, choosing to be active (in place, with htmx).
    page.get_by_role("link", name="Lean Practitioners").first.click()
    page.wait_for_url(re.compile(r"/c/lean/$"))
    journey.audit()
    page.get_by_label("How involved?").select_option("active")
    page.get_by_role("button", name=re.compile(r"^Join")).click()
    page.get_by_text("You are a member").wait_for()
    journey.audit()
    assert Membership.objects.get(community=open_one, user=member).level == "active"

    # Asks to join the one on approval, with a message.
    journey.goto("/c/coaches/")
    page.get_by_role("link", name=re.compile("Ask to join")).click()
    page.wait_for_url(re.compile(r"/c/coaches/request/"))
    journey.audit()
    page.get_by_label("How involved do you want to be?").select_option("occasional")
    page.get_by_label("Message to the coordinators").fill("I coach two lines in Aarhus.")
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url(re.compile(r"/c/coaches/"))
    journey.audit()
    assert page.get_by_text("Request pending").count() >= 1
    [mail] = smtp_server.wait_for(coordinator.email)
    assert "Mia Member" in mail.get_body(("plain",)).get_content()
    sign_out(journey)

    # The coordinator approves.
    sign_in(journey, coordinator.email)
    journey.goto("/c/coaches/members/manage/")
    assert page.get_by_text("I coach two lines in Aarhus.").count() == 1
    page.get_by_role("button", name=re.compile(r"^Approve")).click()
    page.wait_for_load_state("load")
    journey.audit()
    assert Membership.objects.get(community=approval, user=member).status == "active"
    smtp_server.wait_for(member.email)
    sign_out(journey)

    # The member sees both under "My communities", with the levels they chose.
    sign_in(journey, member.email)
    mine = page.get_by_role("region", name="My communities")
    assert mine.get_by_role("link", name="Lean Practitioners").count() == 1
    assert mine.get_by_role("link", name="Shop-floor Coaches").count() == 1
    assert "Active" in mine.locator("li", has_text="Lean Practitioners").inner_text()
    assert "Occasional" in mine.locator("li", has_text="Shop-floor Coaches").inner_text()


def test_invitation_by_email_to_someone_without_an_account_ends_in_the_community(
    journey, smtp_server, settings
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    community = CommunityFactory(
        name="Safety Leaders", slug="safety", join_policy="invitation", visibility="private"
    )
    coordinator = coordinator_of(community)
    page = journey.page

    sign_in(journey, coordinator.email)
    journey.goto("/c/safety/members/manage/")
    page.get_by_label("Email addresses").fill("nia.newcomer@example.org")
    page.get_by_role("button", name="Send invitations").click()
    page.wait_for_load_state("load")
    journey.audit()
    sign_out(journey)

    [mail] = smtp_server.wait_for("nia.newcomer@example.org")
    link = re.search(r"https?://\S+?(/c/invitation/[^/\s]+/)", mail.get_body(("plain",)).get_content()).group(
        1
    )
    journey.goto(link)
    page.get_by_role("link", name="Create your account").click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    journey.audit()
    page.get_by_label("Full name").fill("Nia Newcomer")
    if not page.get_by_label("Email").input_value():
        page.get_by_label("Email").fill("nia.newcomer@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-enough-pass-2026")
    page.get_by_label("Password (again)").fill("a-long-enough-pass-2026")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    page.wait_for_url(re.compile(r"/c/safety/"))
    journey.audit()
    nia = User.objects.get(email="nia.newcomer@example.org")
    assert Membership.objects.get(community=community, user=nia).status == "active"
    assert page.get_by_text("You are a member").count() >= 1


def test_email_inputs_suggest_colleagues_as_one_types(journey):
    community = CommunityFactory(name="Lean", slug="lean-suggest")
    coordinator = coordinator_of(community)
    UserFactory(full_name="Grace Mensah", email="grace.mensah@example.org")
    page = journey.page
    sign_in(journey, coordinator.email)
    journey.goto("/c/lean-suggest/members/manage/")
    page.get_by_label("Email addresses").press_sequentially("Grac", delay=30)
    page.locator('#people-suggestions option[value="grace.mensah@example.org"]').wait_for(state="attached")
    journey.audit()
