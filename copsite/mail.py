"""The development mail backend: every message is written under var/mail/ and printed."""

import sys

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FileAndConsoleBackend(FileBackend):
    """Keeps a copy of each message on disk (var/mail/) and prints it, so links can be followed locally."""

    def write_message(self, message) -> None:
        super().write_message(message)
        data = message.message().as_bytes()
        charset = message.message().get_charset()
        text = data.decode(charset.get_output_charset() if charset else "utf-8", errors="replace")
        sys.stdout.write(f"{text}\n{'-' * 79}\n")
        sys.stdout.flush()
