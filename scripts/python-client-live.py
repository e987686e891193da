"""What scripts/python-client-live.ts makes the real Python goodseed client 0.4.0 do.

    python3 python-client-live.py CLIENT_SRC MODE WORKSPACE [RUN_ID]

MODE `live`: a cloud run (configs of every kind, metrics with ±Infinity and fractional
steps, strings, tags added and removed, hardware monitoring, captured stdout), closed;
then read back as a read-only run, and the workspace/project helpers. `offline`: a
local run, written for `goodseed upload`. `readonly`: a read-only run of RUN_ID (for a
viewer's key). The last line printed is one JSON object with what the client read.
"""

import json
import os
import sys

sys.path.insert(0, sys.argv[1])
import goodseed  # noqa: E402
from goodseed import Run  # noqa: E402

mode, ws = sys.argv[2], sys.argv[3]
out = {"version": goodseed.__version__}


def read_back(project, run_id):
    ro = Run(project=project, run_id=run_id, read_only=True)
    return {
        "metric_paths": ro.get_metric_paths(),
        "string_paths": ro.get_string_paths(),
        "loss": ro.get_metric_data("train/loss") if "train/loss" in ro.get_metric_paths() else None,
        "frac": ro.get_metric_data("train/frac") if "train/frac" in ro.get_metric_paths() else None,
        "notes": ro.get_string_data("notes") if "notes" in ro.get_string_paths() else None,
        "configs": {c["path"]: [c["type_tag"], c["value"]] for c in ro.get_configs()},
    }


if mode == "live":
    run = Run(project="live", run_id="py-live", name="Python live", description="desc",
              tags=["a", "b"], capture_hardware_metrics=True)
    out["project"] = run.project
    run["parameters"] = {"lr": 0.001, "layers": 3, "name": "mlp", "flag": True, "nested": {"x": None}}
    run["big"] = 2**63 - 1
    run.log_configs({"data/path": "/tmp/x", "data/n": 10})
    for i in range(50):
        run["train/loss"].log(1.0 / (i + 1), step=i)
    try:
        run["train/loss"].log(float("nan"), step=50)
        out["nan"] = "accepted"
    except Exception as error:  # 0.4.0 refuses NaN in its own file
        out["nan"] = f"refused by the client: {type(error).__name__}"
    run["train/loss"].log(float("inf"), step=51)
    run["train/loss"].log(float("-inf"), step=52)
    run["train/frac"].log(0.5, step=0.5)
    run["train/frac"].log(1.25, step=1.25)
    run["train/frac"].log(1.75, step=1.75)
    run.log_metrics({"eval/acc": 0.9, "eval/f1": 0.8}, step=3)
    run["notes"].log('hello\tworld "q" \\ é', step=0)
    run.log_strings({"notes": "second line\nnext"}, step=1)
    run["sys/tags"].add("c")
    run["sys/tags"].remove("a")
    print("printed to stdout by the training script")
    run.wait(timeout=60)
    run.close()
    out["read_back"] = read_back(f"{ws}/live", "py-live")
    key = os.environ["GOODSEED_API_KEY"]
    out["me"] = goodseed.me(api_key=key)
    out["workspaces"] = goodseed.list_workspaces(api_key=key)
    out["projects"] = goodseed.list_projects(ws, api_key=key)
    out["ensure_new"] = goodseed.ensure_project(ws, "made-by-python", api_key=key)
    out["ensure_again"] = goodseed.ensure_project(ws, "made-by-python", api_key=key)
    out["runs"] = goodseed.list_runs(ws, "live", api_key=key)
elif mode == "offline":
    run = Run(project=f"{ws}/offline", run_id="py-offline", name="Offline", tags=["off"],
              storage="local", capture_hardware_metrics=False)
    run.log_configs({"opt/lr": 0.1, "opt/name": "adam"})
    for i in range(2000):
        run["train/loss"].log(2.0 / (i + 1), step=i)
    run["train/loss"].log(float("-inf"), step=2000)
    run["notes"].log("line\u0000with nul", step=0)
    run.close("failed")
elif mode == "readonly":
    try:
        out["read_back"] = read_back(f"{ws}/offline", sys.argv[4])
    except Exception as error:
        out["error"] = str(error).strip()
def finite(value):
    """Non-finite floats as the strings our JSON uses, so that any JSON parser reads the line."""
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


print(json.dumps(finite(out)))
