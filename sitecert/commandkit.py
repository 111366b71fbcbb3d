"""What sitecert's management commands share: a usage line that names the command as people type it
(`sitecert import-registry`, see cli.py), and a day argument that says in Chinese what is wrong with it."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand


class SitecertCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand.replace("_", "-"), **kwargs)


def day(text: str) -> date:
    """An argument's day, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}”不是日期，请写作 YYYY-MM-DD，如 2026-11-30 / not a date: write YYYY-MM-DD"
        ) from None
