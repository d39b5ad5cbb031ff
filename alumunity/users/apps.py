from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "alumunity.users"
    label = "users"
    verbose_name = "Members"
    default_auto_field = "django.db.models.BigAutoField"
