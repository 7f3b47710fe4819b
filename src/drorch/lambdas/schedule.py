"""The schedule Lambda (EventBridge Scheduler calls it): run the schedules due now, once."""

from __future__ import annotations

from typing import Any

from drorch.lambdas.runtime import container


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One pass of the scheduler: claim and run every due schedule; what ran and how."""
    from drorch.bootstrap import scheduler_for

    box = container()
    runs = scheduler_for(box, box.clock).tick()
    return {
        "runs": [
            {
                "schedule_id": run.schedule_id,
                "status": run.status,
                "execution_id": run.execution_id,
                "message": run.message,
            }
            for run in runs
        ]
    }
