"""Small helpers for driving the admin through the test client."""

from django.urls import reverse

from messaging import services


def changelist_url(model: str, app: str = "messaging") -> str:
    return reverse(f"admin:{app}_{model}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def run_action(
    client, url: str, action: str, objects, reason: str = "", follow: bool = False, **extra
):
    """POST an admin action on the selected objects, as the changelist's action bar does."""
    data = {
        "action": action,
        "_selected_action": [str(obj.pk) for obj in objects],
        "index": 0,
        "reason": reason,
        **extra,
    }
    return client.post(url, data, follow=follow)


def file_report(reporter, message, reason: str = "spam"):
    return services.report_message(reporter=reporter, message_id=message.pk, reason=reason)
