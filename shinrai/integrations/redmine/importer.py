"""The Redmine import: read a Redmine project, then write it into one Shinrai project in one transaction.

* Everything of a project is read first (outside any transaction), then written inside one
  ``transaction.atomic()``: an error leaves that project exactly as it was before the run.
* ``ExternalRef`` (source, base_url, kind, external id → object) makes runs idempotent: a second run updates
  what changed (Redmine's ``updated_on`` differs) and creates nothing twice.
* A dry run writes the same way and then rolls the transaction back, so the plan it reports is exactly what
  a real run would do.
* Writes go through the apps' services (audited): ``progress.services`` for milestones and tasks,
  ``troubles.services`` for troubles and their notes. Imported items start vendor-only (internal).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core import access
from shinrai.core import services as core_services
from shinrai.core.access import Perm
from shinrai.core.models import Organization, Project, Role, User, Visibility
from shinrai.core.services import audit_record
from shinrai.progress import services as progress_services
from shinrai.progress.models import Milestone, Task
from shinrai.troubles import services as trouble_services
from shinrai.troubles.models import InternalNote, Trouble

from ..models import ExternalRef, ImportRun
from . import mapping as m
from . import services
from .client import Fetch, RedmineClient, RedmineError

SOURCE = "redmine"
KINDS = ("project", "milestone", "task", "trouble", "journal")


class _DryRunRollback(Exception):
    pass


@dataclass
class Options:
    """What to import and how; ``by`` is the vendor administrator the import acts as."""

    by: User
    base_url: str
    api_key: str
    projects: list[str] = field(default_factory=list)
    trouble_trackers: list[str] = field(default_factory=list)
    customer: Organization | None = None
    into: Project | None = None
    dry_run: bool = False


@dataclass
class Fetched:
    """One Redmine project as read: the project, its versions and issues, journals of changed issues."""

    project: dict
    versions: list[dict]
    issues: list[dict]
    journals: dict[int, list[dict]]


class Counts:
    def __init__(self):
        self.data: dict[str, dict[str, int]] = {
            k: {"created": 0, "updated": 0, "unchanged": 0} for k in KINDS
        }

    def add(self, kind: str, outcome: str) -> None:
        self.data[kind][outcome] += 1


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        return " ".join(error.messages)
    return str(error)


# --- Entry point ------------------------------------------------------------------------------------------


def redmine_import(
    *, options: Options, run: ImportRun | None = None, fetch: Fetch | None = None
) -> ImportRun:
    """Import the chosen Redmine projects; returns the finished ``ImportRun``.

    One transaction per project: a failing project is reported in ``run.summary`` (``status: failed`` and
    the reason) while the others are imported. The run fails as a whole (before writing anything) when
    Redmine cannot be read at all or a chosen trouble tracker does not exist.
    """
    client = RedmineClient(options.base_url, options.api_key, fetch=fetch)
    if run is None:
        services.fail_stale_runs()
        run = ImportRun.objects.create(
            started_by=options.by,
            base_url=client.base_url,
            projects=options.projects,
            dry_run=options.dry_run,
        )
    summary: dict[str, Any] = {}
    try:
        context = _Context.read(client, options)
        identifiers = options.projects or [p["identifier"] for p in client.projects()]
        if options.into is not None and len(identifiers) != 1:
            raise RedmineError(_("Import into an existing project needs exactly one Redmine project."))
    except RedmineError as error:
        return _finish(run, status=ImportRun.Status.FAILED, summary=summary, error=str(error))

    for identifier in identifiers:
        try:
            fetched = context.fetch_project(identifier)
            counts = Counts()
            try:
                with transaction.atomic():
                    project = _ProjectImport(context, fetched, counts).run()
                    if options.dry_run:
                        raise _DryRunRollback
            except _DryRunRollback:
                pass
            summary[identifier] = {"status": "ok", "project": project.code, "counts": counts.data}
        except (RedmineError, ValidationError, PermissionError, DatabaseError, ValueError) as error:
            summary[identifier] = {"status": "failed", "error": _error_text(error)}
        except (KeyError, TypeError, AttributeError) as error:
            summary[identifier] = {
                "status": "failed",
                "error": _("Redmine sent data in an unexpected shape (%(e)s).") % {"e": repr(error)},
            }
    failed = [k for k, v in summary.items() if v["status"] == "failed"]
    error = _("Failed: %(projects)s") % {"projects": ", ".join(failed)} if failed else ""
    status = ImportRun.Status.FAILED if failed else ImportRun.Status.DONE
    return _finish(run, status=status, summary=summary, error=error)


def _finish(run: ImportRun, *, status: str, summary: dict, error: str) -> ImportRun:
    run.status, run.summary, run.error, run.finished_at = status, summary, error, timezone.now()
    run.save(update_fields=["status", "summary", "error", "finished_at"])
    return run


# --- Reading ----------------------------------------------------------------------------------------------


class _Context:
    """What one run knows beyond a single project: statuses, trackers, users, the import options."""

    def __init__(self, client: RedmineClient, options: Options):
        self.client, self.options = client, options
        self.closed_statuses: set[int] = set()
        self.trouble_tracker_ids: set[int] = set()
        self.tracker_names: dict[int, str] = {}
        self.users: dict[int, dict] | None = None

    @classmethod
    def read(cls, client: RedmineClient, options: Options) -> _Context:
        context = cls(client, options)
        client.current_user()  # a wrong key must not import public projects as the anonymous user
        for status in client.issue_statuses():
            if status.get("is_closed"):
                context.closed_statuses.add(m.field(status, "id", "issue status"))
        trackers = client.trackers()
        context.tracker_names = {m.field(t, "id", "tracker"): m.field(t, "name", "tracker") for t in trackers}
        by_name = {name.strip().lower(): tid for tid, name in context.tracker_names.items()}
        unknown = [name for name in options.trouble_trackers if name.strip().lower() not in by_name]
        if unknown:
            raise RedmineError(
                _("Redmine has no tracker %(names)s (it has: %(known)s).")
                % {"names": ", ".join(unknown), "known": ", ".join(context.tracker_names.values())}
            )
        context.trouble_tracker_ids = {by_name[n.strip().lower()] for n in options.trouble_trackers}
        context.users = client.users_by_id()
        return context

    def fetch_project(self, identifier: str) -> Fetched:
        project = self.client.project(identifier)
        project_id = m.field(project, "id", "project")
        versions = [v for v in self.client.versions(identifier) if _own_version(v, project_id)]
        issues = self.client.issues(project_id)
        for issue in issues:
            for name in ("id", "subject", "tracker", "status", "updated_on"):
                m.field(issue, name, "issue")
        known = _refs(self.client.base_url, "issue", [str(i["id"]) for i in issues])
        journals = {}
        for issue in issues:
            ref = known.get(str(issue["id"]))
            if ref is None or ref.remote_updated_at != issue["updated_on"]:
                detail = self.client.issue_with_journals(issue["id"])
                journals[issue["id"]] = detail.get("journals") or []
        return Fetched(project, versions, issues, journals)


def _own_version(version: dict, project_id: int) -> bool:
    # Shared versions of a parent project are listed too; they belong to that project's import.
    return m.ref_id(version, "project") in (None, project_id)


def _refs(base_url: str, kind: str, external_ids: list[str]) -> dict[str, ExternalRef]:
    queryset = ExternalRef.objects.filter(
        source=SOURCE, base_url=base_url, kind=kind, external_id__in=external_ids
    )
    return {ref.external_id: ref for ref in queryset}


# --- Writing one project ----------------------------------------------------------------------------------


class _ProjectImport:
    def __init__(self, context: _Context, fetched: Fetched, counts: Counts):
        self.context, self.fetched, self.counts = context, fetched, counts
        self.by = context.options.by
        self.base_url = context.client.base_url
        self.project: Project | None = None
        self.milestones: dict[int, Milestone] = {}
        self.tasks: dict[int, Task] = {}
        self.troubles: dict[int, Trouble] = {}
        self.changed_tasks: dict[int, dict] = {}
        self._owner_cache: dict[int, User | None] = {}

    def run(self) -> Project:
        self.project = self._project()
        issue_refs = _refs(self.base_url, "issue", [str(i["id"]) for i in self.fetched.issues])
        for version in self.fetched.versions:
            self._milestone(version)
        for issue in m.tree_order(self.fetched.issues):
            ref = issue_refs.get(str(issue["id"]))
            if self._is_trouble(issue, ref):
                self._trouble(issue, ref)
            else:
                self._task(issue, ref)
        self._task_progress()
        self._journals()
        return self.project

    # --- references --------------------------------------------------------------------------------------

    def _ref(self, kind: str, external_id) -> ExternalRef | None:
        return ExternalRef.objects.filter(
            source=SOURCE, base_url=self.base_url, kind=kind, external_id=str(external_id)
        ).first()

    def _remember(self, ref: ExternalRef | None, kind: str, external_id, obj, updated_on: str) -> None:
        if ref is None:
            ExternalRef.objects.create(
                source=SOURCE,
                base_url=self.base_url,
                kind=kind,
                external_id=str(external_id),
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                remote_updated_at=updated_on or "",
            )
        elif ref.remote_updated_at != (updated_on or ""):
            ref.remote_updated_at = updated_on or ""
            ref.save(update_fields=["remote_updated_at"])

    def _target(self, ref: ExternalRef, model):
        obj = (
            model.objects.filter(pk=ref.object_id).first()
            if ref.content_type.model_class() is model
            else None
        )
        if obj is None:
            raise RedmineError(
                _("Redmine %(kind)s #%(id)s was imported before, but its Shinrai object is gone.")
                % {"kind": ref.kind, "id": ref.external_id}
            )
        return obj

    # --- project -----------------------------------------------------------------------------------------

    def _project(self) -> Project:
        remote = self.fetched.project
        options = self.context.options
        ref = self._ref("project", remote["id"])
        if ref is not None:
            project = self._target(ref, Project)
            if options.into is not None and options.into.pk != project.pk:
                raise RedmineError(
                    _("Redmine project %(id)s was imported into %(code)s before; import it there again.")
                    % {"id": remote.get("identifier"), "code": project.code}
                )
            self.counts.add("project", "unchanged")
        elif options.into is not None:
            project = options.into
            self.counts.add("project", "updated")
        else:
            project = self._create_project(remote)
            self.counts.add("project", "created")
        if project.vendor_org_id != self.by.organization_id or not access.has_perm(
            self.by, Perm.EDIT, project
        ):
            raise PermissionError(
                _("%(user)s may not edit project %(code)s: make them its project manager first.")
                % {"user": self.by.email, "code": project.code}
            )
        self._remember(ref, "project", remote["id"], project, remote.get("updated_on", ""))
        return project

    def _create_project(self, remote: dict) -> Project:
        customer = self.context.options.customer
        if customer is None:
            raise ValidationError(
                _("Choose the customer organization of the new project %(id)s.")
                % {"id": remote.get("identifier")}
            )
        code = str(m.field(remote, "identifier", "project")).upper()[:32]
        if Project.objects.filter(code=code).exists():
            raise ValidationError(
                _("A project with the code %(code)s exists already: import into it with --into %(code)s.")
                % {"code": code}
            )
        project = core_services.project_create(
            by=self.by,
            vendor_org=self.by.organization,
            customer_org=customer,
            code=code,
            name=str(m.field(remote, "name", "project"))[:200],
            summary=remote.get("description") or "",
        )
        # The importing administrator manages the project they created, so that they can import into it again.
        core_services.member_add(by=self.by, project=project, user=self.by, role=Role.VENDOR_PM)
        return project

    # --- milestones --------------------------------------------------------------------------------------

    def _milestone(self, version: dict) -> None:
        vid = m.field(version, "id", "version")
        ref = self._ref("version", vid)
        updated_on = version.get("updated_on", "")
        due = m.to_date(version.get("due_date"), f"version #{vid}")
        milestone = self._target(ref, Milestone) if ref else None
        if milestone is not None and ref.remote_updated_at == updated_on:
            self.milestones[vid] = milestone
            self.counts.add("milestone", "unchanged")
            return
        fields = {
            "name": str(m.field(version, "name", "version"))[:200],
            "description": version.get("description") or "",
        }
        if milestone is None:
            fields |= {"baseline_date": due, "visibility": Visibility.INTERNAL}
        elif milestone.baseline_date is None and due is not None:
            fields["baseline_date"] = due
        else:
            fields["forecast_date"] = due or milestone.baseline_date
        milestone = progress_services.milestone_save(
            by=self.by, project=self.project, milestone=milestone, reason=_("Imported from Redmine"), **fields
        )
        if version.get("status") == "closed" and milestone.actual_date is None:
            updated = m.to_datetime(updated_on, f"version #{vid}")
            reached = due if due and due <= timezone.localdate() else None
            reached = reached or (timezone.localdate(updated) if updated else timezone.localdate())
            progress_services.milestone_record_actual(by=self.by, milestone=milestone, actual_date=reached)
        self._remember(ref, "version", vid, milestone, updated_on)
        self.milestones[vid] = milestone
        self.counts.add("milestone", "created" if ref is None else "updated")

    # --- tasks -------------------------------------------------------------------------------------------

    def _is_trouble(self, issue: dict, ref: ExternalRef | None) -> bool:
        if ref is not None:  # once imported, an issue stays what it became
            return ref.content_type.model_class() is Trouble
        return m.ref_id(issue, "tracker") in self.context.trouble_tracker_ids

    def _owner(self, issue: dict) -> User | None:
        rid = m.ref_id(issue, "assigned_to")
        if rid is None:
            return None
        if rid not in self._owner_cache:
            self._owner_cache[rid] = self._match_user(rid, issue["assigned_to"].get("name", ""))
        return self._owner_cache[rid]

    def _match_user(self, rid: int, name: str) -> User | None:
        users = self.context.users
        candidates = User.objects.filter(is_active=True, organization=self.project.vendor_org)
        if users is not None:
            mail = (users.get(rid) or {}).get("mail") or ""
            user = candidates.filter(email__iexact=mail).first() if mail else None
        else:  # a key that may not list users: match the display name, when only one person has it
            found = list(candidates.filter(display_name=name)[:2]) if name else []
            user = found[0] if len(found) == 1 else None
        return user if user and access.has_perm(user, Perm.CONTRIBUTE, self.project) else None

    def _task(self, issue: dict, ref: ExternalRef | None) -> None:
        iid = issue["id"]
        task = self._target(ref, Task) if ref else None
        if task is not None and ref.remote_updated_at == issue["updated_on"]:
            self.tasks[iid] = task
            self.counts.add("task", "unchanged")
            return
        where = f"issue #{iid}"
        fields = {
            "name": str(issue["subject"])[:200] or f"#{iid}",
            "parent": self.tasks.get(m.ref_id(issue, "parent")),
            "owner": self._owner(issue),
            "planned_start": m.to_date(issue.get("start_date"), where),
            "planned_finish": m.to_date(issue.get("due_date"), where),
            "estimate_hours": m.to_hours(issue.get("estimated_hours")),
            "milestone": self.milestones.get(m.ref_id(issue, "fixed_version")),
        }
        if task is None:
            fields["visibility"] = Visibility.INTERNAL
        task = progress_services.task_save(by=self.by, project=self.project, task=task, **fields)
        self._remember(ref, "issue", iid, task, issue["updated_on"])
        self.tasks[iid] = task
        self.changed_tasks[iid] = issue
        self.counts.add("task", "created" if ref is None else "updated")

    def _task_progress(self) -> None:
        """Progress of the changed leaf tasks (a summary task's progress is rolled up from its sub-tasks)."""
        parents = set(
            Task.objects.filter(project=self.project, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
        for iid, issue in self.changed_tasks.items():
            task = self.tasks[iid]
            if task.pk in parents:
                continue
            task.refresh_from_db()
            closed = m.ref_id(issue, "status") in self.context.closed_statuses
            ratio = m.to_percent(issue.get("done_ratio"))
            status = m.task_status(closed=closed, done_ratio=ratio)
            progress_services.task_update_progress(
                by=self.by,
                task=task,
                status=status,
                progress=None if closed else ratio,
                at=m.to_datetime(issue.get("closed_on") or issue["updated_on"], f"issue #{iid}")
                if closed
                else None,
            )

    # --- troubles ----------------------------------------------------------------------------------------

    def _trouble(self, issue: dict, ref: ExternalRef | None) -> None:
        iid = issue["id"]
        trouble = self._target(ref, Trouble) if ref else None
        if trouble is not None and ref.remote_updated_at == issue["updated_on"]:
            self.troubles[iid] = trouble
            self.counts.add("trouble", "unchanged")
            return
        where = f"issue #{iid}"
        tracker = self.context.tracker_names.get(m.ref_id(issue, "tracker"), "")
        priority = (issue.get("priority") or {}).get("name", "")
        fields = {
            "kind": m.trouble_kind(tracker),
            "title": str(issue["subject"])[:200] or f"#{iid}",
            "facts": (issue.get("description") or "").strip() or str(issue["subject"]),
            "severity": m.severity(priority),
            "owner": self._owner(issue),
        }
        closed_in_redmine = m.ref_id(issue, "status") in self.context.closed_statuses
        if trouble is None:
            fields["detected_at"] = m.to_datetime(m.field(issue, "created_on", "issue"), where)
            trouble = trouble_services.trouble_create(by=self.by, project=self.project, **fields)
        else:
            if trouble.status == Trouble.Status.CLOSED and not closed_in_redmine:
                trouble = self._reopen_trouble(trouble, issue)
            if trouble.status != Trouble.Status.CLOSED:
                if fields["kind"] != trouble.kind and trouble.kind != Trouble.Kind.RISK:
                    fields.pop("kind")  # an issue never turns back into a risk
                trouble = trouble_services.trouble_update(
                    by=self.by, trouble=trouble, version=trouble.version, **fields
                )
        if closed_in_redmine and trouble.status != Trouble.Status.CLOSED:
            self._close_trouble(trouble, issue)
        self._remember(ref, "issue", iid, trouble, issue["updated_on"])
        self.troubles[iid] = trouble
        self.counts.add("trouble", "created" if ref is None else "updated")

    def _reopen_trouble(self, trouble: Trouble, issue: dict) -> Trouble:
        """Reopened in Redmine: one the import closed goes back to its earlier status (see the service)."""
        return trouble_services.trouble_reopen_imported(
            by=self.by, trouble=trouble, source=f"Redmine #{issue['id']}"
        )

    def _close_trouble(self, trouble: Trouble, issue: dict) -> None:
        closed_at = m.to_datetime(issue.get("closed_on") or issue["updated_on"], f"issue #{issue['id']}")
        trouble_services.trouble_close_imported(
            by=self.by, trouble=trouble, closed_at=closed_at, source=f"Redmine #{issue['id']}"
        )

    # --- journals ----------------------------------------------------------------------------------------

    def _journals(self) -> None:
        """Notes of the issues' journals: trouble → internal note; task → audit event on the task."""
        all_ids = [str(j.get("id")) for js in self.fetched.journals.values() for j in js]
        known = _refs(self.base_url, "journal", all_ids)
        for iid, journals in self.fetched.journals.items():
            target = self.troubles.get(iid) or self.tasks.get(iid)
            for journal in journals:
                jid = m.field(journal, "id", f"journal of issue #{iid}")
                notes = (journal.get("notes") or "").strip()
                if not notes or target is None:
                    continue
                if str(jid) in known:
                    self.counts.add("journal", "unchanged")
                    continue
                author = (journal.get("user") or {}).get("name", "")
                header = _("Imported from Redmine journal #%(n)s (%(author)s, %(at)s)") % {
                    "n": jid,
                    "author": author,
                    "at": journal.get("created_on", ""),
                }
                obj = self._journal_entry(target, header, notes, journal)
                self._remember(None, "journal", jid, obj, journal.get("created_on", ""))
                self.counts.add("journal", "created")

    def _journal_entry(self, target, header: str, notes: str, journal: dict):
        if isinstance(target, Trouble):
            trouble_services.note_add(by=self.by, trouble=target, body=f"{header}\n\n{notes}")
            return InternalNote.objects.filter(trouble=target).latest("id")
        return audit_record(
            actor=self.by,
            action="task.redmine_journal",
            obj=target,
            project=self.project,
            after={
                "journal": journal.get("id"),
                "author": (journal.get("user") or {}).get("name", ""),
                "created_on": journal.get("created_on", ""),
                "notes": notes,
                "note": header,
            },
        )


def counts_total(summary: dict) -> dict[str, dict[str, int]]:
    """The counts of every project of a run, added up per kind (for the summary table)."""
    total: dict[str, dict[str, int]] = defaultdict(lambda: {"created": 0, "updated": 0, "unchanged": 0})
    for entry in summary.values():
        for kind, counts in (entry.get("counts") or {}).items():
            for outcome, n in counts.items():
                total[kind][outcome] += n
    return dict(total)
