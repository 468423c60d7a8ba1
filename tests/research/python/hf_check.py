"""Reads an hf export folder the way Hugging Face `datasets` resolves it, with readers that are not Chorus's.

`datasets` itself is not installable here (no PyPI), so this follows its documented resolution of a
local folder with a dataset card, and reads each config's files with pandas:

1. The card's YAML `configs` list each config's `data_files`; `datasets` picks ONE builder for the
   whole folder from the first config's file extension and reads every config with it, so every
   config's files must have that format (the bug this guards against: Parquet and CSV configs read
   by the JSON builder).
2. Each config's files, exactly as declared, are read with pandas.read_json(lines=True).
3. Every record is checked against the config's declared `dataset_info` features (names and types,
   nested), which `datasets` casts every chunk to.
4. The card's own loading example runs against an emulation of `load_dataset` built on 1-3.

Prints a JSON summary: {"configs": {name: {"rows": n, "columns": [...]}}, "example": "ok"}.
Exits 1 with a message on the first problem. `--self-test` checks that step 1 rejects mixed formats.
"""

import json
import os
import re
import sys
import types

import pandas as pd
import yaml

# The extensions `datasets` maps to its packaged builders (datasets.packaged_modules._EXTENSION_TO_MODULE).
EXTENSION_TO_BUILDER = {
    ".jsonl": "json",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".arrow": "arrow",
    ".txt": "text",
}


class Problem(Exception):
    pass


def read_card(folder):
    with open(os.path.join(folder, "README.md"), encoding="utf-8") as f:
        text = f.read()
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not match:
        raise Problem("README.md has no YAML front matter")
    return yaml.safe_load(match.group(1)), match.group(2)


def config_files(config):
    files = config["data_files"]
    if isinstance(files, str):
        return {"train": [files]}
    if isinstance(files, list) and files and isinstance(files[0], dict):
        return {entry["split"]: entry["path"] if isinstance(entry["path"], list) else [entry["path"]] for entry in files}
    return {"train": list(files)}


def builder_of(path):
    for extension, builder in EXTENSION_TO_BUILDER.items():
        if path.endswith(extension):
            return builder
    raise Problem(f"{path}: no datasets builder for this extension")


def folder_builder(card):
    """The builder `datasets` uses for every config: the first config's."""
    configs = card["configs"]
    first = [path for paths in config_files(configs[0]).values() for path in paths]
    builder = builder_of(first[0])
    for config in configs:
        for paths in config_files(config).values():
            for path in paths:
                if builder_of(path) != builder:
                    raise Problem(
                        f'config "{config["config_name"]}": {path} is not {builder}, but datasets reads every '
                        f'config with the {builder} builder chosen from config "{configs[0]["config_name"]}"'
                    )
    return builder


def check_value(value, feature, where):
    if value is None:
        return
    if "dtype" in feature:
        dtype = feature["dtype"]
        ok = {
            "string": isinstance(value, str),
            "int64": isinstance(value, int) and not isinstance(value, bool),
            "float64": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
        }.get(dtype)
        if ok is None:
            raise Problem(f"{where}: unknown dtype {dtype}")
        if not ok:
            raise Problem(f"{where}: {value!r} is not {dtype}")
    elif "struct" in feature:
        check_record(value, feature["struct"], where)
    elif "list" in feature:
        if not isinstance(value, list):
            raise Problem(f"{where}: expected a list, got {value!r}")
        inner = feature["list"]
        inner = {"dtype": inner} if isinstance(inner, str) else {"struct": inner} if isinstance(inner, list) else inner
        for i, item in enumerate(value):
            check_value(item, inner, f"{where}[{i}]")
    else:
        raise Problem(f"{where}: unknown feature {feature}")


def check_record(record, fields, where):
    if not isinstance(record, dict):
        raise Problem(f"{where}: expected an object, got {record!r}")
    declared = [field["name"] for field in fields]
    if sorted(record) != sorted(declared):
        raise Problem(f"{where}: fields {sorted(record)} differ from the declared {sorted(declared)}")
    for field in fields:
        check_value(record[field["name"]], field, f"{where}.{field['name']}")


def load_config(folder, card, name):
    builder = folder_builder(card)
    if builder != "json":
        raise Problem(f"expected the json builder, got {builder}")
    config = next((c for c in card["configs"] if c["config_name"] == name), None)
    if config is None:
        raise Problem(f'no config "{name}" (configs: {[c["config_name"] for c in card["configs"]]})')
    features = next(
        (info["features"] for info in card.get("dataset_info", []) if info.get("config_name") == name), None
    )
    splits = {}
    for split, paths in config_files(config).items():
        frames = []
        for path in paths:
            full = os.path.join(folder, path)
            frames.append(pd.read_json(full, lines=True, dtype=False, convert_dates=False))
            if features is not None:
                with open(full, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        if line.strip():
                            check_record(json.loads(line), features, f"{path}:{number}")
        frame = pd.concat(frames, ignore_index=True)
        if features is not None and list(frame.columns) != [field["name"] for field in features]:
            raise Problem(f"{name}: columns {list(frame.columns)} differ from the declared features")
        splits[split] = frame
    return splits


class EmulatedDataset:
    def __init__(self, frame):
        self._frame = frame

    def __len__(self):
        return len(self._frame)

    def to_pandas(self):
        return self._frame


def emulated_datasets_module(card):
    module = types.ModuleType("datasets")

    def load_dataset(path, name=None, split=None):
        splits = load_config(path, card, name or card["configs"][0]["config_name"])
        if split is None:
            return {key: EmulatedDataset(frame) for key, frame in splits.items()}
        return EmulatedDataset(splits[split])

    module.load_dataset = load_dataset
    return module


def run_example(folder, card, body):
    match = re.search(r"## Loading\n\n```python\n(.*?)```", body, re.S)
    if not match:
        raise Problem("the card has no Python loading example")
    code = match.group(1).replace('"path/to/this/folder"', repr(folder))
    sys.modules["datasets"] = emulated_datasets_module(card)
    scope = {}
    exec(compile(code, "README.md (Loading)", "exec"), scope)
    return {name: len(value) for name, value in scope.items() if hasattr(value, "__len__") and not name.startswith("_")}


def self_test():
    mixed = {
        "configs": [
            {"config_name": "comparisons", "data_files": [{"split": "train", "path": "data/c.jsonl"}]},
            {"config_name": "pairs", "data_files": [{"split": "train", "path": "data/pairs.csv"}]},
        ]
    }
    try:
        folder_builder(mixed)
    except Problem as problem:
        return str(problem)
    raise Problem("a folder with JSON and CSV configs was not refused")


def main():
    if sys.argv[1:] == ["--self-test"]:
        print(json.dumps({"refused": self_test()}))
        return
    folder = sys.argv[1]
    card, body = read_card(folder)
    summary = {"builder": folder_builder(card), "configs": {}}
    for config in card["configs"]:
        frame = load_config(folder, card, config["config_name"])["train"]
        summary["configs"][config["config_name"]] = {"rows": len(frame), "columns": list(frame.columns)}
    summary["example"] = run_example(folder, card, body)
    print(json.dumps(summary))


if __name__ == "__main__":
    try:
        main()
    except Problem as problem:
        print(f"hf_check: {problem}", file=sys.stderr)
        sys.exit(1)
