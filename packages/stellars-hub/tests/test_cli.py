from pathlib import Path

from stellars_hub.cli import main, settings_table


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


def test_the_settings_reference_in_the_docs_is_the_generated_one():
    reference = (Path(__file__).parents[3] / "docs" / "settings.md").read_text()
    start = reference.index("<!-- settings-reference:start -->\n") + len(
        "<!-- settings-reference:start -->\n"
    )
    end = reference.index("<!-- settings-reference:end -->")
    assert reference[start:end].strip() == settings_table(), (
        "docs/settings.md is stale: regenerate its table with `stellars-hub reference`"
    )
