"""Every Celery task name in one place. Lower layers queue higher layers' tasks by these
names (`core.tasks.task_queue_safely`), never by importing them."""

# The engine pipeline (engine/pipeline.py): refresh → rules → alerts → emails.
PIPELINE = "engine.run"  # after postings and every 15 minutes: what is waiting
PIPELINE_NIGHTLY = "engine.nightly"  # 02:00: the as-of date moved for every supplier
PIPELINE_REBUILD = "engine.rebuild"  # weekly: every scorecard rebuilt from the facts

# Single steps, for operators and the command line.
KPI_REFRESH = "scorecards.refresh_suppliers"
KPI_RECOMPUTE_SUPPLIERS = "scorecards.recompute_suppliers"
KPI_RESCORE = "scorecards.rescore_all"
KPI_REFRESH_NIGHTLY = "scorecards.refresh_nightly"
KPI_RECOMPUTE_ALL = "scorecards.recompute_all"
RULES_EVALUATE = "rules.evaluate"
ALERTS_SCAN = "alerts.scan"
ALERTS_SEND_DELIVERY = "alerts.send_delivery"
ALERTS_SEND_DIGESTS = "alerts.send_digests"
ALERTS_SWEEP_DELIVERIES = "alerts.sweep_deliveries"
INVOICE_REMATCH = "invoicing.rematch_lines"  # goods arrived: invoices waiting on these lines
INVOICE_MATCH_WAITING = "invoicing.match_waiting"
PLANNING_RUN = "planning.run"  # on demand (operators); the nightly pipeline plans daily
LINE_RESCORE = "prediction.score_lines"  # a line's facts changed: its late risk
LATENESS_TRAIN = "prediction.train"
LATENESS_SCORE = "prediction.score"

# Side work of the apps below the engine.
IMPORT_RUN_JOB = "imports.run_job"
MESSAGE_NOTIFICATIONS = "messaging.send_message_notifications"
MESSAGE_DIGESTS = "messaging.send_message_digests"
MESSAGE_STALE = "messaging.send_stale_notifications"
