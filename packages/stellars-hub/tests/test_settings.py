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
                "JUPYTERHUB_SPAWNER": "nomad",
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
    assert "'docker', 'swarm', 'local' or 'kubernetes'" in message


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
    assert rows["JUPYTERHUB_SPAWNER"].allowed == "docker or swarm or local or kubernetes"
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


# ------------------------------------------------------------------ TLS


@pytest.fixture
def pem_pair(tmp_path):
    # Settings only check that the files are there and readable, not what they hold.
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    cert.write_text("certificate")
    key.write_text("key")
    return cert, key


def test_ssl_is_on_by_default_and_the_bind_url_follows_it():
    settings = load_settings({})
    assert settings.ssl_enabled == 1
    assert (settings.ssl_cert, settings.ssl_key) == (None, None)
    assert str(settings.ssl_dir) == "ssl"
    assert settings.public_bind_url() == "https://:8000"
    plain = load_settings({"JUPYTERHUB_SSL_ENABLED": "0"})
    assert plain.public_bind_url() == "http://:8000"


def test_an_explicit_bind_url_of_the_right_scheme_is_kept():
    https = load_settings({"JUPYTERHUB_BIND_URL": "https://0.0.0.0:443"})
    assert https.public_bind_url() == "https://0.0.0.0:443"
    plain = {"JUPYTERHUB_SSL_ENABLED": "0", "JUPYTERHUB_BIND_URL": "http://127.0.0.1:8000"}
    assert load_settings(plain).public_bind_url() == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("environ", "fix"),
    [
        # An installation that wrote the old default out, never having heard of SSL.
        ({"JUPYTERHUB_BIND_URL": "http://:8000"}, "JUPYTERHUB_SSL_ENABLED=0"),
        (
            {"JUPYTERHUB_BIND_URL": "https://:8000", "JUPYTERHUB_SSL_ENABLED": "0"},
            "JUPYTERHUB_SSL_ENABLED=1",
        ),
    ],
)
def test_a_bind_url_contradicting_the_ssl_switch_says_what_to_change(environ, fix):
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_BIND_URL"
    assert problem.value == environ["JUPYTERHUB_BIND_URL"]
    assert fix in problem.message


def test_a_given_certificate_and_key_are_read_as_paths(pem_pair):
    cert, key = pem_pair
    settings = load_settings({"JUPYTERHUB_SSL_CERT": str(cert), "JUPYTERHUB_SSL_KEY": str(key)})
    assert (settings.ssl_cert, settings.ssl_key) == (cert, key)


@pytest.mark.parametrize("given", ["JUPYTERHUB_SSL_CERT", "JUPYTERHUB_SSL_KEY"])
def test_a_certificate_without_its_key_or_the_reverse_is_an_error(pem_pair, given):
    with pytest.raises(SettingsError) as raised:
        load_settings({given: str(pem_pair[0])})
    (problem,) = raised.value.problems
    assert problem.variable == given
    assert "JUPYTERHUB_SSL_CERT and JUPYTERHUB_SSL_KEY" in problem.message


def test_certificate_files_must_exist_and_be_files(tmp_path):
    environ = {
        "JUPYTERHUB_SSL_CERT": str(tmp_path / "absent.crt"),
        "JUPYTERHUB_SSL_KEY": str(tmp_path),  # a folder
    }
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    assert {(p.variable, p.message) for p in raised.value.problems} == {
        ("JUPYTERHUB_SSL_CERT", "not a readable file"),
        ("JUPYTERHUB_SSL_KEY", "not a readable file"),
    }


def test_missing_certificate_files_are_reported_with_every_other_bad_variable(tmp_path):
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {
                "JUPYTERHUB_SSL_CERT": str(tmp_path / "absent.crt"),
                "JUPYTERHUB_SSL_KEY": str(tmp_path / "absent.key"),
                "JUPYTERHUB_SSL_ENABLED": "yes",
                "JUPYTERHUB_SPAWN_TIMEOUT": "-5",
            }
        )
    assert sorted(p.variable for p in raised.value.problems) == [
        "JUPYTERHUB_SPAWN_TIMEOUT",
        "JUPYTERHUB_SSL_CERT",
        "JUPYTERHUB_SSL_ENABLED",
        "JUPYTERHUB_SSL_KEY",
    ]


def test_every_contradiction_between_tls_settings_is_reported_at_once(pem_pair):
    with pytest.raises(SettingsError) as raised:
        load_settings({"JUPYTERHUB_SSL_KEY": str(pem_pair[1]), "JUPYTERHUB_BIND_URL": "http://:80"})
    assert sorted(p.variable for p in raised.value.problems) == [
        "JUPYTERHUB_BIND_URL",
        "JUPYTERHUB_SSL_KEY",
    ]


CULLER_ON = {"JUPYTERHUB_IDLE_CULLER_ENABLED": "1"}


@pytest.mark.parametrize(
    ("environ", "warning"),
    [
        pytest.param({}, 1800, id="default-half-an-hour"),
        pytest.param({**CULLER_ON, "JUPYTERHUB_IDLE_CULLER_WARNING": "0"}, 0, id="off"),
        # Longer than the timeout is not an error: the warning then comes halfway.
        pytest.param({**CULLER_ON, "JUPYTERHUB_IDLE_CULLER_TIMEOUT": "60"}, 1800, id="long"),
    ],
)
def test_the_warning_before_a_cull_is_read(environ, warning):
    assert load_settings(environ).idle_culler_warning == warning


@pytest.mark.parametrize("value", ["-1", "86401", "soon"])
def test_a_warning_lead_time_out_of_range_is_refused(value):
    with pytest.raises(SettingsError, match="JUPYTERHUB_IDLE_CULLER_WARNING"):
        load_settings({"JUPYTERHUB_IDLE_CULLER_WARNING": value})


