"""Quoting values for the command lines CertDesk writes: MMP, POSIX shell and comments.

One place decides how a value is written into a line an administrator copies: the MMP
``pki csr`` grammar (SPEC R3.3: values with spaces in double quotes), a POSIX shell (the
OpenSSL commands of Appendix A) or the text of a ``#`` comment. A value that cannot be
written safely in the grammar (a control character, a line break, a double quote in an MMP
value, …) is refused with ``UnsafeValue``, never emitted: a value must not be able to add a
line or a word to what the administrator pastes.
"""

from __future__ import annotations

import enum
import re
import shlex
import unicodedata

from .errors import PKIError

# Unicode categories that never belong in a value typed on one line: controls (Cc: NUL, CR,
# LF, ESC …), format characters (Cf: bidi overrides and zero-width characters that make a
# line read differently from what it does), surrogates, private use and unassigned code
# points, and the line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# A word the MMP takes as it is: file names, tags, DNS names, interface:port, placeholders.
MMP_BARE_WORD = re.compile(r"[A-Za-z0-9._:*@<>/,+=-]+")


class Grammar(enum.Enum):
    MMP = "mmp"  # one argument of an MMP command (SPEC R3.3)
    SHELL = "shell"  # one argument of a POSIX shell command (SPEC Appendix A)
    COMMENT = "comment"  # text inside a '#' comment line


class UnsafeValue(PKIError):
    """A value that cannot be written into a command line without changing its meaning."""


def describe_character(ch: str) -> str:
    """``U+000A (LINE FEED)``: how a refused character is named in a message."""
    name = unicodedata.name(ch, "")
    if not name and ch in "\n\r\t\x00":
        name = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "TAB", "\x00": "NUL"}[ch]
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def unsafe_character(value: str, *, allow: str = "") -> str | None:
    """The first character of ``value`` that no single-line value may hold, or None.

    Refused: control and format characters, line separators and any white space other than
    the plain space (a tab or no-break space reads like a space but is not one). ``allow``
    lists characters accepted anyway (a multi-line description accepts "\\n").
    """
    for ch in value:
        if ch in allow:
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or (ch.isspace() and ch != " "):
            return ch
    return None


def _refuse(value: str, reason: str) -> UnsafeValue:
    shown = value if unsafe_character(value) is None else ascii(value)
    return UnsafeValue(
        f"'{shown}' cannot be written into a command line: {reason}. Change the value where "
        "it was entered (the deployment's settings or file) and try again."
    )


def mmp_split(line: str) -> list[str]:
    """The words of an MMP command line: split at spaces, double quotes group a value.

    A model of the MMP shell (SPEC R3.3) used to check that a quoted value reads back as
    itself; quotes inside a word are kept, as ``O:"Example Inc."`` is one word.
    """
    words: list[str] = []
    current = ""
    quoted = False
    started = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
            current += ch
            started = True
        elif ch == " " and not quoted:
            if started:
                words.append(current)
            current, started = "", False
        else:
            current += ch
            started = True
    if quoted:
        raise UnsafeValue(f"The line {line!r} has an unbalanced double quote.")
    if started:
        words.append(current)
    return words


def _mmp_unquote(word: str) -> str:
    return word.replace('"', "")


def quote(value: str, grammar: Grammar) -> str:
    """``value`` written as one word (MMP, shell) or as comment text; UnsafeValue otherwise."""
    if not isinstance(value, str):
        value = str(value)
    bad = unsafe_character(value)
    if bad is not None:
        raise _refuse(value, f"it contains the character {describe_character(bad)}")
    if grammar is Grammar.COMMENT:
        return value
    if not value:
        raise _refuse(value, "it is empty")
    if grammar is Grammar.SHELL:
        return shlex.quote(value)
    # MMP: a bare word, or the whole value in double quotes; the MMP has no escape for a
    # double quote, and the pki csr grammar drops spaces around a value.
    if '"' in value:
        raise _refuse(value, "the MMP has no way to write a double quote inside a value")
    if value != value.strip(" "):
        raise _refuse(value, "it starts or ends with a space, which the MMP drops")
    if MMP_BARE_WORD.fullmatch(value):
        return value
    quoted = f'"{value}"'
    words = mmp_split(quoted)
    if len(words) != 1 or _mmp_unquote(words[0]) != value:  # pragma: no cover - by design
        raise _refuse(value, "the MMP would not read it back as one value")
    return quoted


def quote_attribute(name: str, value: str) -> str:
    """``O:"Example Inc."``: one ``pki csr`` attribute (SPEC R3.3), the value quoted for the MMP."""
    if not re.fullmatch(r"[A-Za-z]+", name):
        raise _refuse(name, "an attribute name has letters only")
    text = quote(value, Grammar.MMP)
    if value.startswith("'") and value.endswith("'") and len(value) >= 2:
        # pki csr removes one pair of surrounding quotes the user typed (SPEC R3.3).
        raise _refuse(value, "pki csr would drop the quotes around it")
    return f"{name}:{text}"


def join_shell(args: list[str]) -> str:
    """One POSIX shell command line from its arguments, each quoted (or refused)."""
    return " ".join(quote(arg, Grammar.SHELL) for arg in args)


def check_line(line: str) -> str:
    """``line`` if it is one line with no character that could hide or add a command."""
    bad = unsafe_character(line)
    if bad is not None:
        raise UnsafeValue(
            f"A line of the script would contain the character {describe_character(bad)}: "
            "CertDesk refuses to write it. Correct the value it came from and try again."
        )
    return line
