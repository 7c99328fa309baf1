"""Run by test_migrations.py in a subprocess whose default database is a copy of the populated demo database.

``python migration_check.py`` prints one JSON object:
- ``summary_latest``: counts and hashes of every table at the latest migrations;
- ``legacy``: the rows written through the historical models at the state before the background-job base
  model (evaluation 0002, reports 0001), as read back after migrating forward;
- ``summary_forward``: the whole database after that backward-and-forward trip;
- ``roundtrips``: for each app whose newest migration changes only the schema, the tables whose row count
  changed by rolling that migration back and applying it again (each trip compared with the database just
  before it; tables the step back dropped are listed apart).
"""

import datetime
import json
import os
import sys

import django


def _table(label: str) -> str:
    from django.apps import apps

    return apps.get_model(label)._meta.db_table


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county_innovation.settings")
    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from county_innovation.common.backup import database_summary

    def executor() -> MigrationExecutor:
        return MigrationExecutor(connection)

    leaves = executor().loader.graph.leaf_nodes()
    out = {"summary_latest": database_summary()}

    # The state main had before this change, with data written as main's code would have written it.
    before = [("evaluation", "0002_robustness_analysis"), ("reports", "0001_initial")]
    ex = executor()
    ex.migrate(before)
    state = executor().loader.project_state(before)
    run_model = state.apps.get_model("evaluation", "EvaluationRun")
    analysis_model = state.apps.get_model("evaluation", "RobustnessAnalysis")
    bulletin_model = state.apps.get_model("reports", "Bulletin")
    run = run_model.objects.filter(status="published").order_by("pk").first()
    now = timezone.now()
    done = analysis_model.objects.create(
        run=run,
        kind="uncertainty",
        spec={"replications": 10},
        status="done",
        progress=1.0,
        stage="已完成",
        rank_stats=[{"uCode": "360121", "Nominal": 1}],
        replications=10,
        seconds=1.5,
        task_id="t-done",
        finished_at=now,
    )
    stuck = analysis_model.objects.create(
        run=run,
        kind="uncertainty",
        spec={"replications": 10},
        status="running",
        progress=0.15,
        stage="蒙特卡洛模拟中",
        task_id="t-stuck",
    )
    analysis_model.objects.filter(pk=stuck.pk).update(created_at=now - datetime.timedelta(hours=3))
    issued = bulletin_model.objects.create(
        run=run,
        version=77,
        format="docx",
        status="done",
        content=b"PK docx bytes",
        size=13,
        sha256="x" * 64,
        seconds=2.0,
        task_id="t-b",
        finished_at=now,
    )
    ex = executor()
    ex.loader.build_graph()
    ex.migrate(leaves)

    from county_innovation.common.jobs import jobs_sweep
    from county_innovation.evaluation.models import RobustnessAnalysis
    from county_innovation.reports.models import Bulletin

    def row(obj) -> dict:
        return {
            f.attname: (None if getattr(obj, f.attname) is None else str(getattr(obj, f.attname)))
            for f in obj._meta.concrete_fields
            if f.attname != "content"
        }

    legacy = {
        "done": row(RobustnessAnalysis.objects.get(pk=done.pk)),
        "stuck": row(RobustnessAnalysis.objects.get(pk=stuck.pk)),
        "bulletin": {
            **row(Bulletin.objects.get(pk=issued.pk)),
            "content": bytes(Bulletin.objects.get(pk=issued.pk).content).decode(),
        },
        "swept": jobs_sweep(),
    }
    legacy["stuck_after_sweep"] = row(RobustnessAnalysis.objects.get(pk=stuck.pk))
    out["legacy"] = legacy
    # Take the legacy rows out again so the whole-database comparison sees the demo alone.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM evaluation_robustnessanalysis WHERE id IN (%s, %s)", [done.pk, stuck.pk])
        cursor.execute("DELETE FROM reports_bulletin WHERE id = %s", [issued.pk])
    out["summary_forward"] = database_summary()

    roundtrips = {}
    for app in sys.argv[1:]:
        nodes = sorted(n for n in executor().loader.graph.leaf_nodes() if n[0] == app)
        plan = [n for n in executor().loader.graph.forwards_plan(nodes[0]) if n[0] == app]
        start = database_summary()
        ex = executor()
        ex.migrate([plan[-2]])
        middle_tables = set(connection.introspection.table_names())  # the current models may not fit here
        ex = executor()
        ex.loader.build_graph()
        ex.migrate(leaves)
        after = database_summary()
        roundtrips[app] = {
            "back_to": plan[-2][1],
            # Tables the step back dropped (its own, or a dependent app's) are rebuilt empty, by design.
            "dropped": sorted(label for label in start["tables"] if _table(label) not in middle_tables),
            "changed_counts": sorted(
                label
                for label, table in after["tables"].items()
                if _table(label) in middle_tables and table["count"] != start["tables"][label]["count"]
            ),
        }
    out["roundtrips"] = roundtrips
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
