"""Base for Pantau's own management commands: messages in the deployment's language."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from pantau.lib.errors import PantauError


class PantauCommand(BaseCommand):
    leave_locale_alone = True

    def execute(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        self.verbosity = options.get("verbosity", 1)
        try:
            return super().execute(*args, **options)
        except PantauError as exc:
            raise CommandError(str(exc)) from exc

    def progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
            self.stdout.flush()
