"""compute_stats: the figures docker stats shows, from one engine stats document."""

import asyncio
import logging
from datetime import UTC, datetime

import docker
import pytest

from stellars_docker.stats import ContainerStats, StatsCollector, _container_name, compute_stats

# Captured from Docker 20.10 on cgroup v1 (blkio, network and pids sections
# left out): a container spinning one core, limited to 512 MiB.
V1_BUSY = {
    "read": "2026-11-26T04:55:23.402492698Z",
    "preread": "2026-11-26T04:55:22.399738335Z",
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 4025468133,
            "percpu_usage": [19249211, 4006218922],
            "usage_in_kernelmode": 50000000,
            "usage_in_usermode": 3970000000,
        },
        "system_cpu_usage": 4842360000000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 3021504738,
            "percpu_usage": [19206357, 3002298381],
            "usage_in_kernelmode": 50000000,
            "usage_in_usermode": 2960000000,
        },
        "system_cpu_usage": 4840370000000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 87293952,
        "max_usage": 87293952,
        "stats": {
            "active_file": 3469312,
            "cache": 3469312,
            "inactive_file": 0,
            "rss": 82870272,
            "total_active_file": 3469312,
            "total_cache": 3469312,
            "total_inactive_file": 0,
            "total_rss": 82870272,
        },
        "limit": 536870912,
    },
    "name": "/jupyterlab-alice",
}

# Captured from the same engine: an idle container holding a 50 MB buffer,
# with some page cache (total_inactive_file) the CLI leaves out.
V1_IDLE = {
    "read": "2026-11-26T04:52:25.471956334Z",
    "preread": "2026-11-26T04:52:24.467751094Z",
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 65600420,
            "percpu_usage": [21989481, 43610939],
            "usage_in_kernelmode": 40000000,
            "usage_in_usermode": 20000000,
        },
        "system_cpu_usage": 4489690000000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 65528673,
            "percpu_usage": [21917734, 43610939],
            "usage_in_kernelmode": 40000000,
            "usage_in_usermode": 20000000,
        },
        "system_cpu_usage": 4487680000000,
        "online_cpus": 2,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 58667008,
        "max_usage": 58667008,
        "stats": {
            "active_anon": 4096,
            "active_file": 2494464,
            "cache": 4988928,
            "hierarchical_memory_limit": 268435456,
            "inactive_anon": 52871168,
            "inactive_file": 2494464,
            "mapped_file": 2842624,
            "rss": 52875264,
            "total_active_file": 2494464,
            "total_cache": 4988928,
            "total_inactive_file": 2494464,
            "total_rss": 52875264,
        },
        "limit": 268435456,
    },
    "name": "/stats-probe",
}
V1_IDLE_CPU = (65600420 - 65528673) / (4489690000000 - 4487680000000) * 2 * 100

