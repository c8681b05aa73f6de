"""``shinrai import-redmine``: import Redmine projects (versions, issues, journals) into Shinrai."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shinrai.core.models import Organization, Project, User
from shinrai.integrations.models import ImportRun
from shinrai.integrations.redmine import importer
from shinrai.integrations.redmine.client import RedmineError, normalise_base_url

KINDS = ("project", "milestone", "task", "trouble", "journal")


class Command(BaseCommand):
    help = (
        "Import Redmine projects: versions become milestones, issues tasks (or troubles, for the trackers "
        "given with --trouble-tracker), journal notes history. Running it again updates what changed and "
        "creates nothing twice. Exit status: 0 done, 1 a project failed, 2 bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Redmine address, e.g. https://redmine.example.jp")
        parser.add_argument(
            "--api-key", required=True, help="a Redmine API key (an administrator's: e-mails)"
        )
        parser.add_argument(
            "--project",
            action="append",
            default=[],
            metavar="IDENTIFIER",
            help="Redmine project identifier; repeat; default: every project the key sees",
        )
        parser.add_argument(
            "--trouble-tracker",
            action="append",
            default=[],
            metavar="NAME",
            help="issues of this tracker become troubles (e.g. 課題, リスク, 障害); repeat",
        )
        parser.add_argument("--customer", metavar="ORG_NAME", help="customer organization of new projects")
        parser.add_argument(
            "--into", metavar="CODE", help="import the one --project into this Shinrai project"
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="EMAIL",
            help="the vendor administrator the import acts as (default: the only one)",
        )
        parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")

    def handle(self, *args, **options):
        try:
            normalise_base_url(options["url"])
        except RedmineError as error:
            raise CommandError(str(error), returncode=2) from None
        by = self._user(options["as_user"])
        customer = None
        if options["customer"]:
            customer = Organization.objects.filter(
                name=options["customer"], kind=Organization.Kind.CUSTOMER
            ).first()
            if customer is None:
                raise CommandError(f"No customer organization named {options['customer']!r}.", returncode=2)
        into = None
        if options["into"]:
            into = Project.objects.filter(code=options["into"]).first()
            if into is None:
                raise CommandError(f"No Shinrai project with the code {options['into']!r}.", returncode=2)
            if len(options["project"]) != 1:
                raise CommandError("--into needs exactly one --project.", returncode=2)
        run_options = importer.Options(
            by=by,
            base_url=options["url"],
            api_key=options["api_key"],
            projects=options["project"],
            trouble_trackers=options["trouble_tracker"],
            customer=customer,
            into=into,
            dry_run=options["dry_run"],
        )
        try:
            run = importer.redmine_import(options=run_options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self._print(run)
        if run.status != ImportRun.Status.DONE:
            raise CommandError(run.error or "The import failed.", returncode=1)

    def _user(self, email: str | None) -> User:
        admins = User.objects.filter(
            is_active=True, is_staff=True, organization__kind=Organization.Kind.VENDOR
        ).select_related("organization")
        if email:
            user = admins.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"{email} is not an active vendor administrator.", returncode=2)
            return user
        found = list(admins[:2])
        if len(found) != 1:
            raise CommandError("Say which vendor administrator imports: --as EMAIL.", returncode=2)
        return found[0]

    def _print(self, run: ImportRun) -> None:
        title = "Plan (dry run, nothing written)" if run.dry_run else "Import"
        self.stdout.write(f"{title}: {run.base_url}  run #{run.pk}  {run.status}")
        header = f"{'project':<20} {'result':<8} " + " ".join(f"{k:>18}" for k in KINDS)
        self.stdout.write(header)
        self.stdout.write(" " * 30 + " ".join(f"{'new/upd/same':>18}" for _k in KINDS))
        for identifier, entry in run.summary.items():
            if entry["status"] != "ok":
                self.stdout.write(f"{identifier:<20} {'FAILED':<8} {entry['error']}")
                continue
            cells = " ".join(
                f"{'/'.join(str(entry['counts'][k][o]) for o in ('created', 'updated', 'unchanged')):>18}"
                for k in KINDS
            )
            self.stdout.write(f"{identifier:<20} {'ok':<8} {cells}")
        if run.error and not run.summary:
            self.stdout.write(run.error)
