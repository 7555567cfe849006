from stellars_hub.cli import main


def test_check_lists_every_bad_variable_and_fails(monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERHUB_SIGNUP_ENABLED", "yes")
    monkeypatch.setenv("JUPYTERHUB_SPAWN_TIMEOUT", "-1")
    assert main(["check"]) == 1
    error = capsys.readouterr().err
    assert "JUPYTERHUB_SIGNUP_ENABLED='yes'" in error
    assert "JUPYTERHUB_SPAWN_TIMEOUT='-1'" in error


def test_settings_prints_values_with_secrets_masked(monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERHUB_ADMIN_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("JUPYTERHUB_ADMIN", "boss")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "JUPYTERHUB_ADMIN='boss'" in out
    assert "JUPYTERHUB_ADMIN_PASSWORD=********" in out
    assert "hunter2-secret" not in out
