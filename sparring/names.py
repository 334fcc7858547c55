"""Which capitalised words are names, told by how words are written, not by a name list.

A reply that calls the customer by another name ("Kelly, ...") or sends them to another
place ("the Northampton hub") is about somebody else's case. But a capital letter alone
says little: "Instead, ..." and "Firstly, ..." open sentences too. spaCy's lexeme
probabilities (spacy-lookups-data, pinned) tell them apart: a name is written capitalised
far more often than in lower case ("Kelly" 2.6 natural-log units more often than "kelly";
"Instead" 2.0 less often than "instead"). The language's ``names`` setting names the table
and the margin; the set of name-like words is derived once per machine into
``models/languages/<code>/names.txt`` (the table itself takes ~400 MB in memory).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache

from sparring.language import DEFAULT_LANGUAGE, ROOT, load_language

NAMES_DIR = ROOT / "models" / "languages"


@lru_cache(maxsize=None)
def name_like(code: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Lower-cased words that are names when capitalised; empty when the language has no
    ``names`` setting (a language without capital letters tells names otherwise)."""
    settings = load_language(code).names
    if not settings:
        return frozenset()
    path = NAMES_DIR / code / "names.txt"
    header = json.dumps(settings, sort_keys=True)
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0] == header:
            return frozenset(lines[1:])
    words = _derive(load_language(code).spacy_code, settings["table"], float(settings["margin"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *sorted(words)]) + "\n", encoding="utf-8")
    return words


def _derive(spacy_code: str, table: str, margin: float) -> frozenset[str]:
    from spacy_lookups_data import get_file

    with gzip.open(get_file(f"{spacy_code}_{table}.json.gz"), "rt", encoding="utf-8") as handle:
        probabilities = json.load(handle)
    floor = min(probabilities.values())
    return frozenset(
        word.lower() for word, probability in probabilities.items()
        if word[:1].isupper() and word.isalpha() and probability - probabilities.get(word.lower(), floor) > margin
    )


if __name__ == "__main__":  # `python -m sparring.names`: derive the name-like words now (set-up)
    print(f"{len(name_like())} name-like words")
