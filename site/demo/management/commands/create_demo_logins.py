"""Create the local demo's logins and print them.

Each login gets a random password the first time. The passwords are kept in
``var/demo-logins.txt`` (``settings.VAR_DIR``, never committed) so that later
runs print the same ones. If a user exists but the file has lost its password,
a new password is set and written down. Delete the file, or pass ``--reset``,
to get new passwords.

The demo is local only: these logins must never exist on a public site.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from privacy_notices.roles import DPOS, EDITORS

LOGINS_FILE_NAME = "demo-logins.txt"


@dataclass(frozen=True)
class DemoLogin:
    """One role a visitor to the demo can sign in as."""

    username: str
    role: str
    email: str
    is_superuser: bool = False
    # Names of the groups (made by migrations) that give the role its permissions.
    groups: tuple[str, ...] = ()


# One login per role; the groups and what each may do are in privacy_notices.roles.
DEMO_LOGINS = (
    DemoLogin("admin", "Administrator: can do everything", "admin@northmoor.example", is_superuser=True),
    DemoLogin(
        "editor",
        "Content editor: writes notices and submits them to the DPO; cannot publish or change the registers",
        "editor@northmoor.example",
        groups=(EDITORS,),
    ),
    DemoLogin(
        "dpo",
        "Data protection officer: keeps the registers, approves or rejects notices, publishes",
        "dpo@northmoor.example",
        groups=(DPOS,),
    ),
)


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / LOGINS_FILE_NAME


def read_passwords(path: Path) -> dict[str, str]:
    """Usernames and passwords from the logins file: one "username password" pair a line."""
    if not path.exists():
        return {}
    passwords = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            username, _, password = line.partition(" ")
            if password.strip():
                passwords[username] = password.strip()
    return passwords


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Logins for the local demo only, written by `manage.py create_demo_logins`.",
        '# One "username password" pair a line. Delete this file to get new passwords on the next run.',
        *(f"{username} {password}" for username, password in passwords.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


def new_password() -> str:
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = "Create the local demo's logins if they are missing, and print their usernames and passwords."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Give every demo login a new password.")

    def handle(self, *args, reset: bool = False, **options):
        path = logins_file()
        stored = {} if reset else read_passwords(path)
        passwords = dict(stored)
        outcomes = {}
        with transaction.atomic():
            for login in DEMO_LOGINS:
                outcomes[login.username] = self.ensure_login(login, passwords)
            if passwords != stored or reset:
                # Inside the transaction: if the file cannot be written, no password changes.
                write_passwords(path, {**read_passwords(path), **passwords})

        admin_url = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + "/admin/"
        self.stdout.write(self.style.SUCCESS(f"Demo logins for {admin_url} (local demo only):"))
        for login in DEMO_LOGINS:
            self.stdout.write("")
            self.stdout.write(f"  {login.role}")
            self.stdout.write(f"    username: {login.username}")
            self.stdout.write(f"    password: {passwords[login.username]}")
            if outcomes[login.username]:
                self.stdout.write(self.style.WARNING(f"    ({outcomes[login.username]})"))
        self.stdout.write("")
        self.stdout.write(f"The passwords are kept in {path}.")

    def ensure_login(self, login: DemoLogin, passwords: dict[str, str]) -> str:
        """Make sure the login exists with the password in ``passwords``; say what was done, if anything."""
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: login.username}).first()
        if user is None:
            # Reuse a password still in the file (e.g. after the database was reset).
            password = passwords.setdefault(login.username, new_password())
            user = User(**{User.USERNAME_FIELD: login.username}, email=login.email)
            user.is_staff = True
            user.is_superuser = login.is_superuser
            user.set_password(password)
            user.save()
            self.set_groups(user, login)
            return "created"
        # A login made before its role existed joins the role's groups now.
        self.set_groups(user, login)
        if login.username not in passwords:
            passwords[login.username] = new_password()
            user.set_password(passwords[login.username])
            user.save(update_fields=["password"])
            return "new password set"
        if not user.check_password(passwords[login.username]):
            return "this password was changed in the admin since; run create_demo_logins --reset for a new one"
        return ""

    def set_groups(self, user, login: DemoLogin) -> None:
        if not login.groups:
            return
        groups = list(Group.objects.filter(name__in=login.groups))
        missing = set(login.groups) - {group.name for group in groups}
        if missing:
            raise CommandError(f"Group(s) {', '.join(sorted(missing))} not found: run migrate first.")
        user.groups.add(*groups)
