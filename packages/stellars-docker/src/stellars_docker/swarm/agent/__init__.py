"""The node agent: each swarm node's engine, served to the hub alone.

Run as ``python -m stellars_docker.swarm.agent``.
"""

from stellars_docker.swarm.agent.client import (
    AgentClient,
    AgentNodeWork,
    AgentSettings,
    find_agents,
    merge_sizes,
    merge_stats,
)

__all__ = [
    "AgentClient",
    "AgentNodeWork",
    "AgentSettings",
    "find_agents",
    "merge_sizes",
    "merge_stats",
]
