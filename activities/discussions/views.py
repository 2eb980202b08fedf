"""Views of discussions: a community's list, starting one, the thread and what people do in it (reply, follow,
accept an answer, edit, delete, report) and what coordinators do (pin, lock, hide, unhide, open reports).

Who: anyone who may see the community's content reads its discussions (404 for outsiders; a hidden discussion
only its author and the coordinators); active members write; authors edit and delete their own posts; the
discussion's author or a coordinator accepts an answer; coordinators moderate (403 for others). Each of these is
a rule of `activities.discussions.rules` that the views ask and the services enforce; the services judge the
rest and refuse with a message (`Refused`): it comes back next to the field it names, with what was typed kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.discussions import rules, selectors, services
from activities.discussions.forms import (
    AcceptForm,
    ConfirmForm,
    DiscussionForm,
    HideForm,
    PostEditForm,
    ReplyForm,
    ReportForm,
    ToggleForm,
)
from activities.discussions.models import Discussion, Reply
from activities.discussions.services import MAX_BODY
from activities.templatetags.discussion_tags import post_body, post_html, post_url, thread_urls
from communities.access import CommunityAccess, get_community_for
from core.forms import add_refusal, refusal_text
from core.fragments import digest, kept, many
from core.moments import time_ago, times_ago
from core.pages import form_page, post_and_return
from core.ratelimits import rate_limited
from core.redirects import safe_next
from core.rules import Refused

Post = Discussion | Reply

FILTERS = {
    "all": "All",
    "unanswered": "Unanswered",
    "unsolved": "Unsolved",
    "mine": "Mine",
}
EMPTY = {
    "all": "No discussions yet.",
    "unanswered": "Nothing is waiting: every question older than two days has an answer.",
    "unsolved": "Nothing unsolved: every discussion has an accepted answer.",
    "mine": "You have not started or replied to a discussion here yet.",
}


# --- Helpers ---------------------------------------------------------------------------------------------


def _thread_access(request: HttpRequest, slug: str, pk: int) -> tuple[CommunityAccess, Discussion]:
    access = get_community_for(request.user, slug, content=True)
    return access, selectors.discussion_for(access, pk)


def _allow(allowed: bool, refusal: str) -> None:
    """403 with the rule's own refusal unless the rule allows the page."""
    if not allowed:
        raise PermissionDenied(refusal)


def _post_url(post: Post) -> str:
    """Where a post is: the thread, or the page of the thread that shows this reply, at its anchor."""
    if isinstance(post, Discussion):
        return post.get_absolute_url()
    return f"{post.discussion.get_absolute_url()}?reply={post.pk}#reply-{post.pk}"


def _preview(body: str) -> dict:
    """What the preview area shows for a text: its HTML as it will appear, or why there is nothing to show."""
    if not body.strip():
        return {"preview_html": "", "preview_note": "Nothing to preview yet: write something first."}
    if len(body) > MAX_BODY:
        return {"preview_html": "", "preview_note": services.too_long(body)}
    return {"preview_html": post_html(body), "preview_note": ""}


class PostRow(TypedDict, total=False):
    """One post of a thread as this viewer sees it, made in one pass so that the template only places the values
    (a dict: the template engine reads a key at its first try): who wrote it and when (`time_ago`'s elements),
    its body, and the actions the rules let this viewer take on it, as their addresses ("" when not allowed).
    `changes` says the viewer may edit or delete it, `moderates` that they may accept, hide or show it again.
    A `pointer` stands at the accepted answer's place among the replies (it is shown under the question).
    `shared` is the post as everyone who sees it sees it (`_shared`), the times put in; `moments` are the
    datetimes of those times, in the order it shows them (`TIMES`)."""

    anchor: str
    pk: int
    is_reply: bool
    pointer: bool
    by: str
    initials: str
    asked: bool
    accepted: bool
    hidden: bool
    deleted: bool
    created: str
    edited: str
    hidden_by: str
    hidden_at: str
    reason: str
    body: str
    shared: str
    moments: tuple
    changes: bool
    edit_url: str
    delete_url: str
    moderates: bool
    accept: bool
    hide_url: str
    unhide_url: str
    report_url: str


