"""End-to-end runs of plans through the engine against the sandbox."""

from __future__ import annotations

from tests.integration.engine.harness import ids, world
from tests.support.sandbox import many_servers


def test_three_wave_drill_completes_with_one_launch_per_server() -> None:
    with world(many_servers(250)) as w:
        plan = w.plan("p", [("db", ids(1000, 20)), ("app", ids(1020, 130)), ("web", ids(1150, 10))])
        ex = w.start(plan)
        w.drive()
        done = w.get(ex.id)
        assert done.status == "COMPLETED"
        assert all(s.status == "LAUNCHED" and s.ec2_instance_id for s in done.servers())
        assert set(w.launches().values()) == {1}
        assert len(w.launches()) == 160
        app_jobs = [b for b in done.batches if b.wave == "app"]
        assert len(app_jobs) == 2
