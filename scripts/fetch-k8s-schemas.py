#!/usr/bin/env python3
"""Regenerate rudder's embedded Kubernetes schemas (src/validate/schemas/).

Downloads the `kubernetes-validate` wheel from PyPI (Apache-2.0; it ships JSON schemas generated
from the Kubernetes OpenAPI documents) with `pip download`, then for each supported Kubernetes
minor version reads `_definitions.json` and writes one compact, gzip-compressed JSON file:

    {"source": ..., "schemas": [schema, ...],
     "versions": {"1.32": {"defs": {name: index}, "kinds": {"apps/v1/Deployment": name}}}}

Only what the validator reads is kept (type, properties, additionalProperties, required, items,
enum, format, oneOf/anyOf/allOf, $ref and the x-kubernetes-* keywords that change validation);
descriptions are dropped. A definition identical in several versions is stored once, so adding a
version costs only its changes. `$ref` values are reduced to the bare definition name.

Usage: scripts/fetch-k8s-schemas.py [--wheel PATH] [--versions 1.25,...,1.37]
"""
import argparse
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

KEEP = {"type", "properties", "additionalProperties", "required", "items", "enum", "format",
        "oneOf", "anyOf", "allOf", "$ref", "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource"}
DEFAULT_VERSIONS = [f"1.{m}" for m in range(25, 38)]
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "src", "validate", "schemas")
REF_PREFIXES = ("#/$defs/", "/api/_definitions.json#/$defs/")


def strip(node):
    """Keeps only the keywords the validator interprets, recursively."""
    if isinstance(node, list):
        return [strip(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key not in KEEP:
            continue
        if key == "properties":
            out[key] = {name: strip(sub) for name, sub in sorted(value.items())}
        elif key == "$ref":
            for prefix in REF_PREFIXES:
                if value.startswith(prefix):
                    value = value[len(prefix):]
            out[key] = value
        elif key == "enum" or key == "required":
            out[key] = value
        else:
            out[key] = strip(value)
    return out


def api_version(gvk):
    return gvk["version"] if not gvk["group"] else f'{gvk["group"]}/{gvk["version"]}'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel", help="use this kubernetes-validate wheel instead of downloading")
    parser.add_argument("--versions", default=",".join(DEFAULT_VERSIONS))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="k8s-schemas-")
    try:
        wheel = args.wheel
        if not wheel:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--dest", work,
                            "kubernetes-validate"], check=True)
            wheel = glob.glob(os.path.join(work, "kubernetes_validate-*.whl"))[0]
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(os.path.join(work, "whl"))
        root = os.path.join(work, "whl", "kubernetes_validate", "kubernetes-json-schema")
        schemas, index, versions = [], {}, {}
        for minor in args.versions.split(","):
            path = os.path.join(root, f"v{minor}.0-local", "_definitions.json")
            with open(path) as f:
                defs = json.load(f)["$defs"]
            names, kinds = {}, {}
            for name, schema in sorted(defs.items()):
                compact = strip(schema)
                key = json.dumps(compact, sort_keys=True, separators=(",", ":"))
                if key not in index:
                    index[key] = len(schemas)
                    schemas.append(compact)
                names[name] = index[key]
                gvks = schema.get("x-kubernetes-group-version-kind", [])
                # Definitions listing several GVKs (DeleteOptions, WatchEvent) are not resources.
                if len(gvks) == 1:
                    kinds[f'{api_version(gvks[0])}/{gvks[0]["kind"]}'] = name
            versions[minor] = {"defs": names, "kinds": kinds}
        dist = glob.glob(os.path.join(work, "whl", "kubernetes_validate-*.dist-info"))[0]
        source = os.path.basename(dist).replace(".dist-info", "")
        data = {"source": source, "schemas": schemas, "versions": versions}
        os.makedirs(OUT_DIR, exist_ok=True)
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        with open(os.path.join(OUT_DIR, "k8s.json.gz"), "wb") as f:
            # mtime=0 keeps the output byte-stable between runs.
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as gz:
                gz.write(raw)
        shutil.copy(os.path.join(dist, "licenses", "LICENSE"), os.path.join(OUT_DIR, "LICENSE"))
        print(f"{source}: {len(versions)} versions, {len(schemas)} unique schemas, "
              f"{len(raw)} bytes raw, {os.path.getsize(os.path.join(OUT_DIR, 'k8s.json.gz'))} gzip")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