@dataclass(frozen=True, slots=True)
class _Viewer:
    """What a thread's posts need to know once per page: the viewer's rights that do not depend on the post, the
    thread's action addresses (`thread_urls`) and the accepted answer."""

    access: CommunityAccess
    discussion: Discussion
    urls: dict
    accepted_pk: int | None
    can_accept: bool
    can_moderate: bool
    can_report: bool


def _post_row(viewer: _Viewer, post: Post, *, is_reply: bool, anchor: str) -> PostRow:
    """`post` as `viewer` sees it (`PostRow`, every key set but `shared`): the rules asked for this post, its
    addresses filled in; a deleted post keeps its header and offers nothing."""
    access, urls = viewer.access, viewer.urls
    author, hidden, shown = post.author, post.is_hidden, not post.is_deleted

    def url(action: str, allowed: bool) -> str:
        return post_url(urls, action, post, is_reply) if shown and allowed else ""

    edit_url = url("edit", rules.may_edit_post(access, post))
    delete_url = url("delete", rules.may_delete_post(access, post))
    accept = shown and is_reply and viewer.can_accept and not hidden
    edited_at = post.edited_at if shown else None
    hidden_at = post.hidden_at if hidden else None
    hide_url, unhide_url = (
        url("hide", viewer.can_moderate and not hidden),
        url("unhide", viewer.can_moderate and hidden),
    )
    return PostRow(
        anchor=anchor,
        pk=post.pk,
        is_reply=is_reply,
        pointer=False,
        by=(author.full_name if author else "") or "A former member",
        initials=author.initials if author else "?",
        asked=is_reply and post.author_id == viewer.discussion.author_id,
        accepted=is_reply and post.pk == viewer.accepted_pk,
        hidden=hidden,
        deleted=not shown,
        created=time_ago(post.created_at),
        edited=time_ago(edited_at) if edited_at else "",
        hidden_by=((post.hidden_by.full_name if post.hidden_by else "") or "a coordinator") if hidden else "",
        hidden_at=time_ago(hidden_at) if hidden_at else "",
        moments=tuple(moment for moment in (post.created_at, edited_at, hidden_at) if moment),
        reason=post.hidden_reason,
        body=post_body(post) if shown else "",
        changes=bool(edit_url or delete_url),
        edit_url=edit_url,
        delete_url=delete_url,
        moderates=bool(accept or hide_url or unhide_url),
        accept=accept,
        hide_url=hide_url,
        unhide_url=unhide_url,
        report_url=url("report", viewer.can_report and post.author_id != access.viewer.pk and not hidden),
    )


def _reply_rows(viewer: _Viewer, replies) -> list[PostRow]:
    """The rows of a page of replies; the accepted answer's place gets a pointer to it under the question."""
    rows = []
    for reply in replies:
        anchor = f"reply-{reply.pk}"
        if reply.pk == viewer.accepted_pk:  # a pointer shows only who wrote it
            by = (reply.author.full_name if reply.author else "") or "a former member"
            rows.append(PostRow(anchor=anchor, pk=reply.pk, is_reply=True, pointer=True, by=by))
        else:
            rows.append(_post_row(viewer, reply, is_reply=True, anchor=anchor))
    return rows


# The times of a post's shared part (`_shared`), in the order it shows them; each is rendered as `TIME_MARK`
# and put in when the post is shown. No text of a post holds the mark: PostgreSQL's text refuses it, Django's
# forms refuse it, and the sanitizer (html5ever) replaces it; should one ever, that post is rendered afresh.
TIMES = ("created", "edited", "hidden_at")
TIME_MARK = "\x00"
SHARED = "activities/discussions/thread.html#shared"
REPLIES = "activities/discussions/thread.html#replies"


