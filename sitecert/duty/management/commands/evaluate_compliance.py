"""The former name of `evaluate-duty`, kept so that existing schedules keep working."""

from sitecert.duty.management.commands.evaluate_duty import Command  # noqa: F401
