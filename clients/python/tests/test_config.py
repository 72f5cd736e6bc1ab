from __future__ import annotations

from pathlib import Path

import pytest

import modelctl
from modelctl.config import load_settings
from serve import ServeProcess, free_port


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELCTL_URL", "http://env-host:9000")
    monkeypatch.setenv("MODELCTL_TOKEN", "mct_env")
    monkeypatch.setenv("MODELCTL_RUNS_DIR", "/tmp/env-runs")
    assert load_settings() == modelctl.config.Settings("http://env-host:9000", "mct_env", Path("/tmp/env-runs"))
    chosen = load_settings("https://arg-host/", "mct_arg", "/tmp/arg-runs")
    assert (chosen.url, chosen.token, chosen.runs_dir) == ("https://arg-host", "mct_arg", Path("/tmp/arg-runs"))


def test_defaults_without_arguments_or_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODELCTL_URL", "MODELCTL_TOKEN", "MODELCTL_RUNS_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings() == modelctl.config.Settings("http://127.0.0.1:8080", None, Path(".modelctl/runs"))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MODELCTL_URL", "", "MODELCTL_URL is empty; unset it to get the default"),
        ("MODELCTL_TOKEN", " ", "MODELCTL_TOKEN is empty; unset it to get the default"),
        ("MODELCTL_URL", "ftp://host", "invalid MODELCTL_URL 'ftp://host': use http(s)://host[:port] with no path"),
        (
            "MODELCTL_URL",
            "http://host/api",
            "invalid MODELCTL_URL 'http://host/api': use http(s)://host[:port] with no path",
        ),
        ("MODELCTL_MODE", "sometimes", "invalid MODELCTL_MODE 'sometimes': must be online or offline"),
    ],
)
def test_a_bad_setting_is_one_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(modelctl.ModelctlError) as caught:
        modelctl.create_versioning_system()
    assert (caught.value.code, caught.value.message) == ("CONFIGURATION", message)


def test_the_server_code_comes_back_on_the_exception(server: ServeProcess, tmp_path: Path) -> None:
    anonymous = modelctl.create_versioning_system(server.url, "mct_wrong", runs_dir=tmp_path)
    with pytest.raises(modelctl.ModelctlError) as caught:
        anonymous.export_report()
    assert (caught.value.code, caught.value.status, caught.value.message) == (
        "UNAUTHENTICATED",
        401,
        "the token is not valid",
    )
    assert caught.value.request_id is not None


def test_an_unreachable_server_is_unavailable(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = modelctl.create_versioning_system(url, "mct_x", runs_dir=tmp_path)
    with pytest.raises(modelctl.UnavailableError) as caught:
        client.history("fraud")
    assert caught.value.code == "UNAVAILABLE"
    assert caught.value.message.startswith(f"cannot reach {url}: ConnectError")
