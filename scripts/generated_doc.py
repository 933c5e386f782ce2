"""A doc whose first part is generated and whose rest, after a marker line, is written by hand
(docs/rules.md, docs/coverage.md). `make docs` rewrites the generated part and keeps the rest;
with --check nothing is written and the exit status says whether the file is current."""
import difflib
import sys

MARKER = "<!-- Written by hand from here on: `make docs` regenerates the part above and keeps this. -->\n"


def update(doc, generated, check):
    """Writes `generated` above the marker of `doc` (or, with `check`, compares). Returns the exit
    status: 0 current or written, 1 stale (check) or the marker missing."""
    with open(doc, encoding="utf-8") as f:
        current = f.read()
    if MARKER not in current:
        print(f"{doc}: the marker line of the hand-written part is missing:\n{MARKER}")
        return 1
    wanted = generated + "\n" + MARKER + current.split(MARKER, 1)[1]
    if check:
        if current != wanted:
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True),
                                                       wanted.splitlines(True), doc, "make docs"))
            print(f"{doc} is stale: run `make docs`")
            return 1
        print(f"{doc} is current")
        return 0
    if current != wanted:
        with open(doc, "w", encoding="utf-8") as f:
            f.write(wanted)
    return 0
