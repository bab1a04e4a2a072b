#!/usr/bin/env bash
# Extract every translatable message (see babel.cfg) and merge it into the Arabic and English
# catalogues under web/locale. New messages arrive with an empty translation: translate them
# in web/locale/ar/LC_MESSAGES/messages.po. The English catalogue stays empty on purpose,
# because the message ids are the English text.
set -euo pipefail

cd "$(dirname "$0")/.."
# scripts/set-translations.py takes the same lock, so concurrent updates do not overwrite each other.
exec 9>web/locale/.lock
flock 9
template=$(mktemp --suffix=.pot)
trap 'rm -f "$template"' EXIT

pybabel --quiet extract --mapping-file=babel.cfg --keyword=_ --keyword=N_ \
    --add-location=file --sort-by-file --no-wrap \
    --project=Diwan --copyright-holder="Diwan contributors" \
    --output-file="$template" .

for language in ar en; do
    catalogue="web/locale/$language/LC_MESSAGES/messages.po"
    if [[ -f "$catalogue" ]]; then
        pybabel --quiet update --input-file="$template" --output-file="$catalogue" \
            --locale="$language" --ignore-obsolete --ignore-pot-creation-date --no-wrap
    else
        mkdir -p "$(dirname "$catalogue")"
        pybabel --quiet init --input-file="$template" --output-file="$catalogue" --locale="$language" --no-wrap
    fi
done

untranslated=$(python - <<'PYTHON'
from babel.messages.pofile import read_po

with open("web/locale/ar/LC_MESSAGES/messages.po", "rb") as source:
    catalog = read_po(source, locale="ar")
missing = [message for message in catalog if message.id and (not message.string or message.fuzzy)]
print(len(missing))
PYTHON
)
echo "Catalogues updated; Arabic messages still to translate or review: $untranslated"
