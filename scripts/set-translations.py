"""Set Arabic translations in the catalogue from a JSON file of {"English msgid": "Arabic text"}.

    python scripts/set-translations.py my-messages.ar.json

Run scripts/update-translations.sh first so the msgids exist. Both scripts take the same lock,
so several people can update the catalogue at once without losing each other's entries.
"""

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "web" / "locale" / "ar" / "LC_MESSAGES" / "messages.po"
LOCK = ROOT / "web" / "locale" / ".lock"


def main(path: str) -> int:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with CATALOGUE.open("rb") as source:
            catalogue = read_po(source, locale="ar")
        missing = [msgid for msgid in translations if catalogue.get(msgid) is None]
        for msgid, text in translations.items():
            message = catalogue.get(msgid)
            if message is not None:
                message.string = text
                message.flags.discard("fuzzy")
        with CATALOGUE.open("wb") as target:
            write_po(target, catalogue, width=0, sort_by_file=True, include_previous=False)
    for msgid in missing:
        print(f"not in the catalogue (run scripts/update-translations.sh first): {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
