import pytest

from stellars_hub import HubSettings, SettingsError, load_settings
from stellars_hub.settings import setting_rows


def test_defaults_keep_the_original_deployments_names():
    settings = load_settings({})
    assert settings.admin == "admin"
    assert settings.notebook_image == "stellars-hub-lab:latest"
    assert settings.shared_volume == "jupyterhub_shared"
    assert settings.signup_enabled == 1
    assert settings.spawner == "docker"


def test_values_are_read_from_their_variables():
    settings = load_settings(
        {"JUPYTERHUB_ADMIN": "root.admin", "JUPYTERHUB_SPAWN_TIMEOUT": "300", "OTHER": "x"}
    )
    assert settings.admin == "root.admin"
    assert settings.spawn_timeout == 300


def test_an_empty_variable_means_unset():
    assert load_settings({"JUPYTERHUB_SIGNUP_ENABLED": ""}).signup_enabled == 1


def test_every_bad_variable_is_reported_at_once():
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {
                "JUPYTERHUB_SIGNUP_ENABLED": "yes",
                "JUPYTERHUB_SPAWN_TIMEOUT": "-5",
                "JUPYTERHUB_SPAWNER": "kubernetes",
            }
        )
    variables = [problem.variable for problem in raised.value.problems]
    assert sorted(variables) == [
        "JUPYTERHUB_SIGNUP_ENABLED",
        "JUPYTERHUB_SPAWNER",
        "JUPYTERHUB_SPAWN_TIMEOUT",
    ]
    message = str(raised.value)
    assert "JUPYTERHUB_SIGNUP_ENABLED='yes'" in message
    assert "JUPYTERHUB_SPAWN_TIMEOUT='-5'" in message
    assert "'docker' or 'local'" in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("JUPYTERHUB_BASE_URL", "hub/"),
        ("JUPYTERHUB_ADMIN", "bad name"),
        ("JUPYTERHUB_SHARED_VOLUME", "-leading-dash"),
        ("JUPYTERHUB_SPAWN_TIMEOUT", "99999"),
        ("JUPYTERHUB_SIGNUP_ENABLED", "2"),
        ("JUPYTERHUB_BIND_URL", "localhost:8000"),
    ],
)
def test_out_of_range_values_are_refused(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value})


def test_the_admin_password_may_come_from_a_file(tmp_path):
    secret = tmp_path / "admin-password"
    secret.write_text("from-a-file\n")
    settings = load_settings({"JUPYTERHUB_ADMIN_PASSWORD_FILE": str(secret)})
    assert settings.initial_admin_password() == "from-a-file"


def test_a_missing_password_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="no such file"):
        load_settings({"JUPYTERHUB_ADMIN_PASSWORD_FILE": str(tmp_path / "absent")})


def test_two_admin_password_sources_are_an_error(tmp_path):
    secret = tmp_path / "admin-password"
    secret.write_text("x")
    with pytest.raises(SettingsError, match="not both"):
        load_settings(
            {"JUPYTERHUB_ADMIN_PASSWORD": "y", "JUPYTERHUB_ADMIN_PASSWORD_FILE": str(secret)}
        )


def test_every_setting_is_described_with_a_variable_and_category():
    for name, field in HubSettings.model_fields.items():
        assert field.alias, name
        assert field.alias.startswith("JUPYTERHUB_"), name
        assert field.description, name
        assert isinstance(field.json_schema_extra, dict), name
        assert field.json_schema_extra["category"], name


def _rows(environ):
    return {row.name: row for row in setting_rows(load_settings(environ))}


def test_the_rows_list_every_setting_in_schema_order_by_category():
    rows = setting_rows(load_settings({}))
    fields = list(HubSettings.model_fields.values())
    assert [row.name for row in rows] == [field.alias for field in fields]
    for row, field in zip(rows, fields, strict=True):
        assert row.category == field.json_schema_extra["category"], row.name
        assert row.description == field.description, row.name
        # Unset, every setting is at its default.
        assert row.value == row.default, row.name


