"""The `shinrai` console script: Django's manage.py plus the product's own commands."""

import os
import sys

# Commands that need no database run before Django is imported, so that they start in a fraction of a second.
FAST_COMMANDS = frozenset({"check-requirements", "verifiability-eval", "render-bpmn"})


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "render-bpmn":
        from shinrai.flows.render_command import run as render_bpmn

        sys.exit(render_bpmn(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] in FAST_COMMANDS:
        from shinrai.requirements.checker.commands import run

        sys.exit(run(sys.argv[1], sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinrai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
