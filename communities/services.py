"""Writes for communities: one atomic function per intention, each recording history and enqueuing mail.

Every service checks who may do it against the rules of `communities.rules` (`require(...)`, raising
`NotPermitted`), refuses bad input with a `MembershipError` (keyed by the form field it is about, when there is
one) carrying a message meant for the person (nothing is changed then), records a `MembershipEvent` (and a
`Participation` row for joining), and sends mail through a Celery task enqueued on commit.

The services the demo data is made with take a keyword-only `at`: when it happened (None: now). Only demo data
and tests pass it, to back-date the history, the ledger and the rows' dates; everything else is unchanged.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from communities import rules, selectors, tasks
from communities.access import access_for
from communities.models import (
    Community,
    EmailInvitation,
    Level,
    Membership,
    MembershipEvent,
    Participation,
    Sponsorship,
    Stage,
)
from core.rules import Refused, require
from members.models import Tag, User
from members.services import tag_named

Status = Membership.Status
Role = Membership.Role
Event = MembershipEvent.Kind


class MembershipError(Refused):
    """Bad input or a state that forbids the change, with a message for the person who tried (nothing was
    changed); keyed by the form field when it is about one thing they typed (`{"name": ...}`)."""


def invitation_lifetime() -> timedelta:
    return timedelta(days=settings.INVITATION_EXPIRY_DAYS)


# --- Recording ------------------------------------------------------------------------------------------


def _record(
    *,
    community: Community,
    user: User,
    kind: str,
    actor: User | None,
    from_value: str = "",
    to_value: str = "",
    note: str = "",
    at: datetime | None = None,
    mail: bool = True,
) -> MembershipEvent:
    event = MembershipEvent.objects.create(
        community=community,
        user=user,
        kind=kind,
        actor=actor,
        at=at or timezone.now(),
        from_value=from_value,
        to_value=to_value,
        note=note,
    )
    if mail:
        transaction.on_commit(lambda: tasks.send_membership_event_mail.delay(event.pk))
    return event


def participation_record(
    *, community: Community, user: User, kind: str, source: str = "", at: datetime | None = None
) -> Participation:
    """Record one act of engagement in the ledger (used by every app's services)."""
    return Participation.objects.create(
        community=community, user=user, kind=kind, source=source, at=at or timezone.now()
    )


def _backdate_created(row: Community | Membership, at: datetime) -> None:
    """`created_at` is set on insert to now; a back-dated row (demo data, tests) gets `at` instead."""
    type(row).objects.filter(pk=row.pk).update(created_at=at)
    row.created_at = at


def _locked(membership: Membership) -> Membership:
    """Re-read a membership under a row lock so two decisions cannot interleave."""
    return Membership.objects.select_for_update().select_related("community", "user").get(pk=membership.pk)


def _require_changes(community: Community) -> None:
    """An archived community no longer changes (`rules.accepts_changes`)."""
    require(rules.accepts_changes(community), lambda: rules.archived_refusal(community))


def _require_manage(actor: User, community: Community) -> None:
    """The actor coordinates `community`, which is not archived (`rules.may_manage`)."""
    access = access_for(actor, community)
    require(rules.may_manage(access), lambda: rules.manage_refusal(access))


def _require_staff(actor: User) -> None:
    require(rules.may_administer(actor), rules.STAFF_ONLY)


def _ensure_not_last_coordinator(membership: Membership, doing: str) -> None:
    if membership.is_coordinator:
        # Lock the community's coordinator rows so two coordinators cannot both step down at once.
        coordinators = list(
            Membership.objects.select_for_update()
            .coordinators()
            .filter(community_id=membership.community_id)
            .values_list("pk", flat=True)
        )
        if len(coordinators) <= 1:
            raise MembershipError(
                f"{membership.user} is the last coordinator of {membership.community.name}, so they cannot {doing}. "
                "Make someone else coordinator first."
            )


# --- Communities ----------------------------------------------------------------------------------------


# Paths under /c/ that are not communities.
RESERVED_SLUGS = {"propose", "invitation", "attention", "people"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "community"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Community.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tags.append(tag_named(name[:60]))
    return tags


@transaction.atomic
def community_propose(
    *,
    proposer: User,
    name: str,
    domain: str,
    description: str = "",
    charter_purpose: str = "",
    charter_scope: str = "",
    charter_norms: str = "",
    meeting_rhythm: str = "",
    expected_value: str = "",
    topics: list[str] | None = None,
    join_policy: str = Community.JoinPolicy.OPEN,
    visibility: str = Community.Visibility.LISTED,
    core_group: list[User] | None = None,
    at: datetime | None = None,
) -> Community:
    """A new community in stage "potential": the proposer coordinates it; the core group is invited."""
    if Community.objects.filter(name__iexact=name.strip()).exists():
        raise MembershipError(
            {"name": f"A community called “{name.strip()}” already exists. Choose another name."}
        )
    community = Community(
        name=name.strip(),
        slug=_unique_slug(name),
        domain=domain.strip(),
        description=description,
        charter_purpose=charter_purpose,
        charter_scope=charter_scope,
        charter_norms=charter_norms,
        meeting_rhythm=meeting_rhythm,
        expected_value=expected_value,
        join_policy=join_policy,
        visibility=visibility,
        stage=Stage.POTENTIAL,
        created_by=proposer,
    )
    community.full_clean()
    community.save()
    if at is not None:
        _backdate_created(community, at)
    community.topics.set(_tags(topics or []))
    now = at or timezone.now()
    membership = Membership.objects.create(
        community=community,
        user=proposer,
        status=Status.ACTIVE,
        role=Role.COORDINATOR,
        level=Level.CORE,
        joined_at=now,
    )
    if at is not None:
        _backdate_created(membership, at)
    _record(
        community=community,
        user=proposer,
        kind=Event.JOINED,
        actor=proposer,
        to_value=Level.CORE,
        at=now,
        mail=False,
    )
    _record(
        community=community,
        user=proposer,
        kind=Event.ROLE_CHANGED,
        actor=proposer,
        from_value=Role.MEMBER,
        to_value=Role.COORDINATOR,
        at=now,
        mail=False,
    )
    participation_record(community=community, user=proposer, kind=Participation.Kind.JOINED, at=now)
    for person in core_group or []:
        if person != proposer:
            membership_invite(
                actor=proposer,
                community=community,
                user=person,
                level=Level.CORE,
                message=f"You are invited into the core group of {community.name}.",
                at=at,
            )
    return community


# What coordinators edit about their community (the settings form shows these; the slug too may change).
SETTINGS = (
    "name",
    "domain",
    "description",
    "charter_purpose",
    "charter_scope",
    "charter_norms",
    "meeting_rhythm",
    "expected_value",
    "join_policy",
    "visibility",
    "stage",
)


@transaction.atomic
def community_update(
    *, actor: User, community: Community, topics: list[str] | None = None, **fields
) -> Community:
    """Coordinators edit the community: name, domain, description, charter, topics, policies and stage."""
    _require_manage(actor, community)
    unknown = set(fields) - {*SETTINGS, "slug"}
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    for field, value in fields.items():
        setattr(community, field, value.strip() if isinstance(value, str) else value)
    community.full_clean()
    community.save()
    if topics is not None:
        community.topics.set(_tags(topics))
    return community


@transaction.atomic
def community_archive(*, actor: User, community: Community) -> Community:
    """Staff archive a community: kept and readable, out of browse lists, no longer changing."""
    _require_staff(actor)
    if community.is_archived:
        raise MembershipError(f"{community.name} is already archived.")
    community.archived_at = timezone.now()
    community.save(update_fields=["archived_at"])
    return community


@transaction.atomic
def community_unarchive(*, actor: User, community: Community) -> Community:
    _require_staff(actor)
    community.archived_at = None
    community.save(update_fields=["archived_at"])
    return community


@transaction.atomic
def sponsorship_assign(
    *,
    actor: User,
    community: Community,
    sponsor: User,
    since: date | None = None,
    provides: str = "",
    expects: str = "",
) -> Sponsorship:
    """Staff name a sponsor (a leader; not necessarily a member) with a short agreement; an archived community
    takes no new sponsor (ending one stays possible)."""
    _require_staff(actor)
    _require_changes(community)
    if Sponsorship.objects.filter(community=community, sponsor=sponsor).exists():
        raise MembershipError({"sponsor": f"{sponsor} already sponsors {community.name}."})
    return Sponsorship.objects.create(
        community=community,
        sponsor=sponsor,
        since=since or timezone.localdate(),
        provides=provides,
        expects=expects,
        created_by=actor,
    )


@transaction.atomic
def sponsorship_end(*, actor: User, sponsorship: Sponsorship) -> None:
    _require_staff(actor)
    sponsorship.delete()


# --- Joining --------------------------------------------------------------------------------------------


def _existing(community: Community, user: User) -> Membership | None:
    return Membership.objects.select_for_update().filter(community=community, user=user).first()


def _ensure_level(level: str) -> None:
    if level not in Level.values:
        raise MembershipError({"level": "Choose one of the commitment levels."})


def _save_membership(existing: Membership | None, *, at: datetime | None = None, **values) -> Membership:
    """Reuse the one row per person and community (a former member joining again keeps their row); a new row
    made with `at` is dated then."""
    if existing is None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(**values)
        except IntegrityError:
            raise MembershipError("You already have a membership there.") from None
        if at is not None:
            _backdate_created(membership, at)
        return membership
    for field, value in values.items():
        setattr(existing, field, value)
    existing.save()
    return existing


def _start(
    existing: Membership | None,
    *,
    community: Community,
    user: User,
    status: str,
    level: str,
    event: str,
    actor: User,
    note: str = "",
    at: datetime | None = None,
    mail: bool = True,
    **values,
) -> Membership:
    """Start a membership (again, on the same row, for a former member) as a member with no decision yet, at
    `level` and with `status` (active ones joined now), and record `event` in the history."""
    now = at or timezone.now()
    fields = {"role": Role.MEMBER, "decided_by": None, "decided_at": None, "decision_reason": "", **values}
    if status == Status.ACTIVE:
        fields.setdefault("joined_at", now)
    membership = _save_membership(
        existing, at=at, community=community, user=user, status=status, level=level, **fields
    )
    _record(
        community=community, user=user, kind=event, actor=actor, to_value=level, note=note, at=now, mail=mail
    )
    return membership


def _settle(
    membership: Membership, *, by: User, accept: bool, accepted: str, declined: str, reason: str = ""
) -> Membership:
    """Settle a request or an invitation: accepted, the person is an active member from now (history and
    ledger); declined, the row says so (history). `by` decided, for `reason` (told to the person)."""
    now = timezone.now()
    membership.decided_by, membership.decided_at, membership.decision_reason = by, now, reason
    if accept:
        membership.status, membership.joined_at = Status.ACTIVE, now
    else:
        membership.status = Status.DECLINED
    membership.save()
    _record(
        community=membership.community,
        user=membership.user,
        kind=accepted if accept else declined,
        actor=by,
        to_value=membership.level if accept else "",
        note=reason,
    )
    if accept:
        participation_record(
            community=membership.community, user=membership.user, kind=Participation.Kind.JOINED
        )
    return membership


@transaction.atomic
def membership_join(
    *, user: User, community: Community, level: str = Level.PERIPHERAL, at: datetime | None = None
) -> Membership:
    """Join an open community at once, at the commitment level the member chooses (peripheral by default)."""
    existing = _existing(community, user)
    access = access_for(user, community)
    require(rules.may_join(access), lambda: rules.join_refusal(access))
    _ensure_level(level)
    membership = _start(
        existing,
        community=community,
        user=user,
        status=Status.ACTIVE,
        level=level,
        event=Event.JOINED,
        actor=user,
        at=at,
        mail=False,
        message="",
    )
    participation_record(
        community=community, user=user, kind=Participation.Kind.JOINED, at=membership.joined_at
    )
    return membership


@transaction.atomic
def membership_request(
    *,
    user: User,
    community: Community,
    message: str = "",
    level: str = Level.PERIPHERAL,
    at: datetime | None = None,
) -> Membership:
    """Ask to join a community on approval; its coordinators are told (as they chose)."""
    existing = _existing(community, user)
    access = access_for(user, community)
    require(rules.may_request(access), lambda: rules.request_refusal(access))
    _ensure_level(level)
    message = message.strip()[:2000]
    return _start(
        existing,
        community=community,
        user=user,
        status=Status.REQUESTED,
        level=level,
        event=Event.REQUESTED,
        actor=user,
        note=message,
        at=at,
        message=message,
    )


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, approve: bool, reason: str = "") -> Membership:
    """A coordinator approves or declines a request to join; the requester is told by email."""
    membership = _locked(membership)
    _require_manage(actor, membership.community)
    if membership.status != Status.REQUESTED:
        raise MembershipError(
            f"This request was already decided ({membership.get_status_display().lower()})."
        )
    return _settle(
        membership,
        by=actor,
        accept=approve,
        accepted=Event.APPROVED,
        declined=Event.DECLINED,
        reason=reason.strip()[:2000],
    )


@transaction.atomic
def membership_invite(
    *,
    actor: User,
    community: Community,
    user: User,
    message: str = "",
    level: str = Level.PERIPHERAL,
    at: datetime | None = None,
) -> Membership:
    """A coordinator invites an existing user, who accepts or declines; the invitation expires."""
    _require_manage(actor, community)
    if not user.is_active:
        raise MembershipError(f"{user} has left the organization.")
    existing = _existing(community, user)
    if existing and existing.status == Status.ACTIVE:
        raise MembershipError(f"{user} is already a member of {community.name}.")
    if existing and existing.status == Status.INVITED and not rules.invitation_expired(existing):
        raise MembershipError(f"{user} is already invited.")
    if existing and existing.status == Status.REQUESTED:
        raise MembershipError(f"{user} has asked to join: approve their request instead.")
    message = message.strip()[:2000]
    return _start(
        existing,
        community=community,
        user=user,
        status=Status.INVITED,
        level=level,
        event=Event.INVITED,
        actor=actor,
        note=message,
        at=at,
        message=message,
        invited_by=actor,
        invitation_expires_at=(at or timezone.now()) + invitation_lifetime(),
    )


@transaction.atomic
def invitation_respond(*, user: User, membership: Membership, accept: bool) -> Membership:
    """The invitee accepts (joining at the level offered) or declines."""
    membership = _locked(membership)
    require(membership.user_id == user.pk, rules.NOT_YOUR_INVITATION)
    access = access_for(user, membership.community)
    require(rules.may_answer_invitation(access), lambda: rules.answer_refusal(access))
    return _settle(
        membership,
        by=user,
        accept=accept,
        accepted=Event.INVITATION_ACCEPTED,
        declined=Event.INVITATION_DECLINED,
    )


@transaction.atomic
def email_invitation_create(
    *, actor: User, community: Community, email: str, message: str = "", level: str = Level.PERIPHERAL
) -> EmailInvitation | Membership:
    """Invite by address: an existing account gets a normal invitation; anyone else a sign-up link."""
    email = email.strip().lower()
    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user:
        return membership_invite(
            actor=actor, community=community, user=existing_user, message=message, level=level
        )
    _require_manage(actor, community)
    selectors.waiting_email_invitations(community=community).filter(email=email).delete()
    invitation = EmailInvitation.objects.create(
        community=community,
        email=email,
        level=level,
        message=message.strip()[:2000],
        invited_by=actor,
        expires_at=timezone.now() + invitation_lifetime(),
    )
    transaction.on_commit(lambda: tasks.send_email_invitation.delay(invitation.pk))
    return invitation


@transaction.atomic
def email_invitation_accept(*, user: User, invitation: EmailInvitation) -> Membership:
    """Someone who followed an invitation link (after signing up) joins the community."""
    invitation = EmailInvitation.objects.select_for_update().select_related("community").get(pk=invitation.pk)
    require(
        rules.may_accept_email_invitation(invitation, user),
        lambda: rules.email_invitation_refusal(invitation, user),
    )
    community = invitation.community
    _require_changes(community)
    existing = _existing(community, user)
    if existing and existing.status == Status.ACTIVE:
        raise MembershipError(f"You are already a member of {community.name}.")
    now = timezone.now()
    membership = _start(
        existing,
        community=community,
        user=user,
        status=Status.ACTIVE,
        level=invitation.level,
        event=Event.INVITATION_ACCEPTED,
        actor=user,
        message=invitation.message,
        invited_by=invitation.invited_by,
        joined_at=now,
        decided_by=user,
        decided_at=now,
    )
    invitation.accepted_at, invitation.accepted_by = now, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    participation_record(community=community, user=user, kind=Participation.Kind.JOINED)
    return membership


@transaction.atomic
def email_invitation_withdraw(*, actor: User, invitation: EmailInvitation) -> None:
    """A coordinator withdraws an invitation by email that was not accepted yet: its link stops working."""
    _require_manage(actor, invitation.community)
    waiting = selectors.waiting_email_invitations(community=invitation.community)
    deleted, _ = waiting.filter(pk=invitation.pk).delete()
    if not deleted:
        raise MembershipError(f"The invitation of {invitation.email} was already accepted or withdrawn.")


# --- Changing and ending memberships --------------------------------------------------------------------


def _change(
    membership: Membership, *, field: str, value: str, event: str, actor: User, at: datetime | None
) -> Membership:
    """Set an active membership's level or role, recording the change in the history (mailed to the member
    unless they made it); the same value again changes nothing."""
    previous = getattr(membership, field)
    if previous == value:
        return membership
    setattr(membership, field, value)
    membership.save(update_fields=[field, "updated_at"])
    _record(
        community=membership.community,
        user=membership.user,
        kind=event,
        actor=actor,
        from_value=previous,
        to_value=value,
        at=at,
        mail=actor.pk != membership.user_id,
    )
    return membership


@transaction.atomic
def membership_change_level(
    *, actor: User, membership: Membership, level: str, at: datetime | None = None
) -> Membership:
    """A member changes their own commitment level; a coordinator changes anyone's (core group included)."""
    membership = _locked(membership)
    _ensure_level(level)
    if actor.pk != membership.user_id:
        _require_manage(actor, membership.community)
    else:
        access = access_for(actor, membership.community)
        require(rules.may_change_own_level(access, level), lambda: rules.own_level_refusal(access, level))
    if not membership.is_active:
        raise MembershipError("Only active memberships have a commitment level to change.")
    return _change(membership, field="level", value=level, event=Event.LEVEL_CHANGED, actor=actor, at=at)


@transaction.atomic
def membership_change_role(
    *, actor: User, membership: Membership, role: str, at: datetime | None = None
) -> Membership:
    """A coordinator makes a member coordinator, or steps one down (never the last one)."""
    membership = _locked(membership)
    _require_manage(actor, membership.community)
    if role not in Role.values:
        raise MembershipError({"role": "Choose member or coordinator."})
    if not membership.is_active:
        raise MembershipError("Only active members can change role.")
    if role == Role.MEMBER and membership.role != role:
        _ensure_not_last_coordinator(membership, "step down")
    return _change(membership, field="role", value=role, event=Event.ROLE_CHANGED, actor=actor, at=at)


@transaction.atomic
def membership_leave(*, user: User, membership: Membership) -> Membership:
    """A member leaves; the last coordinator cannot."""
    membership = _locked(membership)
    require(membership.user_id == user.pk, rules.NOT_YOURS_TO_LEAVE)
    access = access_for(user, membership.community)
    require(rules.may_leave(access), lambda: rules.leave_refusal(access))
    _ensure_not_last_coordinator(membership, "leave")
    membership.status = Status.LEFT
    membership.role = Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    _record(
        community=membership.community,
        user=user,
        kind=Event.LEFT,
        actor=user,
        from_value=membership.level,
        mail=False,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, reason: str = "") -> Membership:
    """A coordinator removes a member (with a reason they are told); never the last coordinator."""
    membership = _locked(membership)
    _require_manage(actor, membership.community)
    if membership.status not in (Status.ACTIVE, Status.INVITED):
        raise MembershipError(f"{membership.user} is not a member.")
    _ensure_not_last_coordinator(membership, "be removed")
    was_invited = membership.status == Status.INVITED
    membership.status = Status.REMOVED
    membership.role = Role.MEMBER
    membership.decided_by, membership.decided_at, membership.decision_reason = (
        actor,
        timezone.now(),
        reason[:2000],
    )
    membership.save()
    _record(
        community=membership.community,
        user=membership.user,
        kind=Event.REMOVED,
        actor=actor,
        note=reason[:2000],
        mail=not was_invited,
    )
    return membership


@transaction.atomic
def member_deactivate(*, actor: User, user: User) -> list[Community]:
    """Staff (or the company directory, acting as the staff member who connected it) deactivate someone who left
    the organization: they no longer sign in, their memberships end (history kept, with the level and role each
    ended at, for `member_reactivate`), no more mail.

    Communities left without a coordinator are flagged for staff, who are told by mail. Returns them.
    """
    _require_staff(actor)
    if actor.pk == user.pk:
        raise MembershipError("You cannot deactivate yourself.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    memberships = list(
        Membership.objects.select_for_update()
        .select_related("community")
        .filter(user=user, status__in=[Status.ACTIVE, Status.REQUESTED, Status.INVITED])
    )
    orphaned = []
    for membership in memberships:
        was_coordinator = membership.is_coordinator
        held = (membership.level, membership.role) if membership.is_active else (membership.status, "")
        membership.status = Status.LEFT if membership.is_active else Status.DECLINED
        membership.role = Role.MEMBER
        membership.save(update_fields=["status", "role", "updated_at"])
        _record(
            community=membership.community,
            user=user,
            kind=Event.DEACTIVATED,
            actor=actor,
            from_value=held[0],
            to_value=held[1],
            mail=False,
        )
        if was_coordinator and not membership.community.memberships.coordinators().exists():
            membership.community.needs_coordinator = True
            membership.community.save(update_fields=["needs_coordinator"])
            orphaned.append(membership.community)
    if orphaned:
        ids = [community.pk for community in orphaned]
        transaction.on_commit(lambda: tasks.send_orphaned_communities_mail.delay(ids, user.pk))
    return orphaned


@transaction.atomic
def member_reactivate(*, actor: User, user: User) -> list[Membership]:
    """Staff (or the company directory) bring back someone who was deactivated: they sign in and get mail again,
    and the memberships their deactivation ended come back at the level and role they held, with history.

    Not restored: memberships that ended for another reason (they left, were removed), requests and invitations
    the deactivation declined (they may ask again), memberships of archived communities, and any the person has
    since taken up again. A coordinator restored to a community flagged for having none clears the flag. The same
    call again changes nothing. Returns the memberships restored.
    """
    _require_staff(actor)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    latest = (
        MembershipEvent.objects.filter(community=OuterRef("community"), user=user)
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    ended = (
        MembershipEvent.objects.filter(
            user=user, kind=Event.DEACTIVATED, from_value__in=Level.values, pk=Subquery(latest)
        )
        .filter(community__in=Community.objects.current())
        .select_related("community")
    )
    restored = []
    now = timezone.now()
    for event in ended:
        membership = Membership.objects.select_for_update().get(community=event.community, user=user)
        if membership.status != Status.LEFT:
            continue
        role = event.to_value if event.to_value in Role.values else Role.MEMBER
        membership.status, membership.level, membership.role = Status.ACTIVE, event.from_value, role
        membership.joined_at = now
        membership.save(update_fields=["status", "level", "role", "joined_at", "updated_at"])
        _record(
            community=event.community,
            user=user,
            kind=Event.REACTIVATED,
            actor=actor,
            to_value=event.from_value,
            at=now,
            mail=False,
        )
        if role == Role.COORDINATOR:
            _record(
                community=event.community,
                user=user,
                kind=Event.ROLE_CHANGED,
                actor=actor,
                from_value=Role.MEMBER,
                to_value=Role.COORDINATOR,
                at=now,
                mail=False,
            )
            if event.community.needs_coordinator:
                event.community.needs_coordinator = False
                event.community.save(update_fields=["needs_coordinator"])
        membership.community = event.community
        restored.append(membership)
    return restored


@transaction.atomic
def coordinator_appoint(*, actor: User, community: Community, user: User) -> Membership:
    """Staff appoint a coordinator to a community that has none (after its last one left the organization); an
    archived community no longer changes."""
    _require_staff(actor)
    _require_changes(community)
    existing = _existing(community, user)
    now = timezone.now()
    previous_role = existing.role if existing and existing.is_active else Role.MEMBER
    membership = _save_membership(
        existing,
        community=community,
        user=user,
        status=Status.ACTIVE,
        role=Role.COORDINATOR,
        level=existing.level if existing and existing.is_active else Level.CORE,
        joined_at=existing.joined_at if existing and existing.is_active else now,
    )
    if previous_role != Role.COORDINATOR:
        _record(
            community=community,
            user=user,
            kind=Event.ROLE_CHANGED,
            actor=actor,
            from_value=previous_role,
            to_value=Role.COORDINATOR,
        )
    community.needs_coordinator = False
    community.save(update_fields=["needs_coordinator"])
    return membership
