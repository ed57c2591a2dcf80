"""Display names inside text other people read (e-mail subjects, notification lines)."""

from accounts.models import NAME_MAX_LENGTH

_QUOTES = str.maketrans("", "", '“”"')


def quoted(name: str) -> str:
    """`“Name”`: one line, without quotation marks of its own (so it cannot close the quote and carry on as
    the portal's words), and no longer than a valid name. Subjects put it after the portal's own words, never
    first, so a name cannot pass for the sender's message."""
    plain = " ".join(str(name).translate(_QUOTES).split())[:NAME_MAX_LENGTH]
    return f"“{plain}”"
