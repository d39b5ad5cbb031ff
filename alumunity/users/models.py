import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, router, transaction
from django.utils import timezone

from .names import MAX_PREFIX_LENGTH, name_prefixes

MAX_NAME_LENGTH = 150
MAX_EMAIL_LENGTH = 254


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Addresses are compared whole and case-blind, so one person cannot hold two accounts.
        return (email or "").strip().lower()

    def get_by_natural_key(self, email: str | None) -> "User":
        return self.get(email=self.normalize_email(email))

    def create_user(self, email: str, name: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), name=name.strip(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, name: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, name, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=MAX_EMAIL_LENGTH, unique=True)
    name = models.CharField(max_length=MAX_NAME_LENGTH, db_index=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    messaging_suspended = models.BooleanField(
        default=False, help_text="A suspended member can read but not send."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Privacy settings, columns of the member row so that every read that loads a member
    # has them at no cost. The two shown flags are reciprocal (a member who hides one
    # sees nobody's); message_requests NULL follows the site's MESSAGE_REQUESTS_DEFAULT.
    show_read_receipts = models.BooleanField(default=True, db_default=True)
    show_presence = models.BooleanField(default=True, db_default=True)
    message_requests = models.BooleanField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The only place the name index is written: every path that sets a name or
        # (de)activates a member (sign-up, the admin, a shell) saves the member. A save of
        # other fields only (a login writes last_login) leaves it alone.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not {"name", "is_active"} & set(update_fields):
            return super().save(*args, **kwargs)
        adding = self._state.adding
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            self._write_name_prefixes(new_member=adding)

    def _write_name_prefixes(self, *, new_member: bool) -> None:
        """Only active members are indexed, each row carrying the name it sorts by, so
        member search reads nothing but this index until it fetches its page."""
        wanted = set(name_prefixes(self.name)) if self.is_active else set()
        rows = NamePrefix.objects.using(self._state.db).filter(user=self)
        stored = {} if new_member else dict(rows.values_list("prefix", "name"))
        if stored.keys() - wanted:
            rows.filter(prefix__in=stored.keys() - wanted).delete()
        if any(stored[prefix] != self.name for prefix in stored.keys() & wanted):
            rows.update(name=self.name)
        if wanted - stored.keys():
            NamePrefix.objects.using(self._state.db).bulk_create(
                NamePrefix(user=self, prefix=prefix, name=self.name)
                for prefix in sorted(wanted - stored.keys())
            )


class NamePrefix(models.Model):
    """One row per leading part of each word of an active member's folded name (see
    names.py): "Grace Hopper" has g, gr, …, grace, h, ho, …, hopper. Member search asks
    for the rows equal to each query word; the `name_prefix_search` index holds the
    name (the order results are listed in) and the member id, so the matches are
    counted, sorted and paged without reading the member table at all.
    Written by User.save() and nowhere else (seed_bench's raw inserts aside)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="name_prefixes")
    prefix = models.CharField(max_length=MAX_PREFIX_LENGTH)
    # A copy of User.name, kept by User.save(): the sort key of search results.
    name = models.CharField(max_length=MAX_NAME_LENGTH)

    class Meta:
        verbose_name = "name prefix"
        verbose_name_plural = "name prefixes"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "user"], name="name_prefix_unique"),
        ]
        indexes = [models.Index(fields=["prefix", "name", "user"], name="name_prefix_search")]

    def __str__(self) -> str:
        return self.prefix
