"""Validates Kubernetes manifests against the strict schemas of every requested version, with the
pinned kubernetes-validate package's schemas and validator (built once per version, not per file).

usage: validate.py VERSION[,VERSION...] FILE...
prints one JSON line per (file, version): {"file", "version", "ok", "error"}
Documents are read with PyYAML (a YAML 1.1 reader, as kubernetes-validate itself does).
"""
import json
import sys

import jsonschema
import referencing
import yaml
from kubernetes_validate import utils


def validator(version, kind, api_version):
    schema_dir = "v%s-local-strict" % version
    schema = utils.schema_contents(
        "kubernetes-json-schema/%s/%s-%s.json" % (schema_dir, kind.lower(), api_version), version
    )
    defs = utils.schema_contents("kubernetes-json-schema/%s/_definitions.json" % schema_dir, version)
    registry = referencing.Registry()
    registry = referencing.Resource.from_contents(schema) @ registry
    registry = referencing.Resource.from_contents(defs) @ registry
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def main():
    versions = sys.argv[1].split(",")
    cache = {}
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f.read()) if d]
        for version in versions:
            error = None
            for doc in docs:
                key = (version, doc["kind"], doc["apiVersion"])
                if key not in cache:
                    cache[key] = validator(version, doc["kind"], doc["apiVersion"])
                errors = sorted(cache[key].iter_errors(doc), key=lambda e: list(e.path))
                if errors:
                    e = errors[0]
                    error = "%s: %s" % (".".join(str(p) for p in e.path), e.message)
                    break
            print(json.dumps({"file": path, "version": version, "ok": error is None, "error": error}))


if __name__ == "__main__":
    main()
