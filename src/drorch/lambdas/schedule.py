"""The housekeeping Lambda (EventBridge Scheduler, every minute): what `serve` does in threads.

A Lambda runs no background thread, so this one tick does the work the local scheduler and
notification dispatcher do: run the schedules due now (once), turn new timeline events into
notifications and send the due ones, look for stuck executions, and set the stuck gauge.
"""

from __future__ import annotations

from typing import Any

from drorch.lambdas.runtime import container, published


@published
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One pass of the scheduler: claim and run every due schedule; what ran and how."""
    from drorch.bootstrap import scheduler_for
    from drorch.services.stuck_notices import stuck_count

    box = container()
    runs = scheduler_for(box, box.clock).tick()
    notifier = box.notifier if box.settings.notify_enabled else None
    notified = notifier.run_once() if notifier is not None else None
    if box.metrics is not None:
        box.metrics.stuck.set(stuck_count(box.store))
    return {
        "notifications": {
            "raised": notified.raised if notified else 0,
            "sent": len(notified.sent) if notified else 0,
            "stuck": notified.stuck if notified else [],
        },
        "runs": [
            {
                "schedule_id": run.schedule_id,
                "status": run.status,
                "execution_id": run.execution_id,
                "message": run.message,
            }
            for run in runs
        ],
    }
