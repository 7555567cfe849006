"""Read the hub's Prometheus metrics (``/hub/metrics``) as a scraper would."""

import requests
from prometheus_client.parser import text_string_to_metric_families


def metric_samples(hub, token):
    """Return ``{(sample name, frozenset of labels): value}`` from the hub's ``/hub/metrics``.

    *token* needs ``read:metrics`` (admins have it).
    """
    response = requests.get(
        hub.hub_url("metrics"), headers={"Authorization": f"token {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
