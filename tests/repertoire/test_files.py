"""Attachments: accepted by extension AND content; renamed programs, disguised types and oversized files refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from repertoire.files import FileRefused, check_upload, display_name
from tests.repertoire.conftest import office_upload, pdf_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 20


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("notes.txt", "Plain notes, with ümlauts.".encode(), "text/plain; charset=utf-8"),
        ("data.csv", b"a,b\n1,2\n", "text/csv; charset=utf-8"),
        ("readme.md", b"# Title\n", "text/markdown; charset=utf-8"),
    ],
)
def test_accepted_types(name, content, content_type):
    assert check_upload(SimpleUploadedFile(name, content)).content_type == content_type


def test_a_real_pdf_is_accepted():
    assert check_upload(pdf_upload()).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("plan.docx", "word/document.xml"),
        ("plan.xlsx", "xl/workbook.xml"),
        ("plan.pptx", "ppt/presentation.xml"),
    ],
)
def test_office_files_need_their_own_part(name, part):
    assert check_upload(office_upload(name, part))
    with pytest.raises(FileRefused, match="not really"):
        check_upload(office_upload(name, "something/else.xml"))


def test_a_zip_that_is_not_a_zip_is_refused():
    with pytest.raises(FileRefused, match="not really a Word document"):
        check_upload(SimpleUploadedFile("plan.docx", b"PK\x03\x04 broken archive"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 50),
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 50),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("photo.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 50),
    ],
)
def test_renamed_programs_are_refused(name, content):
    with pytest.raises(FileRefused, match="is a program"):
        check_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<html>not a pdf</html>"),
        ("photo.png", JPEG),
        ("photo.jpg", PNG),
        ("anim.gif", PNG),
    ],
)
def test_disguised_types_are_refused(name, content):
    with pytest.raises(FileRefused, match="does not match its name"):
        check_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize("content", [b"text with a \x00 NUL", b"latin-1 \xe9t\xe9"])
def test_text_must_be_utf8_without_nul(content):
    with pytest.raises(FileRefused, match="not plain text"):
        check_upload(SimpleUploadedFile("notes.txt", content))


@pytest.mark.parametrize("name", ["tool.exe", "script.sh", "page.html", "archive.zip", "noextension"])
def test_other_extensions_are_refused(name):
    with pytest.raises(FileRefused, match="not a type we keep"):
        check_upload(SimpleUploadedFile(name, b"hello"))


def test_empty_file_is_refused():
    with pytest.raises(FileRefused, match="is empty"):
        check_upload(SimpleUploadedFile("notes.txt", b""))


def test_size_limit_comes_from_the_setting(settings):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("notes.txt", b"a" * (1024 * 1024 + 1))
    with pytest.raises(FileRefused, match=r"at most 1\.0"):
        check_upload(big)
    assert check_upload(SimpleUploadedFile("notes.txt", b"a" * (1024 * 1024)))


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\My report.pdf", "My_report.pdf"),
        ('we"ird;name.pdf', "weirdname.pdf"),
        ("..", "file"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_display_names_are_safe(given, shown):
    assert display_name(given) == shown
