"""Reads a YAML stream on stdin with PyYAML (a YAML 1.1 reader, safe_load_all) and prints one
JSON line per document. A value JSON cannot hold (a timestamp, a set) is printed as its repr
inside {"!python": ...}, so the caller's comparison fails loudly instead of this script guessing.
Exit 1 with the parser's message when a document does not parse."""

import json
import sys

import yaml


def main() -> int:
    try:
        docs = list(yaml.safe_load_all(sys.stdin.buffer))
    except yaml.YAMLError as err:
        print(err, file=sys.stderr)
        return 1
    out = sys.stdout
    for doc in docs:
        out.write(json.dumps(doc, default=lambda v: {"!python": repr(v)}))
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
