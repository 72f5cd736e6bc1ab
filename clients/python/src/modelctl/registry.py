"""The registry client: the original system's operations over ``modelctl serve``'s HTTP API."""

from __future__ import annotations

import json
import math
import numbers
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .ab_test import OPEN_OUTCOME_JOURNALS, AbTest, ab_test_id_for, duration_ms, split_basis_points
from .config import Settings, load_settings
from .enums import ExperimentStatus, ExperimentType, ModelStatus, coerce
from .errors import ModelctlError, invalid
from .evaluation import DEFAULT_EVAL_SET, EvaluationSamples, check_eval_set, normalize_samples
from .journal import JOURNAL_FILE, Journal, run_dir_name
from .outcome_journal import AB_TESTS_DIR, OUTCOMES_FILE, OutcomeJournal, ship_outcomes
from .run import OPEN_JOURNALS, Run
from .shipper import ShipResult, experiment_path, ship
from .transport import Transport
from .upload import Serializer, prepare_upload

JsonObject = dict[str, Any]
#: Largest ``config`` / ``metrics`` a registration carries (the server's limit for each query parameter).
MAX_PARAM_JSON_BYTES = 65_536


def experiment_id_of(experiment: Run | str | Mapping[str, Any]) -> str:
    """The experiment id of a Run, an experiment as the server returns it, or an id string."""
    if isinstance(experiment, Run):
        return experiment.id
    if isinstance(experiment, str):
        if experiment.strip() == "":
            raise invalid("experiment_id", "must not be empty")
        return experiment
    if isinstance(experiment, Mapping) and isinstance(experiment.get("id"), str):
        return str(experiment["id"])
    raise invalid("experiment_id", f"must be a Run, an experiment or an id string, got {type(experiment).__name__}")


