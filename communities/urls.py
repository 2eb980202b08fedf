"""URLs for communities: /c/ lists them, /c/<slug>/ is a community, its tabs and its actions."""

from django.urls import path

from communities.views import browse, manage, membership, staff

app_name = "communities"
urlpatterns = [
    path("", browse.browse, name="browse"),
    path("propose/", browse.propose, name="propose"),
    path("invitation/<str:token>/", membership.email_invitation, name="email_invitation"),
    path("attention/", staff.attention, name="staff_attention"),
    path("<slug:slug>/", browse.home, name="home"),
    path("<slug:slug>/members/", browse.members, name="members"),
    path("<slug:slug>/settings/", browse.settings_edit, name="settings"),
    # Joining and one's own membership.
    path("<slug:slug>/join/", membership.join, name="join"),
    path("<slug:slug>/request/", membership.request_to_join, name="request"),
    path("<slug:slug>/invitation/", membership.respond, name="respond"),
    path("<slug:slug>/my-level/", membership.my_level, name="my_level"),
    path("<slug:slug>/leave/", membership.leave, name="leave"),
    # Coordinators: managing membership.
    path("<slug:slug>/members/manage/", manage.manage_members, name="manage_members"),
    path("<slug:slug>/members/export.csv", manage.export_members, name="export_members"),
    path("<slug:slug>/members/invite/", manage.invite, name="invite"),
    path("<slug:slug>/members/<int:pk>/decide/", manage.decide, name="decide"),
    path("<slug:slug>/members/<int:pk>/level/", manage.change, {"field": "level"}, name="change_level"),
    path("<slug:slug>/members/<int:pk>/role/", manage.change, {"field": "role"}, name="change_role"),
    path("<slug:slug>/members/<int:pk>/remove/", manage.remove, name="remove"),
    path(
        "<slug:slug>/invitations/<int:pk>/withdraw/",
        manage.withdraw_email_invitation,
        name="withdraw_invitation",
    ),
    # Staff: sponsors, archiving, appointing a coordinator.
    path("<slug:slug>/sponsors/", staff.sponsors, name="sponsors"),
    path("<slug:slug>/sponsors/<int:pk>/end/", staff.end_sponsorship, name="end_sponsorship"),
    path("<slug:slug>/archive/", staff.archive, name="archive"),
    path("<slug:slug>/appoint/", staff.appoint, name="appoint"),
    path("people/<int:pk>/deactivate/", staff.deactivate_member, name="deactivate_member"),
    path("people/<int:pk>/reactivate/", staff.reactivate_member, name="reactivate_member"),
]
