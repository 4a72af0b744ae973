#!/usr/bin/env python3
"""Validates NGSI-LD entities (normalized form, one JSON object or array per line on stdin) against the
official Smart Data Models schemas vendored beside this file, offline.

Each entity is turned into the keyValues form the schemas describe (a Property's value, a DateTime's
@value, a Relationship's object, a GeoProperty's GeoJSON; @context dropped), its schema is chosen by
`type`, and every `$ref` to https://smart-data-models.github.io/... resolves to the files here.
Prints one line per error, then one summary line per type: `<type> <entities> <valid>`. Exit 1 when an
entity is invalid or of a type with no schema here.
    python3 Schemas/sdm/validate.py < entities.jsonl
"""
import json, os, sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = {
    "CrowdFlowObserved": "CrowdFlowObserved.schema.json",
    "Device": "Device.schema.json",
    "PrivacyObject": "PrivacyObject.schema.json",
}
# Where the published schemas' $refs point, and the vendored file for each.
REMOTE = {
    "https://smart-data-models.github.io/data-models/common-schema.json": "common-schema.json",
    "https://smart-data-models.github.io/dataModel.Device/device-schema.json": "device-schema.json",
}


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


def validator_for(schema):
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resources = [(url, Resource.from_contents(load(name), default_specification=DRAFT202012)) for url, name in REMOTE.items()]
        return cls(schema, registry=Registry().with_resources(resources), format_checker=jsonschema.FormatChecker())
    except ImportError:  # jsonschema < 4.18 (Debian bookworm's python3-jsonschema)
        resolver = jsonschema.RefResolver.from_schema(schema, store={url: load(name) for url, name in REMOTE.items()})
        return cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


def key_values(entity):
    out = {}
    for key, attribute in entity.items():
        if key == "@context":
            continue
        if key in ("id", "type") or not isinstance(attribute, dict):
            out[key] = attribute
            continue
        kind = attribute.get("type")
        if kind == "Relationship":
            out[key] = attribute["object"]
        elif kind in ("Property", "GeoProperty"):
            value = attribute["value"]
            if isinstance(value, dict) and "@value" in value:
                value = value["@value"]
            out[key] = value
        else:
            out[key] = attribute
    return out


def main():
    validators = {t: validator_for(load(f)) for t, f in SCHEMAS.items()}
    counts, valid, bad = {}, {}, 0
    for n, line in enumerate(sys.stdin):
        if not line.strip():
            continue
        document = json.loads(line)
        for entity in document if isinstance(document, list) else [document]:
            kind = entity.get("type")
            counts[kind] = counts.get(kind, 0) + 1
            if kind not in validators:
                bad += 1
                print(f"{entity.get('id')}: no Smart Data Models schema here for type {kind}")
                continue
            errors = list(validators[kind].iter_errors(key_values(entity)))
            for e in errors:
                print(f"{entity.get('id')}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
            if errors:
                bad += 1
            else:
                valid[kind] = valid.get(kind, 0) + 1
    for kind in sorted(counts, key=str):
        print(f"{kind} {counts[kind]} {valid.get(kind, 0)}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