def _shared_facts(row: PostRow) -> tuple:
    """What a post's shared part shows but its times: the fragment's version (`fragments.digest` of it)."""
    return (
        row["anchor"],
        row["is_reply"],
        row["by"],
        row["initials"],
        row["asked"],
        row["accepted"],
        row["hidden"],
        row["deleted"],
        bool(row["edited"]),
        row["hidden_by"],
        row["reason"],
        str(row["body"]),
    )


def _render_shared(row: PostRow) -> str:
    """A post's shared part with `TIME_MARK` in place of each of its times."""
    marked = {**row, **{name: TIME_MARK for name in TIMES if row[name]}}
    return get_template(SHARED).render({"row": marked})


def _marked(rows: list[PostRow]) -> list[str]:
    """The posts' shared parts with their time marks (`_render_shared`), each kept as a fragment
    (`core.fragments`, read for the whole page in one round trip) under a digest of what it shows."""
    return many(
        "discussion-post",
        rows,
        render=_render_shared,
        version=lambda row: digest(_shared_facts(row)),
        row_key=lambda row: f"{row['anchor']}-{row['pk']}",
    )


def _with_times(marked: str, times: list[str]) -> str | None:
    """`marked` (HTML with a `TIME_MARK` for each time) with `times` put in, or None when the marks do not match
    (a text held the mark)."""
    parts = marked.split(TIME_MARK)
    if len(parts) != len(times) + 1:
        return None
    html = [parts[0]]
    for time, part in zip(times, parts[1:], strict=True):
        html += (time, part)
    return mark_safe("".join(html))  # noqa: S308 - the fragments and time_ago's elements are safe


def _shared(rows: list[PostRow]) -> None:
    """Set each row's `shared`: what everyone who may see the post sees (the `shared` partial of the thread's
    template), the same for all of them (`_marked`), then its times put in (they change by the minute)."""
    for row, fragment in zip(rows, _marked(rows), strict=True):
        shared = _with_times(fragment, [row[name] for name in TIMES if row[name]])
        # A text held the mark: the post rendered with its times.
        row["shared"] = shared if shared is not None else get_template(SHARED).render({"row": row})


@dataclass(frozen=True, slots=True)
class _KeptReplies:
    """A page of replies as its readers of one class see it (`_marked_replies`): the HTML with a `TIME_MARK` for
    each time, the moments to put there, and who wrote the replies (their author sees actions of their own)."""

    marked: str
    moments: tuple
    authors: frozenset


def _reads_only(viewer: _Viewer) -> bool:
    """Whether the viewer's actions on the replies of a thread are links alone, the same for every such reader who
    wrote none of them (report, or nothing): no accept or moderation forms (they hold the viewer's CSRF token)."""
    return not (viewer.can_accept or viewer.can_moderate)


def _marked_replies(viewer: _Viewer, access: CommunityAccess, page: Page) -> _KeptReplies | None:
    """A page of replies rendered with time marks (`_KeptReplies`), or None when nothing is to keep (no reply,
    or a text held the mark)."""
    replies = selectors.page_replies(access, viewer.discussion, page)
    rows = _reply_rows(viewer, replies)
    posts = [row for row in rows if not row["pointer"]]
    for row, fragment in zip(posts, _marked(posts), strict=True):
        row["shared"] = mark_safe(fragment)  # noqa: S308 - a fragment rendered by the template
    marked = get_template(REPLIES).render({"rows": rows, "urls": viewer.urls})
    moments = tuple(moment for row in posts for moment in row["moments"])
    if not rows or marked.count(TIME_MARK) != len(moments):
        return None
    return _KeptReplies(str(marked), moments, frozenset(reply.author_id for reply in replies))


