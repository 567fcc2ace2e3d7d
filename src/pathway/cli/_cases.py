"""``pathway cases --db URL list|show|export|migrate|publish``: a case store from the shell.

The command reads the clock only for ``--now``'s default (the store and the engine
never do). A database that cannot be used, a case that is not there, or a step map that
does not fit is a :class:`~pathway.PathwayError` (exit 1); bad option values are usage
errors (exit 2).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

from pathway._model._distributions import parse_duration
from pathway.cli._common import UsageError, existing_file, load_file
from pathway.store import Store, load_step_map, migrate_cases, open_store
from pathway.store._store import WorkItem

__all__ = ["run_cases"]


def run_cases(args: argparse.Namespace) -> int:
    """Run one ``cases`` action against the store at ``--db``."""
    with open_store(args.db) as store:
        return int(_ACTIONS[args.action](store, args))


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: {text!r} is not a time; give e.g. 2024-03-04T09:00Z") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _list(store: Store, args: argparse.Namespace) -> int:
    waiting = None
    if args.waiting_over is not None:
        try:
            waiting = timedelta(minutes=parse_duration(args.waiting_over))
        except ValueError as error:
            raise UsageError(f"--waiting-over: {error}") from None
    if not 1 <= args.limit <= 10_000:
        raise UsageError(f"--limit must be between 1 and 10000, found {args.limit}")
    page = store.worklist(
        now=_now(args.now),
        step=args.at,
        role=args.role,
        worker=args.worker,
        waiting_over=waiting,
        overdue=args.overdue,
        checkpoints=args.checkpoints,
        clock="working" if args.working_time else "calendar",
        limit=args.limit,
        after=args.after,
    )
    if args.format == "json":
        items = [_item_json(item) for item in page.items]
        print(json.dumps({"cases": items, "next": page.next}, indent=2))
        return 0
    for item in page.items:
        print(_item_line(item))
    if not page.items:
        print("no cases")
    if page.next is not None:
        print(f"more: --after '{page.next}'")
    return 0


def _time(at: datetime | None) -> str:
    return at.isoformat(timespec="minutes") if at is not None else "-"


def _item_line(item: WorkItem) -> str:
    return (
        f"{item.case_id}  {item.step}  role={item.role or '-'}  worker={item.worker or '-'}  "
        f"waiting since {_time(item.waiting_since)}  due {_time(item.due_at)}  "
        f"({item.pathway_id} {item.pathway_version})"
    )


def _item_json(item: WorkItem) -> dict[str, object]:
    return {
        "case_id": item.case_id,
        "pathway": {"id": item.pathway_id, "version": item.pathway_version},
        "step": item.step,
        "role": item.role,
        "worker": item.worker,
        "waiting_since": _time(item.waiting_since) if item.waiting_since else None,
        "due_at": _time(item.due_at) if item.due_at else None,
        "last_event_at": _time(item.last_event_at),
        "checkpoint": item.checkpoint,
        "revision": item.revision,
    }


def _show(store: Store, args: argparse.Namespace) -> int:
    stored = store.load(args.case)
    case = stored.case
    print(f"case {case.case_id}: at {case.state} (finished: {case.finished})")
    print(f"pathway {case.pathway.id} version {case.pathway.version}, revision {stored.revision}")
    print(f"facts: {json.dumps(dict(case.facts), sort_keys=True)}")
    for index, event in enumerate(case.journal):
        where = getattr(event, "step", None) or getattr(event, "target", "")
        print(f"  {index:>4}  {event.at.isoformat(timespec='minutes')}  {event.kind}  {where}")
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    count = store.export(args.output, args.case)
    print(f"wrote {count} events to {args.output}")
    return 0


def _migrate(store: Store, args: argparse.Namespace) -> int:
    target = load_file(args.to)
    step_map = load_step_map(existing_file(args.map, "step map"))
    report = migrate_cases(store, target, step_map, at=_now(args.now), dry_run=args.dry_run)
    verb = "would move" if report.dry_run else "moved"
    print(f"{verb} {len(report.moved)} case(s) to {target.id} version {target.version}")
    for case_id, reason in report.blocked:
        print(f"cannot move {case_id}: {reason}")
    return 1 if report.blocked else 0


def _publish(store: Store, args: argparse.Namespace) -> int:
    for file in args.files:
        pathway = load_file(file)
        new = store.publish(pathway)
        state = "published" if new else "already published"
        print(f"{state}: {pathway.id} version {pathway.version} ({pathway.content_hash[:12]})")
    return 0


_ACTIONS = {
    "list": _list,
    "show": _show,
    "export": _export,
    "migrate": _migrate,
    "publish": _publish,
}