# cgroup v2, with the field names of the Engine API reference
# (ContainerStatsResponse): no percpu_usage, no total_* counters, and no
# max_usage.
V2 = {
    "read": "2026-11-26T09:15:02.125000000Z",
    "preread": "2026-11-26T09:15:01.120000000Z",
    "cpu_stats": {
        "cpu_usage": {
            "total_usage": 5123456789,
            "usage_in_kernelmode": 123456789,
            "usage_in_usermode": 5000000000,
        },
        "system_cpu_usage": 739306590000000,
        "online_cpus": 4,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {
            "total_usage": 4623456789,
            "usage_in_kernelmode": 113456789,
            "usage_in_usermode": 4510000000,
        },
        "system_cpu_usage": 739302590000000,
        "online_cpus": 4,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {
        "usage": 209715200,
        "stats": {
            "anon": 157286400,
            "file": 50331648,
            "active_file": 16777216,
            "inactive_file": 33554432,
            "kernel_stack": 147456,
            "slab": 2097152,
            "sock": 0,
            "shmem": 0,
            "file_mapped": 8388608,
            "pgfault": 51234,
            "pgmajfault": 12,
        },
        "limit": 2147483648,
    },
    "name": "/jupyterlab-bob",
}

# What the engine answers for a container that has stopped.
STOPPED = {
    "read": "0001-01-01T00:00:00Z",
    "preread": "0001-01-01T00:00:00Z",
    "pids_stats": {},
    "cpu_stats": {
        "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "precpu_stats": {
        "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    },
    "memory_stats": {},
    "name": "/jupyterlab-carol",
}


def _with(document, **sections):
    """Return *document* with some of its sections replaced."""
    return {**document, **sections}


def _cpu(total, system, *, online=None, per_cpu=None):
    usage = {"total_usage": total}
    if per_cpu is not None:
        usage["percpu_usage"] = per_cpu
    cpu = {"cpu_usage": usage, "system_cpu_usage": system}
    if online is not None:
        cpu["online_cpus"] = online
    return cpu


CASES = [
    pytest.param(
        V1_BUSY,
        # a little over one core: 1.004 s of CPU in 1.99 s of host time, 2 CPUs
        100.90084371859296,
        87293952,
        536870912,
        id="v1-busy-core",
    ),
    pytest.param(
        V1_IDLE,
        V1_IDLE_CPU,
        58667008 - 2494464,
        268435456,
        id="v1-page-cache-left-out",
    ),
    pytest.param(
        V2,
        # 0.5 s of CPU in 4 s of host time across 4 CPUs: half a core.
        50.0,
        209715200 - 33554432,
        2147483648,
        id="v2-inactive-file-left-out",
    ),
    pytest.param(STOPPED, 0.0, 0, 0, id="stopped-container"),
    pytest.param({}, 0.0, 0, 0, id="empty-document"),
    pytest.param(
        _with(V1_BUSY, cpu_stats=None, precpu_stats=None, memory_stats=None),
        0.0,
        0,
        0,
        id="null-sections",
    ),
    pytest.param(
        _with(
            V1_BUSY,
            cpu_stats=_cpu(300, 2000, per_cpu=[100, 100, 100, 0]),
            precpu_stats=_cpu(100, 1000, per_cpu=[0, 0, 0, 0]),
        ),
        # no online_cpus: four per-CPU counters stand for four CPUs
        80.0,
        87293952,
        536870912,
        id="cpus-counted-from-percpu-usage",
    ),
    pytest.param(
        _with(
            V2,
            cpu_stats=_cpu(100, 2000, online=4),
            precpu_stats=_cpu(300, 1000, online=4),
        ),
        0.0,
        209715200 - 33554432,
        2147483648,
        id="cpu-counter-went-back",
    ),
    pytest.param(
        _with(V2, cpu_stats=_cpu(300, 1000, online=4), precpu_stats=_cpu(100, 1000, online=4)),
        0.0,
        209715200 - 33554432,
        2147483648,
        id="no-host-time-passed",
    ),
    pytest.param(
        _with(
            V1_IDLE,
            memory_stats={"usage": 1000, "stats": {"total_inactive_file": 4000}, "limit": 9000},
        ),
        V1_IDLE_CPU,
        1000,
        9000,
        id="cache-above-usage-not-subtracted",
    ),
    pytest.param(
        _with(
            V1_IDLE,
            memory_stats={
                "usage": 1000,
                "stats": {"total_inactive_file": 4000, "inactive_file": 300},
                "limit": 9000,
            },
        ),
        V1_IDLE_CPU,
        # the CLI falls back to inactive_file when total_inactive_file is too big
        700,
        9000,
        id="v1-counter-too-big-falls-back-like-the-cli",
    ),
    pytest.param(
        _with(V2, memory_stats={"usage": 5000, "stats": None, "limit": None}),
        50.0,
        5000,
        0,
        id="memory-without-counters",
    ),
]


@pytest.mark.parametrize(("raw", "cpu_percent", "memory_bytes", "memory_limit_bytes"), CASES)
def test_stats_are_computed_like_the_docker_cli(raw, cpu_percent, memory_bytes, memory_limit_bytes):
    stats = compute_stats("jupyterlab-alice", raw)
    assert stats.container_name == "jupyterlab-alice"
    assert stats.cpu_percent == pytest.approx(cpu_percent)
    assert stats.memory_bytes == memory_bytes
    assert stats.memory_limit_bytes == memory_limit_bytes


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        pytest.param(
            "2026-11-26T04:55:23.402492698Z",
            datetime(2026, 11, 26, 4, 55, 23, 402492, tzinfo=UTC),
            id="engine-nanoseconds",
        ),
        pytest.param(
            "2026-11-26T05:55:23+01:00",
            datetime(2026, 11, 26, 4, 55, 23, tzinfo=UTC),
            id="offset-made-utc",
        ),
        pytest.param("0001-01-01T00:00:00Z", None, id="go-zero-time"),
        pytest.param("yesterday", None, id="unreadable"),
        pytest.param(None, None, id="missing"),
    ],
)
def test_sample_time_is_utc_or_none(read, expected):
    stats = compute_stats("c", {"read": read})
    assert stats.sampled_at == expected
    assert stats.sampled_at is None or stats.sampled_at.utcoffset().total_seconds() == 0


def test_stats_are_immutable():
    stats = compute_stats("c", V2)
    assert isinstance(stats, ContainerStats)
    with pytest.raises(AttributeError):
        stats.cpu_percent = 1.0


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"interval_s": 0, "timeout_s": 1}, id="interval"),
        pytest.param({"interval_s": 1, "timeout_s": -1}, id="timeout"),
        pytest.param({"interval_s": 1, "timeout_s": 1, "max_concurrent_calls": 0}, id="calls"),
    ],
)
def test_a_collector_refuses_non_positive_settings(options):
    with pytest.raises(ValueError, match="positive"):
        StatsCollector(None, **options)


def test_an_absent_engine_leaves_an_empty_snapshot_and_one_warning(tmp_path, caplog):
    # A real client of a socket nobody listens on; the API version is given so
    # that making the client asks nothing.
    client = docker.DockerClient(base_url=f"unix://{tmp_path}/docker.sock", version="1.41")
    collector = StatsCollector(client, interval_s=60, timeout_s=5)

    with caplog.at_level(logging.WARNING, logger="stellars_docker.stats"):
        asyncio.run(collector.refresh())
        asyncio.run(collector.refresh())

    assert collector.snapshot() == {}
    assert [record.levelno for record in caplog.records] == [logging.WARNING]


@pytest.mark.parametrize(
    ("entry", "name"),
    [
        pytest.param(
            {"Id": "abc", "Names": ["/jupyterlab-alice"]}, "jupyterlab-alice", id="one-host"
        ),
        pytest.param(
            {
                "Id": "abc",
                "Names": ["/jupyterlab-alice.1.x0y1z2"],
                "Labels": {"com.docker.swarm.service.name": "jupyterlab-alice"},
            },
            "jupyterlab-alice",
            id="a-swarm-tasks-container-by-its-service",
        ),
        pytest.param({"Id": "abc", "Names": []}, "abc", id="no-name"),
    ],
)
def test_a_container_is_known_by_its_servers_name(entry, name):
    assert _container_name(entry) == name