def _replies(viewer: _Viewer, access: CommunityAccess, page: Page) -> tuple[list[PostRow], str]:
    """A page's replies: as rows for the template, or as its HTML (with "" for rows) when it is kept for every
    reader of the viewer's class (`_KeptReplies`, under the thread's version: one read instead of the replies,
    their rows and their rendering), the times put in for this viewer."""
    version = getattr(viewer.discussion, "thread_version", None)
    if version is not None and _reads_only(viewer):
        row_key = f"{viewer.discussion.pk}-{int(viewer.can_report)}-{page.number}"
        replies = kept("thread-replies", row_key, version, lambda: _marked_replies(viewer, access, page))
        if replies is not None and access.viewer.pk not in replies.authors:
            html = _with_times(replies.marked, times_ago(replies.moments))
            if html is not None:
                return [], html
    rows = _reply_rows(viewer, selectors.page_replies(access, viewer.discussion, page))
    _shared([row for row in rows if not row["pointer"]])
    return rows, ""


def _thread_context(
    access: CommunityAccess,
    discussion: Discussion,
    *,
    page_number: int | str | None = None,
    reply_form: ReplyForm | None = None,
    preview: dict | None = None,
) -> dict:
    page = selectors.thread_page(access, discussion, page_number)
    accepted = discussion.accepted_reply
    viewer = _Viewer(
        access=access,
        discussion=discussion,
        urls=thread_urls(access.community.slug, discussion.pk),
        accepted_pk=accepted.pk if accepted else None,
        can_accept=rules.may_accept(access, discussion),
        can_moderate=rules.may_moderate(access),
        can_report=rules.may_report(access),
    )
    question = _post_row(viewer, discussion, is_reply=False, anchor="question")
    accepted_row = accepted and _post_row(viewer, accepted, is_reply=True, anchor="accepted-answer")
    _shared([question, *([accepted_row] if accepted_row else [])])
    rows, replies = _replies(viewer, access, page)
    return {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "page": page,
        "urls": viewer.urls,
        "question": question,
        "accepted": accepted_row,
        "rows": rows,
        "replies": replies,
        "accept_page": page.number if page.number > 1 else None,
        "following": discussion.viewer_follows,
        "can_reply": rules.may_reply(access, discussion),
        "can_moderate": viewer.can_moderate,
        "reply_form": reply_form or ReplyForm(),
        **(preview or {}),
    }


def _announced(context: dict, error: str, success: str) -> dict:
    """`context` with what happened, for an htmx swap (its live region says it)."""
    return {**context, "announce": error or success, "announce_error": bool(error)}


# --- The list and starting a discussion ------------------------------------------------------------------


@login_required
@require_GET
def discussion_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's discussions, newest activity first and pinned ones on top, filtered by a tab."""
    access = get_community_for(request.user, slug, content=True)
    show = request.GET.get("show", "all")
    if show not in FILTERS:
        show = "all"
    discussions = selectors.community_discussions(
        community=access.community, viewer=request.user, filter_by=show
    )
    reads_reports = rules.may_read_reports(access)
    context = {
        "access": access,
        "tab": "discussions",
        "page": Paginator(discussions, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "filters": FILTERS,
        "show": show,
        "empty": EMPTY[show],
        "can_start": rules.may_post(access),
        "can_read_reports": reads_reports,
        "open_reports": selectors.open_report_count(community=access.community) if reads_reports else 0,
    }
    return render(request, "activities/discussions/list.html", context)


def _with_preview(request: HttpRequest, template: str, context: dict, form) -> HttpResponse:
    """The page again with what was typed and its preview (the preview button without JavaScript)."""
    return render(request, template, {**context, "form": form, **_preview(request.POST.get("body", ""))})


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a discussion: a title and the question or story, with a preview (htmx, or a button without JS)."""
    access = get_community_for(request.user, slug, content=True)
    template = "activities/discussions/start.html"
    context = {"access": access, "tab": "discussions", "can_start": rules.may_post(access)}
    if "preview" in request.POST:
        typed = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        return _with_preview(request, template, context, DiscussionForm(initial=typed))
    return form_page(
        request,
        DiscussionForm(request.POST or None),
        template=template,
        context=context,
        act=lambda data: services.discussion_start(author=request.user, community=access.community, **data),
        success="Your discussion is started. You follow it: replies come to you by mail.",
        then=lambda discussion: discussion.get_absolute_url(),
    )


@login_required
@require_POST
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The text of a post as it will appear (sanitized, mentions linked), for the preview area (htmx)."""
    get_community_for(request.user, slug, content=True)
    return render(
        request, "activities/discussions/_composer.html#preview", _preview(request.POST.get("body", ""))
    )


# --- The thread ------------------------------------------------------------------------------------------


@login_required
@require_GET
def thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The question, its accepted answer under it, then the replies (paginated) and a reply form."""
    access = get_community_for(request.user, slug, content=True)
    discussion = selectors.thread_discussion(access, pk)
    page_number = request.GET.get("page") or selectors.page_of_reply(
        access, discussion, request.GET.get("reply", "")
    )
    context = _thread_context(access, discussion, page_number=page_number)
    return render(request, "activities/discussions/thread.html", context)


@login_required
@require_POST
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Post a reply (or preview it without JavaScript); a refusal comes back with the text kept."""
    access, discussion = _thread_access(request, slug, pk)
    if "preview" in request.POST:
        body = request.POST.get("body", "")
        context = _thread_context(
            access,
            discussion,
            page_number="last",
            reply_form=ReplyForm(initial={"body": body}),
            preview=_preview(body),
        )
        return render(request, "activities/discussions/thread.html", context)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            new = services.reply_add(
                author=request.user, discussion=discussion, body=form.cleaned_data["body"]
            )
        except Refused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, "Your reply is posted. You follow this discussion now.")
            new.discussion = discussion
            return redirect(_post_url(new))
    context = _thread_context(access, discussion, page_number="last", reply_form=form)
    return render(request, "activities/discussions/thread.html", context, status=400)


