"""The words of the hot member's history, most frequent first, as one JSON line:
bench/run.py searches for the most frequent one (the costliest search a member can
type) beside the words it always tries.

    DATABASE_URL=sqlite:///bench/data/sqlite-10000.sqlite3 python bench/hot_words.py
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")

# Words too common to be searched for (the seed's fillers and their like).
STOPWORD_TEXT = (
    "a about an and are as at be but by for from has have i in is it my no not of on or our "
    "so that the their this to was we what when which who will with you your"
)
STOPWORDS = set(STOPWORD_TEXT.split())


def main() -> None:
    import django

    django.setup()
    from django.db.models import Q

    from messaging.models import Message

    hot = "bench-hot@example.org"
    # Their direct messages and what they wrote in groups; never the system lines
    # ("Bench Hot created the group ..."), which nobody searches for.
    texts = Message.objects.filter(
        Q(sender__email=hot) | Q(recipient__email=hot), kind=Message.Kind.TEXT
    ).values_list("message_text", flat=True)
    counts: Counter[str] = Counter()
    for text in texts.iterator(chunk_size=5000):
        counts.update(word for word in re.findall(r"\w+", text.lower()) if word not in STOPWORDS)
    print(json.dumps(counts.most_common(5)))


if __name__ == "__main__":
    main()
