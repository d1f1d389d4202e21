"""Fail a paper build whose log shows unresolved content: ``python paper/check_log.py paper/main.log``.

Undefined references or citations (``??`` in the PDF), undefined control sequences
(a generated macro that no longer exists), text-mode characters in math mode, missing files
and LaTeX errors are reported,
one per line, and the exit status is 1.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PATTERNS = {
    "undefined reference": re.compile(r"LaTeX Warning: Reference `[^']*' on page \d+ undefined"),
    "undefined citation": re.compile(
        r"(LaTeX|Package natbib) Warning: Citation `[^']*'.*undefined"
    ),
    "undefined references remain": re.compile(r"There were undefined references"),
    "undefined control sequence": re.compile(r"(^! |\.tex:\d+: )Undefined control sequence"),
    # a text-mode character in a math-mode macro (e.g. a Unicode en dash): it drops or
    # mangles the character, and LaTeX only warns
    "invalid in math mode": re.compile(r"LaTeX Warning: Command \\\S+ invalid in math mode"),
    "missing file": re.compile(r"(^! LaTeX Error: File `[^']*' not found)|(No file [^\s]+\.tex)"),
    "latex error": re.compile(r"(^! )|(^\S+\.tex:\d+: )"),
}


def problems(log: str) -> list[str]:
    """Every offending line of ``log``, prefixed by its kind."""
    found = []
    for line in log.splitlines():
        for kind, pattern in PATTERNS.items():
            if pattern.search(line):
                found.append(f"{kind}: {line.strip()}")
                break
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python paper/check_log.py paper/main.log", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.exists():
        print(f"{path}: no build log (did latexmk run?)", file=sys.stderr)
        return 1
    found = problems(path.read_text(errors="replace"))
    for p in found:
        print(p, file=sys.stderr)
    if not found:
        print(f"{path}: no undefined references, citations or control sequences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