def _act(act, success: str) -> tuple[object, str, str]:
    """Run `act()`: what it returned, the refusal's words (or ""), and `success` (or "" when refused)."""
    try:
        return act(), "", success
    except Refused as refusal:
        return None, refusal_text(refusal), ""


@login_required
@require_POST
def follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Follow or unfollow in one click: htmx swaps the button in place; without JavaScript, back with a message."""
    access, discussion = _thread_access(request, slug, pk)
    form = ToggleForm(request.POST)
    following, error, success = discussion.viewer_follows, "Choose to follow or to stop following.", ""
    if form.is_valid():
        on = form.cleaned_data["on"]
        done, error, success = _act(
            lambda: services.follow_set(user=request.user, discussion=discussion, follow=on),
            "You follow this discussion: new replies come to you by mail."
            if on
            else "You no longer follow this discussion.",
        )
        following = done if done is not None else following
    if request.htmx:
        context = {
            "access": access,
            "discussion": discussion,
            "following": following,
            "urls": thread_urls(access.community.slug, discussion.pk),
        }
        return render(
            request, "activities/discussions/thread.html#follow", _announced(context, error, success)
        )
    _announce(request, error, success)
    return redirect(safe_next(request, discussion.get_absolute_url()))


def _announce(request: HttpRequest, error: str, success: str) -> None:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)


@login_required
@require_POST
def accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark a reply as the accepted answer (`reply` empty clears the mark). htmx swaps the thread in place."""
    access, discussion = _thread_access(request, slug, pk)
    _allow(rules.may_try_accept(access, discussion), rules.accept_refusal(access, discussion))
    form = AcceptForm(request.POST)
    error, success = "Choose a reply to accept.", ""
    if form.is_valid():
        chosen = selectors.community_reply(access, form.cleaned_data["reply"])
        if form.cleaned_data["reply"] and chosen is None:
            error = "That reply does not exist (any more)."
        else:
            _, error, success = _act(
                lambda: services.reply_accept(actor=request.user, discussion=discussion, reply=chosen),
                "Marked as the accepted answer." if chosen else "The accepted answer mark is removed.",
            )
    page = form.cleaned_data.get("page") if form.is_valid() else None
    if request.htmx:
        discussion = selectors.discussion_for(access, pk)
        context = _thread_context(access, discussion, page_number=page)
        return render(
            request, "activities/discussions/thread.html#thread", _announced(context, error, success)
        )
    _announce(request, error, success)
    url = discussion.get_absolute_url()
    return redirect(f"{url}?page={page}" if page else url)


