import socket

from stellars_testing import ports


def test_ports_are_free_different_and_below_the_kernels_ephemeral_range():
    start = int(ports.EPHEMERAL_RANGE.read_text().split()[0])
    chosen = ports.free_ports(["127.0.0.1"] * 20)
    assert len(set(chosen)) == 20
    assert all(ports.LOWEST <= port < start for port in chosen)
    for port in chosen:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # free: nothing took it


def test_a_port_in_use_or_to_be_reused_is_never_chosen(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ports.LOWEST))
        # Two ports to choose from: the taken one and the one a test reuses.
        monkeypatch.setattr(ports, "_ephemeral_start", lambda: ports.LOWEST + 3)
        chosen = ports.free_ports(["127.0.0.1"], besides=(ports.LOWEST + 1,))
    assert chosen == [ports.LOWEST + 2]
