"""Views of discussions: a community's list, starting one, the thread and what people do in it (reply, follow,
accept an answer, edit, delete, report) and what coordinators do (pin, lock, hide, unhide, open reports).

Who: anyone who may see the community's content reads its discussions (404 for outsiders; a hidden discussion
only its author and the coordinators); active members write; authors edit and delete their own posts; the
discussion's author or a coordinator accepts an answer; coordinators moderate (403 for others). The services
judge the rest and refuse with a message (`DiscussionError`): it comes back next to what was typed, kept.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.discussions import selectors, services
from activities.discussions.forms import (
    AcceptForm,
    DiscussionForm,
    HideForm,
    PostEditForm,
    ReplyForm,
    ReportForm,
    ToggleForm,
)
from activities.discussions.models import Discussion, Reply, Report
from activities.discussions.services import MAX_BODY, DiscussionError
from activities.templatetags.discussion_tags import post_html
from communities.access import CommunityAccess, get_community_for
from core.ratelimits import rate_limited
from core.redirects import safe_next

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


def _per_thread_page() -> int:
    return settings.PAGE_SIZE * 2


def _may_write(access: CommunityAccess) -> bool:
    """Active members of a community that is not archived."""
    return access.is_member and not access.community.is_archived


def _may_moderate(access: CommunityAccess) -> bool:
    return access.is_coordinator and not access.community.is_archived


def _author_refusal(access: CommunityAccess, post: Post, *, editing: bool = False) -> str | None:
    """Why the viewer may not change this post of theirs, or None. An author needs the standing it takes to post
    there (an active member: a removed one no longer changes their posts), and a post a coordinator hid stays as
    they left it (its author may still delete it). In an archived community the page itself says it no longer
    changes."""
    if post.author_id != access.viewer.pk:
        return "You can only change what you wrote."
    if access.community.is_archived:
        return None
    if not access.is_member:
        return f"You are no longer a member of {access.community.name}: your posts there stay as they are."
    if editing and post.is_hidden:
        return "A coordinator hid this post: it stays as they left it. You can still delete it."
    return None


def _thread_access(request: HttpRequest, slug: str, pk: int) -> tuple[CommunityAccess, Discussion]:
    access = get_community_for(request.user, slug, content=True)
    return access, selectors.discussion_for(access, pk, request.user)


def _visible_replies(request: HttpRequest, access: CommunityAccess, discussion: Discussion):
    return selectors.thread_replies(
        discussion=discussion, viewer=request.user, is_coordinator=access.is_coordinator
    )


def _post_of(
    request: HttpRequest, access: CommunityAccess, discussion: Discussion, reply: int | None
) -> Post:
    """The discussion itself, or one of its replies the viewer may see (404 otherwise)."""
    if reply is None:
        return discussion
    found = _visible_replies(request, access, discussion).filter(pk=reply).first()
    if found is None:
        raise Http404("No such reply")
    found.discussion = discussion
    return found


def _community_reply(access: CommunityAccess, pk: int | None) -> Reply | None:
    """A reply of any discussion of this community (the service says when it belongs to another discussion)."""
    if pk is None:
        return None
    return Reply.objects.filter(pk=pk, discussion__community=access.community).first()


def _post_url(post: Post) -> str:
    """Where a post is: the thread, or the page of the thread that shows this reply, at its anchor."""
    if isinstance(post, Discussion):
        return post.get_absolute_url()
    return f"{post.discussion.get_absolute_url()}?reply={post.pk}#reply-{post.pk}"


def _field_for(error: DiscussionError) -> str | None:
    """The form field a refusal is about, or None for the whole form (locked, archived, not a member)."""
    text = error.message.lower()
    if "title" in text:
        return "title"
    if "text" in text or "write something" in text:
        return "body"
    return None


def _preview(body: str) -> dict:
    """What the preview area shows for a text: its HTML as it will appear, or why there is nothing to show."""
    if not body.strip():
        return {"preview_html": "", "preview_note": "Nothing to preview yet: write something first."}
    if len(body) > MAX_BODY:
        return {
            "preview_html": "",
            "preview_note": f"The text is too long ({len(body):,} characters); keep it under {MAX_BODY:,}.",
        }
    return {"preview_html": post_html(body), "preview_note": ""}


def _thread_context(
    request: HttpRequest,
    access: CommunityAccess,
    discussion: Discussion,
    *,
    page_number: int | str | None = None,
    reply_form: ReplyForm | None = None,
    preview: dict | None = None,
) -> dict:
    user = request.user
    paginator = Paginator(_visible_replies(request, access, discussion), _per_thread_page())
    page = paginator.get_page(paginator.num_pages if page_number == "last" else page_number)
    open_for_writing = not access.community.is_archived
    return {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "page": page,
        "accepted": discussion.accepted_reply,
        "following": discussion.viewer_follows,
        "is_author": discussion.author_id == user.pk,
        "can_reply": _may_write(access)
        and not discussion.locked
        and not discussion.is_hidden
        and not discussion.is_deleted,
        "can_moderate": _may_moderate(access),
        "can_accept": open_for_writing
        and (access.is_coordinator or (discussion.author_id == user.pk and access.is_member)),
        "can_report": _may_write(access),
        "can_edit": _may_write(access),
        "reply_form": reply_form or ReplyForm(),
        **(preview or {}),
    }


def _page_of_reply(request: HttpRequest, access: CommunityAccess, discussion: Discussion) -> int | None:
    """The page of the thread that shows `?reply=<pk>` (links to a reply from mail and after posting)."""
    wanted = request.GET.get("reply", "")
    if not wanted.isdigit():
        return None
    replies = _visible_replies(request, access, discussion)
    found = replies.filter(pk=int(wanted)).values("pk", "created_at").first()
    if found is None:
        return None
    before = replies.filter(
        Q(created_at__lt=found["created_at"]) | Q(created_at=found["created_at"], pk__lt=found["pk"])
    ).count()
    return before // _per_thread_page() + 1


def _announce(request: HttpRequest, error: str, success: str) -> None:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)


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
    context = {
        "access": access,
        "tab": "discussions",
        "page": Paginator(discussions, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "filters": FILTERS,
        "show": show,
        "empty": EMPTY[show],
        "can_start": _may_write(access),
        "open_reports": (
            selectors.open_reports(community=access.community).count() if access.is_coordinator else 0
        ),
    }
    return render(request, "activities/discussions/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a discussion: a title and the question or story, with a preview (htmx, or a button without JS)."""
    access = get_community_for(request.user, slug, content=True)
    form = DiscussionForm(request.POST or None)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = _preview(request.POST.get("body", ""))
        form = DiscussionForm(
            initial={"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        )
    elif request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_start(
                author=request.user,
                community=access.community,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except DiscussionError as error:
            form.add_error(_field_for(error), error.message)
        else:
            messages.success(
                request, "Your discussion is started. You follow it: replies come to you by mail."
            )
            return redirect(discussion)
    context = {
        "access": access,
        "tab": "discussions",
        "form": form,
        "can_start": _may_write(access),
        **(preview or {}),
    }
    return render(request, "activities/discussions/start.html", context, status=400 if form.errors else 200)


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
    access, discussion = _thread_access(request, slug, pk)
    page_number = request.GET.get("page") or _page_of_reply(request, access, discussion)
    context = _thread_context(request, access, discussion, page_number=page_number)
    return render(request, "activities/discussions/thread.html", context)


@login_required
@require_POST
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Post a reply (or preview it without JavaScript); a refusal comes back with the text kept."""
    access, discussion = _thread_access(request, slug, pk)
    if "preview" in request.POST:
        body = request.POST.get("body", "")
        context = _thread_context(
            request,
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
        except DiscussionError as error:
            form.add_error(_field_for(error), error.message)
        else:
            messages.success(request, "Your reply is posted. You follow this discussion now.")
            new.discussion = discussion
            return redirect(_post_url(new))
    context = _thread_context(request, access, discussion, page_number="last", reply_form=form)
    return render(request, "activities/discussions/thread.html", context, status=400)


@login_required
@require_POST
def follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Follow or unfollow in one click: htmx swaps the button in place; without JavaScript, back with a message."""
    access, discussion = _thread_access(request, slug, pk)
    form = ToggleForm(request.POST)
    following, error, success = discussion.viewer_follows, "", ""
    if not form.is_valid():
        error = "Choose to follow or to stop following."
    else:
        try:
            following = services.follow_set(
                user=request.user, discussion=discussion, follow=form.cleaned_data["on"]
            )
        except DiscussionError as refusal:
            error = refusal.message
        else:
            success = (
                "You follow this discussion: new replies come to you by mail."
                if following
                else "You no longer follow this discussion."
            )
    if request.htmx:
        context = {
            "access": access,
            "discussion": discussion,
            "following": following,
            "announce": error or success,
            "announce_error": bool(error),
        }
        return render(request, "activities/discussions/thread.html#follow", context)
    _announce(request, error, success)
    return redirect(safe_next(request, discussion.get_absolute_url()))


@login_required
@require_POST
def accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark a reply as the accepted answer (`reply` empty clears the mark). htmx swaps the thread in place."""
    access, discussion = _thread_access(request, slug, pk)
    if not access.is_coordinator and _author_refusal(access, discussion):
        raise PermissionDenied(
            "Only the person who asked, while a member, or a coordinator, can accept an answer."
        )
    form = AcceptForm(request.POST)
    error = success = ""
    if not form.is_valid():
        error = "Choose a reply to accept."
    else:
        chosen = _community_reply(access, form.cleaned_data["reply"])
        if form.cleaned_data["reply"] and chosen is None:
            error = "That reply does not exist (any more)."
        else:
            try:
                services.reply_accept(actor=request.user, discussion=discussion, reply=chosen)
            except DiscussionError as refusal:
                error = refusal.message
            else:
                success = (
                    "Marked as the accepted answer." if chosen else "The accepted answer mark is removed."
                )
    page = form.cleaned_data.get("page") if form.is_valid() else None
    if request.htmx:
        discussion = selectors.discussion_for(access, pk, request.user)
        context = _thread_context(request, access, discussion, page_number=page)
        context.update(announce=error or success, announce_error=bool(error))
        return render(request, "activities/discussions/thread.html#thread", context)
    _announce(request, error, success)
    url = discussion.get_absolute_url()
    return redirect(f"{url}?page={page}" if page else url)


def _coordinator_toggle(
    request: HttpRequest, slug: str, pk: int, *, change, on: str, off: str
) -> HttpResponse:
    access, discussion = _thread_access(request, slug, pk)
    if not access.is_coordinator:
        raise PermissionDenied("Only the community's coordinators can do that.")
    form = ToggleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose on or off.")
    else:
        try:
            change(discussion, form.cleaned_data["on"])
        except DiscussionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, on if form.cleaned_data["on"] else off)
    return redirect(discussion)


@login_required
@require_POST
def pin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators pin a discussion on top of the list, or unpin it."""
    return _coordinator_toggle(
        request,
        slug,
        pk,
        change=lambda d, on: services.discussion_pin(actor=request.user, discussion=d, pinned=on),
        on="Pinned: it stays on top of the list.",
        off="Unpinned.",
    )


@login_required
@require_POST
def lock(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators lock a discussion (no new replies), or open it again."""
    return _coordinator_toggle(
        request,
        slug,
        pk,
        change=lambda d, on: services.discussion_lock(actor=request.user, discussion=d, locked=on),
        on="Locked: nobody can reply any more.",
        off="Unlocked: members can reply again.",
    )


# --- One post: edit, delete, hide, unhide, report --------------------------------------------------------


def _post_page(request: HttpRequest, template_context: dict, *, status: int = 200) -> HttpResponse:
    return render(request, "activities/discussions/post_action.html", template_context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Authors edit their own post (a discussion's title too); the post then shows "edited" and when."""
    access, discussion = _thread_access(request, slug, pk)
    post = _post_of(request, access, discussion, reply)
    refusal = _author_refusal(access, post, editing=True)
    if refusal:
        raise PermissionDenied(refusal)
    with_title = isinstance(post, Discussion)
    initial = {"body": post.body, **({"title": post.title} if with_title else {})}
    form = PostEditForm(request.POST or None, initial=initial, with_title=with_title)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = _preview(request.POST.get("body", ""))
        form = PostEditForm(initial=request.POST.dict(), with_title=with_title)
    elif request.method == "POST" and form.is_valid():
        try:
            services.post_edit(
                user=request.user,
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
            )
        except DiscussionError as error:
            form.add_error(_field_for(error), error.message)
        else:
            messages.success(request, "Saved: the post shows that it was edited, and when.")
            return redirect(_post_url(post))
    context = {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "post": post,
        "form": form,
        "composer": True,
        "heading": "Edit the discussion" if with_title else "Edit your reply",
        "submit": "Save the changes",
        "back": _post_url(post),
        **(preview or {}),
    }
    return _post_page(request, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Authors delete their own post after confirming; "deleted by its author" stays in its place."""
    access, discussion = _thread_access(request, slug, pk)
    post = _post_of(request, access, discussion, reply)
    refusal = _author_refusal(access, post)
    if refusal:
        raise PermissionDenied(refusal)
    if request.method == "POST":
        try:
            services.post_delete(user=request.user, post=post)
        except DiscussionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Deleted: “deleted by its author” stays in its place.")
        return redirect(_post_url(post))
    context = {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "post": post,
        "heading": "Delete the discussion?" if isinstance(post, Discussion) else "Delete your reply?",
        "intro": "Its text is removed for everyone; “deleted by its author” stays in its place. "
        "This cannot be undone.",
        "submit": "Delete",
        "danger": True,
        "back": _post_url(post),
    }
    return _post_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def hide_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Coordinators hide a post with a reason: kept, shown only to them and its author, with who and why."""
    access, discussion = _thread_access(request, slug, pk)
    if not access.is_coordinator:
        raise PermissionDenied("Only the community's coordinators can hide posts.")
    post = _post_of(request, access, discussion, reply)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_hide(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except DiscussionError as error:
            form.add_error("reason" if "why" in error.message.lower() else None, error.message)
        else:
            messages.success(request, "Hidden: members no longer see it; its author sees why.")
            return redirect(_post_url(post))
    context = {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "post": post,
        "form": form,
        "heading": "Hide this discussion" if isinstance(post, Discussion) else "Hide this reply",
        "intro": "A hidden post is not deleted: you and the other coordinators still see it, and its author sees "
        "who hid it and why. Open reports about it are resolved.",
        "submit": "Hide it",
        "danger": True,
        "back": _post_url(post),
    }
    return _post_page(request, context, status=400 if form.errors else 200)


@login_required
@require_POST
def unhide_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Coordinators show a hidden post again."""
    access, discussion = _thread_access(request, slug, pk)
    if not access.is_coordinator:
        raise PermissionDenied("Only the community's coordinators can show hidden posts again.")
    post = _post_of(request, access, discussion, reply)
    try:
        services.post_unhide(actor=request.user, post=post)
    except DiscussionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Shown again to every member.")
    return redirect(_post_url(post))


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("post_reports", methods=["POST"])
def report_post(request: HttpRequest, slug: str, pk: int, reply: int | None = None) -> HttpResponse:
    """Members report a post to the coordinators, with a reason."""
    access, discussion = _thread_access(request, slug, pk)
    if not access.is_member:
        raise PermissionDenied("Only members can report posts.")
    post = _post_of(request, access, discussion, reply)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(reporter=request.user, post=post, reason=form.cleaned_data["reason"])
        except DiscussionError as error:
            form.add_error("reason" if "say what" in error.message.lower() else None, error.message)
        else:
            messages.success(request, "Reported: the coordinators will look at it. Thank you.")
            return redirect(_post_url(post))
    context = {
        "access": access,
        "tab": "discussions",
        "discussion": discussion,
        "post": post,
        "form": form,
        "heading": "Report this discussion" if isinstance(post, Discussion) else "Report this reply",
        "intro": "The coordinators of the community get your report and decide what to do.",
        "submit": "Send the report",
        "back": _post_url(post),
    }
    return _post_page(request, context, status=400 if form.errors else 200)


# --- Reports ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators: the reports nobody has dealt with yet, with links to the posts."""
    access = get_community_for(request.user, slug, content=True)
    if not access.is_coordinator:
        raise PermissionDenied("Only the community's coordinators see reports.")
    page = Paginator(selectors.open_reports(community=access.community), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"access": access, "tab": "discussions", "page": page, "can_moderate": _may_moderate(access)}
    return render(request, "activities/discussions/reports.html", context)


@login_required
@require_POST
def resolve_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Coordinators mark a report as dealt with (hiding the post resolves its reports too)."""
    access = get_community_for(request.user, slug, content=True)
    if not access.is_coordinator:
        raise PermissionDenied("Only the community's coordinators deal with reports.")
    report = Report.objects.filter(pk=pk, discussion__community=access.community).first()
    if report is None:
        raise Http404("No such report")
    try:
        services.report_resolve(actor=request.user, report=report)
    except DiscussionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Resolved: the report leaves the list.")
    return redirect(reverse("activities:discussion_reports", args=[slug]))