@dataclass(frozen=True)
class _Toggle:
    """A coordinator's switch on a discussion: the service that sets it, the field, what is said either way."""

    change: Callable[..., Discussion]
    field: str
    on: str
    off: str


PIN = _Toggle(services.discussion_pin, "pinned", on="Pinned: it stays on top of the list.", off="Unpinned.")
LOCK = _Toggle(
    services.discussion_lock,
    "locked",
    on="Locked: nobody can reply any more.",
    off="Unlocked: members can reply again.",
)


def _coordinator_toggle(request: HttpRequest, slug: str, pk: int, toggle: _Toggle) -> HttpResponse:
    """Switch `toggle` on or off as posted, then back to the thread."""
    access, discussion = _thread_access(request, slug, pk)
    _allow(rules.may_open_moderation(access), rules.moderate_refusal(access))

    def change(data: dict) -> bool:
        changed = toggle.change(actor=request.user, discussion=discussion, **{toggle.field: data["on"]})
        return getattr(changed, toggle.field)

    return post_and_return(
        request,
        ToggleForm(request.POST),
        back=discussion.get_absolute_url(),
        act=change,
        success=lambda now_on: toggle.on if now_on else toggle.off,
        invalid="Choose on or off.",
    )


@login_required
@require_POST
def pin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators pin a discussion on top of the list, or unpin it."""
    return _coordinator_toggle(request, slug, pk, PIN)


@login_required
@require_POST
def lock(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators lock a discussion (no new replies), or open it again."""
    return _coordinator_toggle(request, slug, pk, LOCK)


# --- One post: edit, delete, hide, unhide, report --------------------------------------------------------

POST_PAGE = "activities/discussions/post_action.html"


def _post_context(access: CommunityAccess, discussion: Discussion, post: Post, **page: object) -> dict:
    """What every page about one post shows: the thread it is in, the post, and the way back to it."""
    return {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "post": post,
        "back": _post_url(post),
        **page,
    }


