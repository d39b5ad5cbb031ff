"""Reads of members: member search."""

from __future__ import annotations

from django.db.models import Count, Window

from .models import NamePrefix, User
from .names import is_email_lookup, query_prefixes


def search_members(*, user: User, query: str, limit: int) -> tuple[list[User], int]:
    """People to start a conversation with, by exact email address (a query with "@")
    or by name: every word of the query starts a word of the name, case- and
    accent-blind ("hop" and "grace h" find "Grace Hopper"). Names are read through the
    index of their prefixes (users.NamePrefix), never scanned: one query counts, sorts
    and pages the matches inside that index, a second fetches the page's members."""
    members = (
        User.objects.filter(is_active=True).exclude(pk=user.pk).only("id", "name", "avatar_url")
    )
    if is_email_lookup(query):
        found = list(members.filter(email=User.objects.normalize_email(query)))
        return found, len(found)
    prefixes = query_prefixes(query)
    if not prefixes:
        return [], 0
    # The index holds active members only (User.save() keeps it so).
    matches = NamePrefix.objects.filter(prefix=prefixes[0]).exclude(user=user)
    for prefix in prefixes[1:]:
        matches = matches.filter(
            user__in=NamePrefix.objects.filter(prefix=prefix).values("user_id")
        )
    page = list(
        matches.annotate(matching_total=Window(Count("pk")))
        .order_by("name", "user_id")
        .values_list("user_id", "matching_total")[:limit]
    )
    if not page:
        return [], 0
    by_id = members.in_bulk([member_id for member_id, _ in page])
    return [by_id[member_id] for member_id, _ in page if member_id in by_id], page[0][1]