def test_the_rows_carry_the_environments_values_and_the_defaults():
    rows = _rows(
        {
            "JUPYTERHUB_ADMIN": "boss",
            "JUPYTERHUB_NOTIFICATIONS_HISTORY": "7",
            "JUPYTERHUB_ACTIVITYMON_TARGET_HOURS": "6.5",
            "JUPYTERHUB_SPAWNER": "local",
        }
    )
    history = rows["JUPYTERHUB_NOTIFICATIONS_HISTORY"]
    assert (history.value, history.default) == ("7", "50")
    # Shown as the CLI shows them: a string quoted, so an empty one is visible.
    admin = rows["JUPYTERHUB_ADMIN"]
    assert (admin.value, admin.default) == ("'boss'", "'admin'")
    assert rows["JUPYTERHUB_ACTIVITYMON_TARGET_HOURS"].value == "6.5"
    assert rows["JUPYTERHUB_SPAWNER"].value == "'local'"
    assert rows["JUPYTERHUB_ADMIN_PASSWORD_FILE"].value == "(not set)"


def test_a_file_setting_shows_its_path(tmp_path):
    secret = tmp_path / "admin-password"
    secret.write_text("s3cret-passphrase")
    rows = _rows({"JUPYTERHUB_ADMIN_PASSWORD_FILE": str(secret)})
    assert rows["JUPYTERHUB_ADMIN_PASSWORD_FILE"].value == repr(str(secret))


def test_the_rows_say_what_each_setting_allows():
    rows = _rows({})
    assert rows["JUPYTERHUB_SPAWNER"].allowed == "docker or local"
    assert rows["JUPYTERHUB_SIGNUP_ENABLED"].allowed == "0 or 1"
    assert rows["JUPYTERHUB_SPAWN_TIMEOUT"].allowed == "10 to 3600"
    assert rows["JUPYTERHUB_BASE_URL"].allowed == "matching `^/`"


def test_a_secret_is_masked_in_its_value_and_default():
    rows = _rows({"JUPYTERHUB_ADMIN_PASSWORD": "hunter2-secret"})
    password = rows["JUPYTERHUB_ADMIN_PASSWORD"]
    assert password.secret
    assert (password.value, password.default) == ("********", "(not set)")
    assert "hunter2-secret" not in repr(list(rows.values()))
    # The password is the one secret; unset, it says so and nothing more.
    assert [row.name for row in rows.values() if row.secret] == ["JUPYTERHUB_ADMIN_PASSWORD"]
    assert _rows({})["JUPYTERHUB_ADMIN_PASSWORD"].value == "(not set)"


def test_branding_images_are_checked_with_every_other_setting(tmp_path):
    branding = tmp_path / "branding"
    branding.mkdir()
    (branding / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "elsewhere.png").write_bytes(b"\x89PNG")
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {
                "JUPYTERHUB_BRANDING_DIR": str(branding),
                "JUPYTERHUB_LOGO_URI": (branding / "logo.png").as_uri(),
                "JUPYTERHUB_FAVICON_URI": (tmp_path / "elsewhere.png").as_uri(),
                "JUPYTERHUB_LAB_MAIN_ICON_URI": "javascript:alert(1)",
                "JUPYTERHUB_SPAWN_TIMEOUT": "1",
            }
        )
    variables = {problem.variable for problem in raised.value.problems}
    assert variables == {
        "JUPYTERHUB_FAVICON_URI",
        "JUPYTERHUB_LAB_MAIN_ICON_URI",
        "JUPYTERHUB_SPAWN_TIMEOUT",
    }
    assert "outside the branding directory" in str(raised.value)


def test_the_branding_is_read_from_the_checked_files(tmp_path):
    (tmp_path / "favicon.png").write_bytes(b"\x89PNG favicon")
    settings = load_settings(
        {
            "JUPYTERHUB_BRANDING_DIR": str(tmp_path),
            "JUPYTERHUB_FAVICON_URI": (tmp_path / "favicon.png").as_uri(),
            "JUPYTERHUB_LOGO_URI": "https://example.org/logo.svg",
        }
    )
    branding = settings.branding()
    assert branding.favicon.content == b"\x89PNG favicon"
    assert branding.logo.url == "https://example.org/logo.svg"
    assert branding.lab_main_icon is None