def _one_of(post: Post, discussion_text: str, reply_text: str) -> str:
    return discussion_text if isinstance(post, Discussion) else reply_text


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Authors edit their own post (a discussion's title too); the post then shows "edited" and when."""
    access, discussion = _thread_access(request, slug, pk)
    post = selectors.thread_post(access, discussion, reply)
    _allow(rules.may_open_edit(access, post), rules.change_refusal(access, post, "edit"))
    with_title = isinstance(post, Discussion)
    context = _post_context(
        access,
        discussion,
        post,
        composer=True,
        heading=_one_of(post, "Edit the discussion", "Edit your reply"),
        submit="Save the changes",
    )
    if "preview" in request.POST:
        form = PostEditForm(initial=request.POST.dict(), with_title=with_title)
        return _with_preview(request, POST_PAGE, context, form)
    initial = {"body": post.body, **({"title": post.title} if with_title else {})}
    return form_page(
        request,
        PostEditForm(request.POST or None, initial=initial, with_title=with_title),
        template=POST_PAGE,
        context=context,
        act=lambda data: services.post_edit(
            user=request.user, post=post, body=data["body"], title=data.get("title")
        ),
        success="Saved: the post shows that it was edited, and when.",
        then=_post_url(post),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Authors delete their own post after confirming; "deleted by its author" stays in its place."""
    access, discussion = _thread_access(request, slug, pk)
    post = selectors.thread_post(access, discussion, reply)
    _allow(rules.may_open_delete(access, post), rules.change_refusal(access, post, "delete"))
    if request.method == "POST":
        return post_and_return(
            request,
            ConfirmForm(request.POST),
            back=_post_url(post),
            act=lambda _: services.post_delete(user=request.user, post=post),
            success="Deleted: “deleted by its author” stays in its place.",
        )
    context = _post_context(
        access,
        discussion,
        post,
        heading=_one_of(post, "Delete the discussion?", "Delete your reply?"),
        intro="Its text is removed for everyone; “deleted by its author” stays in its place. "
        "This cannot be undone.",
        submit="Delete",
        danger=True,
    )
    return render(request, POST_PAGE, context)


def _reason_page(
    request: HttpRequest,
    slug: str,
    pk: int,
    reply: int | None,
    *,
    page_rule: Callable[[CommunityAccess], bool],
    refusal: Callable[[CommunityAccess], str],
    form_class: type[HideForm | ReportForm],
    act: Callable[[Post, str], object],
    headings: tuple[str, str],
    success: str,
    **page: object,
) -> HttpResponse:
    """A page asking why about one post (hiding, reporting): 403 unless `page_rule` lets the viewer open it (asked
    before the post is looked for), then `act(post, reason)` and back to the post."""
    access, discussion = _thread_access(request, slug, pk)
    _allow(page_rule(access), refusal(access))
    post = selectors.thread_post(access, discussion, reply)
    return form_page(
        request,
        form_class(request.POST or None),
        template=POST_PAGE,
        context=_post_context(access, discussion, post, heading=_one_of(post, *headings), **page),
        act=lambda data: act(post, data["reason"]),
        success=success,
        then=_post_url(post),
    )


@login_required
@require_http_methods(["GET", "POST"])
def hide_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Coordinators hide a post with a reason: kept, shown only to them and its author, with who and why."""
    return _reason_page(
        request,
        slug,
        pk,
        reply,
        page_rule=rules.may_open_moderation,
        refusal=rules.moderate_refusal,
        form_class=HideForm,
        act=lambda post, reason: services.post_hide(actor=request.user, post=post, reason=reason),
        headings=("Hide this discussion", "Hide this reply"),
        success="Hidden: members no longer see it; its author sees why.",
        intro="A hidden post is not deleted: you and the other coordinators still see it, and its author sees "
        "who hid it and why. Open reports about it are resolved.",
        submit="Hide it",
        danger=True,
    )


@login_required
@require_POST
def unhide_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Coordinators show a hidden post again."""
    access, discussion = _thread_access(request, slug, pk)
    _allow(rules.may_open_moderation(access), rules.moderate_refusal(access))
    post = selectors.thread_post(access, discussion, reply)
    return post_and_return(
        request,
        ConfirmForm(request.POST),
        back=_post_url(post),
        act=lambda _: services.post_unhide(actor=request.user, post=post),
        success="Shown again to every member.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("post_reports", methods=["POST"])
def report_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Members report a post to the coordinators, with a reason."""
    return _reason_page(
        request,
        slug,
        pk,
        reply,
        page_rule=rules.may_open_report,
        refusal=rules.post_refusal,
        form_class=ReportForm,
        act=lambda post, reason: services.post_report(reporter=request.user, post=post, reason=reason),
        headings=("Report this discussion", "Report this reply"),
        success="Reported: the coordinators will look at it. Thank you.",
        intro="The coordinators of the community get your report and decide what to do.",
        submit="Send the report",
    )


# --- Reports ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators: the reports nobody has dealt with yet, with links to the posts."""
    access = get_community_for(request.user, slug, content=True)
    _allow(rules.may_read_reports(access), rules.ONLY_COORDINATORS_SEE_REPORTS)
    page = Paginator(selectors.open_reports(community=access.community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "access": access,
        "tab": "discussions",
        "page": page,
        "can_moderate": rules.may_moderate(access),
    }
    return render(request, "activities/discussions/reports.html", context)


@login_required
@require_POST
def resolve_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators mark a report as dealt with (hiding the post resolves its reports too)."""
    access = get_community_for(request.user, slug, content=True)
    _allow(rules.may_open_moderation(access), rules.moderate_refusal(access))
    report = selectors.report_for(access, pk)
    return post_and_return(
        request,
        ConfirmForm(request.POST),
        back=reverse("activities:discussion_reports", args=[slug]),
        act=lambda _: services.report_resolve(actor=request.user, report=report),
        success="Resolved: the report leaves the list.",
    )