def _metric_map(metrics: Mapping[str, object] | None, field: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in (metrics or {}).items():
        if not isinstance(key, str) or key.strip() == "":
            raise invalid(field, f"keys must be non-empty strings, got {key!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
            raise invalid(f"{field}.{key}", f"must be a finite number, got {value!r}")
        out[key] = float(value)
    return out


def _json_param(value: Mapping[str, Any], field: str) -> str:
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as err:
        raise invalid(field, f"must be a JSON object of finite values ({err})") from None
    if len(text.encode("utf-8")) > MAX_PARAM_JSON_BYTES:
        raise invalid(field, f"must be at most {MAX_PARAM_JSON_BYTES} bytes of JSON")
    return text


VersionRef = str | Mapping[str, Any]


def _version_ref(ref: VersionRef, model_name: str | None, field: str) -> tuple[str, str]:
    """(model, version) of a version as ``save_model_version`` returned it, ``"model@1.2.0"`` or ``"1.2.0"``."""
    if isinstance(ref, Mapping):
        model, version = ref.get("model"), ref.get("version")
        if isinstance(model, str) and isinstance(version, str):
            return model, version
    elif isinstance(ref, str) and "@" in ref:
        model, _, version = ref.rpartition("@")
        if model and version:
            return model, version
    elif isinstance(ref, str) and ref.strip() and model_name is not None:
        return model_name, ref
    raise invalid(field, f"must be a registered version, 'model@version', or a version with model_name; got {ref!r}")


def _model_path(model_name: str) -> str:
    if not isinstance(model_name, str) or model_name.strip() == "":
        raise invalid("model_name", "must be a non-empty string")
    return "/models/" + quote(model_name, safe="")


class Registry:
    """A client of one modelctl server. Create it with :func:`create_versioning_system`.

    Every method raises :class:`~modelctl.ModelctlError` with the server's error code; ``UNAVAILABLE`` when the
    server cannot be reached (except ``Run.log``, which never raises for the network).
    """

    def __init__(self, settings: Settings, *, offline: bool = False) -> None:
        self.settings = settings
        self.offline = offline
        self._transport = Transport(settings)

    # -- experiments ----------------------------------------------------------------------------------------

    def track_experiment(
        self,
        name: str,
        experiment_type: ExperimentType | str = ExperimentType.TRAINING,
        config: Mapping[str, Any] | None = None,
        description: str | None = None,
        tags: Iterable[str] | None = None,
        *,
        experiment_id: str | None = None,
        external_ids: Mapping[str, str] | None = None,
        drain_timeout: float = 10.0,
        send_interval: float = 1.0,
    ) -> Run:
        """Starts an experiment (RUNNING) and returns its :class:`Run`, also a context manager.

        Online, the experiment is created now; offline, the creation is journaled and sent by ``sync``.
        :raises ModelctlError: INVALID_INPUT for a bad argument (type, config not JSON), UNAVAILABLE online when
            the server cannot be reached, ALREADY_EXISTS for a taken ``experiment_id``.
        """
        kind = coerce(ExperimentType, experiment_type, "experiment_type")
        body: JsonObject = {
            "id": experiment_id or str(uuid.uuid4()),
            "name": name,
            "type": kind.value,
            "config": json.loads(_json_param(config or {}, "config")),
            "tags": list(tags or []),
        }
        if description is not None:
            body["description"] = description
        if external_ids:
            body["externalIds"] = dict(external_ids)
        run_dir = self.settings.runs_dir / run_dir_name(str(body["id"]))
        if Journal.exists_in(run_dir):
            raise ModelctlError("ALREADY_EXISTS", f"run {body['id']} already has a journal in {run_dir}")
        if self.offline:
            experiment = {**body, "status": "RUNNING"}
        else:
            experiment = self._transport.request("POST", "/experiments", json=body)
        journal = Journal(run_dir / JOURNAL_FILE)
        journal.set("experiment_id", str(body["id"]))
        journal.set("url", self.settings.url)
        if self.offline:
            journal.set_json("create", body)
        return Run(
            experiment=experiment,
            journal=journal,
            transport=None if self.offline else self._transport,
            drain_timeout=drain_timeout,
            send_interval=send_interval,
        )

    def update_experiment(
        self,
        experiment_id: Run | str,
        metrics: Mapping[str, object] | None = None,
        status: ExperimentStatus | str | None = None,
        *,
        config: Mapping[str, Any] | None = None,
        tags: Iterable[str] | None = None,
        description: str | None = None,
    ) -> JsonObject:
        """Updates an experiment: ``metrics`` merge into its summary, ``status`` (``"completed"`` or
        ``ExperimentStatus.COMPLETED``) ends it; ``config``, ``tags``, ``description`` replace.

        :raises ModelctlError: NOT_FOUND, ILLEGAL_TRANSITION (an ended experiment keeps its status), INVALID_INPUT.
        """
        patch: JsonObject = {}
        if metrics:
            patch["summary"] = _metric_map(metrics, "metrics")
        if status is not None:
            patch["status"] = coerce(ExperimentStatus, status, "status").value
        if config is not None:
            patch["config"] = json.loads(_json_param(config, "config"))
        if tags is not None:
            patch["tags"] = list(tags)
        if description is not None:
            patch["description"] = description
        result: JsonObject = self._online().request(
            "PATCH", experiment_path(experiment_id_of(experiment_id)), json=patch
        )
        return result

    def get_experiment_results(self, experiment_id: Run | str, max_points: int | None = None) -> JsonObject:
        """``{"experiment": {...}, "series": {key: [{step, value, timestamp}, ...]}}``, each series downsampled to at
        most ``max_points`` (2 to 100,000; default 500) points by LTTB, first and last kept."""
        params = {} if max_points is None else {"maxPoints": str(max_points)}
        result: JsonObject = self._online().request(
            "GET", experiment_path(experiment_id_of(experiment_id)), params=params
        )
        return result

    def metric_history(self, experiment_id: Run | str, key: str) -> list[JsonObject]:
        """Every point of one series in step order (all pages), ``[{step, value, timestamp}, ...]``."""
        path = experiment_path(experiment_id_of(experiment_id)) + "/metrics/" + quote(key, safe="")
        points: list[JsonObject] = []
        cursor: str | None = None
        while True:
            params = {"limit": "10000", **({"cursor": cursor} if cursor else {})}
            page = self._online().request("GET", path, params=params)
            points.extend(page["points"])
            cursor = page.get("nextCursor")
            if not cursor:
                return points

    # -- versions -------------------------------------------------------------------------------------------

    def save_model_version(
        self,
        model_obj: object,
        model_name: str,
        config: Mapping[str, Any] | None = None,
        metrics: Mapping[str, object] | None = None,
        experiment_id: Run | str | None = None,
        status: ModelStatus | str = ModelStatus.VALIDATION,
        *,
        bump: str | None = None,
        parent: str | None = None,
        version: str | None = None,
        description: str | None = None,
        serializer: Serializer | None = None,
        media_type: str | None = None,
        eval_samples: EvaluationSamples | None = None,
        eval_set: str | None = None,
        eval_units: object = None,
    ) -> JsonObject:
        """Registers a version of ``model_name`` and returns it (``{"version": "1.0.0", "status", "artifact":
        {"sha256", "sizeBytes", ...}, ...}``).

        ``model_obj`` is a path, bytes, a binary file object, or an object written by ``serializer`` (default
        ``pickle``; never unpickle an artifact from a source you do not trust). Its sha256 is computed locally and
        sent as ``expectedSha256``, and the bytes stream to the server, which refuses them (CHECKSUM_MISMATCH) if
        what arrived differs. ``status`` is VALIDATION (default) or TRAINING; ``bump`` major/minor/patch, or an
        exact ``version``; ``parent`` the version it derives from.

        ``eval_samples`` (as :meth:`evaluate` takes them, ``eval_units`` its ``units``) are attached to the new
        version on ``eval_set`` (default ``"default"``); they are checked before the upload, so bad samples register
        nothing. The answer then holds ``"evaluation": {"evalSet", "samples", "metrics"}``.
        :raises ModelctlError: INVALID_INPUT, NOT_FOUND (path, experiment), ALREADY_EXISTS (version taken),
            CHECKSUM_MISMATCH, FORBIDDEN.
        """
        if eval_samples is None and (eval_set is not None or eval_units is not None):
            raise invalid("eval_set", "names the set of eval_samples; give those too")
        samples = None if eval_samples is None else normalize_samples(eval_samples, eval_units)
        set_name = check_eval_set(DEFAULT_EVAL_SET if eval_set is None else eval_set)
        initial = coerce(ModelStatus, status, "status")
        if initial not in (ModelStatus.VALIDATION, ModelStatus.TRAINING):
            raise invalid("status", f"a new version starts in VALIDATION or TRAINING, not {initial.value}")
        path = _model_path(model_name) + "/versions"
        params: dict[str, str | list[str]] = {"status": initial.value}
        optional = {"bump": bump, "parentVersion": parent, "version": version, "description": description}
        params.update({k: v for k, v in optional.items() if v is not None})
        if experiment_id is not None:
            params["experimentId"] = experiment_id_of(experiment_id)
        if config:
            params["config"] = _json_param(config, "config")
        if metrics:
            params["metrics"] = _json_param(_metric_map(metrics, "metrics"), "metrics")
        transport = self._online()
        upload = prepare_upload(model_obj, serializer, media_type)
        try:
            params["expectedSha256"] = upload.sha256
            params["mediaType"] = upload.media_type
            result: JsonObject = transport.request(
                "POST",
                path,
                params=params,
                content=upload.chunks(),
                headers={"content-type": "application/octet-stream", "content-length": str(upload.size)},
            )
        finally:
            upload.close()
        if samples is not None:
            result["evaluation"] = self._attach(result["model"], result["version"], samples, set_name)
        return result

    def evaluate(
        self,
        model_name: str,
        version: VersionRef,
        samples: EvaluationSamples,
        eval_set: str = DEFAULT_EVAL_SET,
        *,
        units: object = None,
    ) -> JsonObject:
        """Attaches evaluation samples to a version: per-unit values of metrics on evaluation set ``eval_set``
        (a held-out example's ``correct`` 0/1, an episode's ``return`` under a fixed seed). They replace what the
        version held for that set, so attaching the same samples again changes nothing. When two versions hold
        samples of a set with the same unit ids, :meth:`compare_versions` runs the paired tests on them.

        ``samples`` is ``[{"unit": "seed-7", "metric": "return", "value": 212.0}, …]``, or ``{metric: {unit:
        value}}``, or ``{metric: values}`` with ``units`` the unit id of each position (lists or numpy arrays;
        integer units become their decimal string). 1 to 100,000 samples, each (unit, metric) once; values finite.
        Returns ``{"model", "version", "evalSet", "samples": <count>, "metrics": [...]}``. Editor token.

        :raises ModelctlError: INVALID_INPUT naming the sample and field (nothing is sent), NOT_FOUND (version).
        """
        model, number = _version_ref(version, model_name, "version")
        checked = normalize_samples(samples, units)
        return self._attach(model, number, checked, check_eval_set(eval_set))

    def _attach(self, model: str, version: str, samples: list[dict[str, Any]], eval_set: str) -> JsonObject:
        path = f"{_model_path(model)}/versions/{quote(version, safe='')}/evaluations/{quote(eval_set, safe='')}"
        result: JsonObject = self._online().request("PUT", path, json={"samples": samples})
        return result

    def evaluation_summaries(self, model_name: str, version: VersionRef) -> list[JsonObject]:
        """A version's evaluation samples summarised per (set, metric): ``[{"evalSet", "metric", "units", "mean",
        "sd"}, …]`` (``sd`` the sample standard deviation, None below 2 units).

        :raises ModelctlError: NOT_FOUND (version).
        """
        model, number = _version_ref(version, model_name, "version")
        answer = self._online().request("GET", f"{_model_path(model)}/versions/{quote(number, safe='')}/evaluations")
        items: list[JsonObject] = answer["items"]
        return items

    def get_version(self, model_name: str, version: str) -> JsonObject:
        result: JsonObject = self._online().request("GET", f"{_model_path(model_name)}/versions/{quote(version)}")
        return result

    def download_artifact(self, model_name: str, version: str, destination: str | os.PathLike[str]) -> Path:
        """Streams a version's artifact to ``destination`` and returns the path."""
        target = Path(destination)
        url = f"{_model_path(model_name)}/versions/{quote(version)}/artifact"
        self._online().download(url, target)
        return target

    def compare_versions(
        self, model_name: str, version_a: str, version_b: str, metrics: Iterable[str] | None = None
    ) -> JsonObject:
        """The comparison of two versions of a model (b against a): ``metrics``, per final metric ``a``, ``b``,
        ``absoluteDifference`` and ``relativeDifference``; ``significance``, per evaluation set and metric both
        versions hold samples of (see :meth:`evaluate`), ``{"evalSet", "metric", "paired", "test", "status",
        "units": {"a", "b"}, "a": {"mean"}, "b": {"mean"}, "difference": {"estimate", "ciLow", "ciHigh"}, "pValue",
        "pValueAdjusted", "wilcoxonPValue", "higherIsBetter", "verdict"}`` — paired (paired t with Wilcoxon beside it,
        or McNemar's mid-p for 0/1 metrics) when both hold the same unit ids, Holm-adjusted across the metrics,
        ``verdict`` one of better, worse, no-difference, insufficient-data, zero-variance, numerical-limit; and
        ``significanceNote`` saying why ``significance`` is empty (None otherwise)."""
        params: dict[str, str | list[str]] = {"a": version_a, "b": version_b}
        if metrics is not None:
            params["metric"] = list(metrics)
        result: JsonObject = self._online().request("GET", _model_path(model_name) + "/compare", params=params)
        return result

    def history(self, model_name: str) -> Any:
        """Versions of a model in semver order, each with its status timeline."""
        return self._online().request("GET", _model_path(model_name) + "/history")

    def production_model(self, model_name: str, at: str | None = None) -> JsonObject:
        """``{"model", "at", "version", "modelVersion", "since"}``: the PRODUCTION version now, or at ISO time ``at``
        (``version`` is None when there is none)."""
        params = {} if at is None else {"at": at}
        result: JsonObject = self._online().request("GET", _model_path(model_name) + "/production", params=params)
        return result

    def export_report(self) -> JsonObject:
        """The registry report (docs/report-schema.md)."""
        result: JsonObject = self._online().request("GET", "/report")
        return result

    # -- lifecycle workflows ----------------------------------------------------------------------------------

    def run_ab_test(
        self,
        test_name: str,
        model_a_version: VersionRef,
        model_b_version: VersionRef,
        traffic_split: Mapping[str, object] | None = None,
        duration_hours: float = 24.0,
        *,
        model_name: str | None = None,
        metric: str = "conversion",
        metric_kind: str = "binary",
        higher_is_better: bool = True,
        alpha: float = 0.05,
        sequential: bool = False,
        minimum_sample_size: int = 0,
        auto_promote: bool = False,
        send_interval: float = 1.0,
        drain_timeout: float = 10.0,
    ) -> AbTest:
        """Starts an A/B test of ``model_a_version`` (control) against ``model_b_version`` (treatment) and returns
        its :class:`~modelctl.ab_test.AbTest` handle. Versions are what ``save_model_version`` returned,
        ``"model@1.2.0"``, or ``"1.2.0"`` with ``model_name``. ``traffic_split={"model_a": 0.5, "model_b": 0.5}``
        becomes basis points exactly; ``duration_hours`` whole milliseconds. The test id is ``test_name`` with
        characters other than letters, digits, ``.``, ``_``, ``-`` replaced by ``-``; it is the assignment salt.
        The handle journals recorded outcomes under ``runs_dir`` and sends them every ``send_interval`` seconds; at
        exit it drains for at most ``drain_timeout`` seconds.

        :raises ModelctlError: INVALID_INPUT (split, duration, versions, metric), NOT_FOUND (a version),
            ALREADY_EXISTS / CONFLICT (a test with that id, or one running on the model), UNAVAILABLE.
        """
        model_a, control = _version_ref(model_a_version, model_name, "model_a_version")
        model_b, treatment = _version_ref(model_b_version, model_name, "model_b_version")
        if model_a != model_b:
            raise invalid("model_b_version", f"must be a version of {model_a}, like model_a_version; got {model_b}")
        if metric_kind not in ("binary", "continuous"):
            raise invalid("metric_kind", f"must be 'binary' or 'continuous', got {metric_kind!r}")
        test_id = ab_test_id_for(test_name)
        split = split_basis_points(traffic_split)
        body: JsonObject = {
            "id": test_id,
            "name": test_name,
            "model": model_a,
            "control": control,
            "treatment": treatment,
            "split": split,
            "duration": duration_ms(duration_hours),
            "metric": {"name": metric, "kind": metric_kind, "higherIsBetter": higher_is_better},
            "alpha": alpha,
            "sequential": sequential,
            "minimumSampleSize": minimum_sample_size,
            "autoPromote": auto_promote,
        }
        transport = self._online()
        transport.request("POST", "/ab-tests", json=body)
        return AbTest(
            transport,
            test_id=test_id,
            model=model_a,
            control=control,
            treatment=treatment,
            split=split,
            runs_dir=self.settings.runs_dir,
            send_interval=send_interval,
            drain_timeout=drain_timeout,
        )

    def ab_test(self, test_id: str, *, send_interval: float = 1.0, drain_timeout: float = 10.0) -> AbTest:
        """The handle of an A/B test started elsewhere (its model, versions, split and salt as the server has them),
        for serving code: ``assign`` and ``record`` as on the handle ``run_ab_test`` returns.

        :raises ModelctlError: NOT_FOUND.
        """
        transport = self._online()
        cursor: str | None = None
        while True:
            page = transport.request(
                "GET", "/ab-tests", params={"limit": "1000", **({"cursor": cursor} if cursor else {})}
            )
            for record in page["items"]:
                if record["id"] == test_id:
                    return AbTest(
                        transport,
                        test_id=test_id,
                        model=record["model"],
                        control=record["control"],
                        treatment=record["treatment"],
                        split=record["split"],
                        salt=record["salt"],
                        runs_dir=self.settings.runs_dir,
                        send_interval=send_interval,
                        drain_timeout=drain_timeout,
                    )
            cursor = page.get("nextCursor")
            if not cursor:
                raise ModelctlError("NOT_FOUND", f"A/B test {test_id} does not exist")

    def promote(
        self,
        model_name: str,
        version: VersionRef,
        *,
        reason: str | None = None,
        gates: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> JsonObject:
        """Runs the promoteModel workflow (artifact check, ``gates``, the atomic swap) and returns its result
        ``{"model", "version", "outcome": "PROMOTED" | "ALREADY_IN_PRODUCTION", "previousVersion", ...}``; waits at
        most ``timeout`` seconds (default no limit). Needs an admin token.

        :raises ModelctlError: GATE_FAILED, CHECKSUM_MISMATCH, ILLEGAL_TRANSITION, CONFLICT (one runs already),
            NOT_FOUND; TIMEOUT when it has not ended in time (it goes on).
        """
        model, number = _version_ref(version, model_name, "version")
        body: JsonObject = {"version": number}
        if reason is not None:
            body["reason"] = reason
        if gates is not None:
            body["gates"] = dict(gates)
        return self._run_model_workflow(model, "promotion", body, timeout)

    def rollback(
        self, model: str, target_version: VersionRef | None = None, reason: str = "", *, timeout: float | None = None
    ) -> JsonObject:
        """Runs the rollback workflow: ``target_version`` (default the previous production version) goes back to
        PRODUCTION; returns ``{"model", "version", "previousVersion", ...}``. ``reason`` is required. Admin token.

        :raises ModelctlError: INVALID_INPUT (no reason), NOT_FOUND, ILLEGAL_TRANSITION, CONFLICT.
        """
        if not isinstance(reason, str) or reason.strip() == "":
            raise invalid("reason", "a rollback needs a reason")
        body: JsonObject = {"reason": reason}
        if target_version is not None:
            body["toVersion"] = _version_ref(target_version, model, "target_version")[1]
        return self._run_model_workflow(model, "rollback", body, timeout)

    def _run_model_workflow(self, model: str, noun: str, body: JsonObject, timeout: float | None) -> JsonObject:
        transport = self._online()
        deadline = None if timeout is None else time.monotonic() + timeout
        wait = {"wait": "true", "timeoutSeconds": "60"}
        answer = transport.request("POST", f"{_model_path(model)}/{noun}s", json=body, params=wait)
        while answer.get("result") is None:
            failure = answer.get("failure")
            if failure:
                raise ModelctlError(str(failure["code"]), str(failure["message"]))
            if answer.get("status") not in (None, "RUNNING"):
                raise ModelctlError("UNEXPECTED", f"the {noun} of {model} ended {answer['status']} without a result")
            if deadline is not None and time.monotonic() >= deadline:
                raise ModelctlError("TIMEOUT", f"the {noun} of {model} has not ended within {timeout} s; it goes on")
            answer = transport.request("GET", f"{_model_path(model)}/{noun}", params=wait)
        result: JsonObject = answer["result"]
        return result

    # -- journals -------------------------------------------------------------------------------------------

    def sync(self, run_dirs: Iterable[str | os.PathLike[str]] | None = None) -> dict[str, ShipResult]:
        """Sends what journals hold: every run journal under ``runs_dir`` and every A/B test outcome journal under
        ``runs_dir/ab-tests`` (or the given journal directories) that no live process owns. Returns the result per
        run's experiment id, and per outcome journal as ``"<test id>/<journal directory>"`` (``what`` is then
        ``"outcomes"``). Outcomes the server refuses (the test ended) are kept in the journal, marked rejected.

        :raises ModelctlError: OFFLINE when this client is offline; NOT_FOUND for a directory without a journal; the
            server's code for a refused creation or end of a run.
        """
        transport = self._online()
        dirs = [Path(d) for d in run_dirs] if run_dirs is not None else sorted(self._journal_dirs())
        results: dict[str, ShipResult] = {}
        for run_dir in dirs:
            path = run_dir / JOURNAL_FILE
            if (run_dir / OUTCOMES_FILE).is_file():
                self._sync_outcomes(run_dir / OUTCOMES_FILE, transport, results)
                continue
            if not path.is_file():
                raise ModelctlError("NOT_FOUND", f"no run or outcome journal in {run_dir}")
            if str(path) in OPEN_JOURNALS or _owned_by_live_process(path):
                continue
            journal = Journal(path)
            try:
                results[journal.get("experiment_id") or str(run_dir)] = ship(journal, transport)
            finally:
                journal.close()
        return results

    @staticmethod
    def _sync_outcomes(path: Path, transport: Transport, results: dict[str, ShipResult]) -> None:
        if str(path) in OPEN_OUTCOME_JOURNALS:
            return
        journal = OutcomeJournal(path)
        try:
            if _live_owner(journal.get("pid"), ended=journal.get("closed") == "1"):
                return
            shipped = ship_outcomes(journal, transport)
            key = f"{journal.get('test_id')}/{path.parent.name}"
            results[key] = ShipResult(
                sent=shipped.sent, pending=shipped.pending, done=shipped.done, error=shipped.error, what="outcomes"
            )
        finally:
            journal.close()

    def _journal_dirs(self) -> Iterable[Path]:
        root = self.settings.runs_dir
        if not root.is_dir():
            return []
        runs = [d for d in root.iterdir() if (d / JOURNAL_FILE).is_file()]
        tests = root / AB_TESTS_DIR
        outcomes = [d for d in tests.iterdir() if (d / OUTCOMES_FILE).is_file()] if tests.is_dir() else []
        return runs + outcomes

    def _online(self) -> Transport:
        if self.offline:
            raise ModelctlError("OFFLINE", "this client is offline; only track_experiment and Run.log work offline")
        return self._transport

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _owned_by_live_process(path: Path) -> bool:
    """True when the journal's run is still open in another live process (its own thread sends it)."""
    journal = Journal(path)
    try:
        pid = journal.get("pid")
        ended = journal.get("end") is not None
    finally:
        journal.close()
    return _live_owner(pid, ended=ended)


def _live_owner(pid: str | None, *, ended: bool) -> bool:
    """True when ``pid`` is another live process and its journal is not ended (its own thread sends it)."""
    if pid is None or ended or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_versioning_system(
    url: str | None = None,
    token: str | None = None,
    *,
    offline: bool | None = None,
    runs_dir: str | os.PathLike[str] | None = None,
    timeout: float = 30.0,
) -> Registry:
    """The registry client: ``url`` (else ``MODELCTL_URL``, default ``http://127.0.0.1:8080``), ``token`` (else
    ``MODELCTL_TOKEN``), ``runs_dir`` for run journals (else ``MODELCTL_RUNS_DIR``, default ``./.modelctl/runs``).
    ``offline`` (else ``MODELCTL_MODE=offline``) writes runs to their journals only; ``modelctl-sync`` sends them.

    :raises ModelctlError: CONFIGURATION for an empty or malformed setting.
    """
    settings = load_settings(url, token, runs_dir, timeout)
    mode = os.environ.get("MODELCTL_MODE", "online")
    if mode not in ("online", "offline"):
        raise ModelctlError("CONFIGURATION", f"invalid MODELCTL_MODE {mode!r}: must be online or offline")
    return Registry(settings, offline=offline if offline is not None else mode == "offline")