POSTGRES_URL = "postgresql+psycopg://jupyterhub@db:5432/jupyterhub?connect_timeout=10"


def test_the_database_password_may_come_from_a_file(tmp_path):
    secret = tmp_path / "db-password"
    secret.write_text("s3cret/with@odd:chars\n")
    settings = load_settings(
        {"JUPYTERHUB_DB_URL": POSTGRES_URL, "JUPYTERHUB_DB_PASSWORD_FILE": str(secret)}
    )
    assert settings.database_url() == (
        "postgresql+psycopg://jupyterhub:s3cret%2Fwith%40odd%3Achars@db:5432/jupyterhub"
        "?connect_timeout=10"
    )
    assert settings.db_url == POSTGRES_URL  # what the settings page lists: no password


def test_without_a_password_file_the_url_is_used_as_it_is():
    settings = load_settings({"JUPYTERHUB_DB_URL": POSTGRES_URL})
    assert settings.database_url() == POSTGRES_URL


@pytest.mark.parametrize(
    "db_url",
    ["sqlite:///jupyterhub.sqlite", "postgresql+psycopg://jupyterhub:inline@db/jupyterhub"],
)
def test_a_password_file_for_sqlite_or_a_url_with_a_password_is_an_error(tmp_path, db_url):
    secret = tmp_path / "db-password"
    secret.write_text("x")
    with pytest.raises(SettingsError, match="JUPYTERHUB_DB_PASSWORD_FILE"):
        load_settings({"JUPYTERHUB_DB_URL": db_url, "JUPYTERHUB_DB_PASSWORD_FILE": str(secret)})


@pytest.mark.parametrize(
    "variable", ["JUPYTERHUB_DB_PASSWORD_FILE", "JUPYTERHUB_COOKIE_SECRET_FILE"]
)
def test_a_missing_secret_file_is_an_error(tmp_path, variable):
    with pytest.raises(SettingsError, match=f"{variable}=.*no such file"):
        load_settings({"JUPYTERHUB_DB_URL": POSTGRES_URL, variable: str(tmp_path / "absent")})


_SWARM = {"JUPYTERHUB_SPAWNER": "swarm", "JUPYTERHUB_NETWORK_NAME": "labs"}
_BIND = '{"type": "none", "o": "bind", "device": "/mnt/stellars/{volume}"}'


def test_volumes_on_shared_storage_are_read_as_the_local_drivers_options_and_a_root():
    settings = load_settings(
        {
            **_SWARM,
            "JUPYTERHUB_SWARM_VOLUME_OPTIONS": _BIND,
            "JUPYTERHUB_SWARM_VOLUME_ROOT": "/srv/volumes",
        }
    )
    assert settings.swarm_volume_options == {
        "type": "none",
        "o": "bind",
        "device": "/mnt/stellars/{volume}",
    }
    assert settings.swarm_volume_root == "/srv/volumes"
    assert load_settings(_SWARM).swarm_volume_options == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("{type: none}", "not JSON"),
        ('["device"]', "JSON object of strings"),
        ('{"type": "none", "o": "bind", "device": "/mnt/stellars"}', "must end with /{volume}"),
        ('{"device": "/mnt/{volume}", "mountpoint": "/x"}', "unknown option 'mountpoint'"),
        ('{"device": "/mnt/{volume}", "o": 3}', "a valid string"),
    ],
    ids=["not-json", "not-an-object", "one-directory-for-all", "unknown-option", "not-text"],
)
def test_volume_options_that_are_not_the_local_drivers_for_one_directory_each_are_refused(
    options, message
):
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {
                **_SWARM,
                "JUPYTERHUB_SWARM_VOLUME_OPTIONS": options,
                "JUPYTERHUB_SWARM_VOLUME_ROOT": "/srv/volumes",
            }
        )
    (problem,) = raised.value.problems
    assert problem.variable == "JUPYTERHUB_SWARM_VOLUME_OPTIONS"
    assert message in problem.message


@pytest.mark.parametrize(
    ("environ", "variables", "message"),
    [
        ({**_SWARM, "JUPYTERHUB_SWARM_VOLUME_OPTIONS": _BIND}, ["ROOT"], "needs the volumes'"),
        ({**_SWARM, "JUPYTERHUB_SWARM_VOLUME_ROOT": "/srv"}, ["ROOT"], "which is not set"),
        (
            {"JUPYTERHUB_SWARM_VOLUME_OPTIONS": _BIND, "JUPYTERHUB_SWARM_VOLUME_ROOT": "/srv"},
            ["OPTIONS", "ROOT"],
            "JUPYTERHUB_SPAWNER=swarm only",
        ),
        (
            {
                **_SWARM,
                "JUPYTERHUB_SWARM_VOLUME_OPTIONS": _BIND,
                "JUPYTERHUB_SWARM_VOLUME_ROOT": "srv",
            },
            ["ROOT"],
            "String should match pattern",
        ),
    ],
    ids=["options-without-root", "root-without-options", "not-a-swarm", "relative-root"],
)
def test_shared_storage_settings_that_do_not_go_together_stop_start_up(environ, variables, message):
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    problems = raised.value.problems
    assert [p.variable for p in problems] == [f"JUPYTERHUB_SWARM_VOLUME_{v}" for v in variables]
    assert all(message in p.message for p in problems), problems


def test_the_volume_options_row_says_it_takes_a_json_object():
    assert _rows({})["JUPYTERHUB_SWARM_VOLUME_OPTIONS"].allowed == "a JSON object of strings"
