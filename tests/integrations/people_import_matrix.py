"""What the authorization matrix posts to the people import's pages (tests/authz/table_integrations.py): a small
file to preview, and a reference to a previewed file to apply, kept for the person asking."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.people_import.services import people_import_preview
from integrations.people_import.uploads import upload_keep

FILE = b"email,name,title\nmatrix.newcomer@example.org,Matrix Newcomer,Analyst\n"


def preview_body(ctx) -> dict:
    return {"file": SimpleUploadedFile("people.csv", FILE, content_type="text/csv")}


def apply_body(ctx) -> dict:
    user = ctx.user
    plan = people_import_preview(data=FILE, directory=settings.PEOPLE_IMPORT_DIRECTORY, actor=user)
    reference = upload_keep(
        data=FILE, filename="people.csv", plan_digest=plan.digest, user_pk=user.pk if user else 0
    )
    return {"reference": reference}
