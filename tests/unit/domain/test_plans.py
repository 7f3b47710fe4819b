"""Rules of recovery plans: wave names, groups, dependencies, cycles, warnings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drorch.domain.plans import (
    Wave,
    check_waves,
    effective_dependencies,
    find_cycle,
    plan_warnings,
    topological_order,
)
from tests.support.builders import server

GROUPS = {"pg-a": "alpha", "pg-b": "beta", "pg-c": "gamma"}


def wave(name: str, *groups: str, depends_on: list[str] | None = None) -> Wave:
    return Wave(name=name, protection_group_ids=list(groups), depends_on=depends_on)


def messages(waves: list[Wave]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in check_waves(waves, GROUPS)]


def test_default_dependency_is_the_previous_wave() -> None:
    deps = effective_dependencies([wave("db", "pg-a"), wave("app", "pg-b"), wave("web", "pg-c")])
    assert deps == {"db": [], "app": ["db"], "web": ["app"]}


def test_explicit_empty_dependencies_make_parallel_waves() -> None:
    waves = [wave("db", "pg-a"), wave("files", "pg-b", depends_on=[])]
    assert effective_dependencies(waves)["files"] == []
    assert messages(waves) == []


def test_each_problem_names_its_wave() -> None:
    problems = messages(
        [
            wave("db", "pg-a"),
            wave("db", "pg-b"),
            wave("app"),
            wave("web", "pg-zzz", "pg-a", depends_on=["nope"]),
        ]
    )
    assert ("waves[1].name", "wave name 'db' is used twice") in problems
    assert ("waves[2].protection_group_ids", "wave 'app' has no protection groups") in problems
    assert any(p == "waves[3].protection_group_ids[0]" and "pg-zzz" in m for p, m in problems)
    assert any(p == "waves[3].protection_group_ids[1]" and "'db'" in m for p, m in problems)
    assert any(p == "waves[3].depends_on[0]" and "'nope'" in m for p, m in problems)


def test_a_cycle_is_reported_with_its_path() -> None:
    problems = messages(
        [
            wave("a", "pg-a", depends_on=["c"]),
            wave("b", "pg-b"),
            wave("c", "pg-c"),
        ]
    )
    assert len(problems) == 1
    path, message = problems[0]
    assert path == "waves[0].depends_on"
    assert "cycle" in message and "a" in message and "c" in message


def test_self_dependency_is_refused() -> None:
    assert messages([wave("a", "pg-a", depends_on=["a"])]) == [
        ("waves[0].depends_on[0]", "wave 'a' depends on itself")
    ]


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, list[str]]:
    names = [f"w{i}" for i in range(draw(st.integers(1, 8)))]
    return {n: draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) for n in names}


@given(graphs())
def test_find_cycle_agrees_with_topological_sorting(graph: dict[str, list[str]]) -> None:
    waves = [Wave(name=n, protection_group_ids=["pg-a"], depends_on=d) for n, d in graph.items()]
    cycle = find_cycle(graph)
    if cycle:
        # Every step of a reported cycle is a real edge, and the loop closes.
        for here, there in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            assert there in graph[here]
    else:
        order = topological_order(waves)
        assert sorted(order) == sorted(graph)
        for name, deps in graph.items():
            assert all(order.index(d) < order.index(name) for d in deps)


@given(graphs())
def test_acyclic_plans_pass_and_cyclic_plans_fail(graph: dict[str, list[str]]) -> None:
    groups = {f"pg-{i}": f"g{i}" for i in range(len(graph))}
    waves = [
        Wave(name=n, protection_group_ids=[f"pg-{i}"], depends_on=d)
        for i, (n, d) in enumerate(graph.items())
    ]
    self_loops = any(n in d for n, d in graph.items())
    problems = check_waves(waves, groups)
    assert bool(problems) == (bool(find_cycle(graph)) or self_loops)


def test_warnings_for_big_waves_and_unhealthy_replication() -> None:
    healthy = [server(i) for i in range(1, 102)]
    stalled = server(500, replication_state="STALLED", hostname="db-1")
    inventory = {s.id: s for s in [*healthy, stalled]}
    members = {"pg-a": [s.id for s in healthy], "pg-b": [stalled.id]}
    warnings = plan_warnings([wave("big", "pg-a"), wave("db", "pg-b")], members, inventory)
    texts = [w.message for w in warnings]
    assert "wave 'big' has 101 servers: DRS will run 2 jobs" in texts
    assert any("db-1" in t and "STALLED" in t for t in texts)
