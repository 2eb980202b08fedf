"""The development mail backend keeps every message under var/mail/ and prints it."""

from django.core.mail import send_mail


def test_file_and_console_backend_writes_and_prints(settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "copsite.mail.FileAndConsoleBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send_mail(
        "Welcome to CoPsite", "Follow this link: http://x/confirm/", "noreply@x.org", ["ada@example.org"]
    )
    [written] = list(tmp_path.iterdir())
    assert "Welcome to CoPsite" in written.read_text()
    assert "Follow this link: http://x/confirm/" in capsys.readouterr().out


def test_wsgi_and_asgi_applications_load():
    from copsite.asgi import application as asgi_app
    from copsite.wsgi import application as wsgi_app

    assert callable(wsgi_app) and callable(asgi_app)
