#!/usr/bin/env python3
"""Validate hr2scim BulkRequest files with a third-party SCIM implementation (scim2-models).

Usage: .venv/bin/python scripts/validate_scim.py [--schema FILE]... [--max-ops N] PATH...

PATH is a BulkRequest file or a directory (every bulk-*.json in it). Each operation's `data` is
validated alone as a SCIM User creation request by scim2-models, so that every error is listed
(a failed bulk validation keeps only the first). Custom extension schemas come from --schema
files (RFC 7643 Schema JSON: one object, a list, or a ListResponse), from a `schemas.json` next
to the bulk files, or else are inferred from the values in the documents. On top of the models,
the script checks what scim2-models does not (scim-peers §2, §5): schemas membership, one primary
per multi-valued attribute, canonical lower-case types, Entra's envelope rules (POST, /Users,
unique bulkIds, <= 50 operations, no failOnErrors: null), required externalId/userName/active,
and strict JSON types (pydantic would accept "true" for a boolean).

Exit status: 0 when everything is valid, 1 when any error was found (all are printed), 2 on
usage errors.
"""

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Union

try:
    from pydantic import Field, ValidationError
    from scim2_models import (
        Context,
        EnterpriseUser,
        Extension,
        Reference,
        Required,
        Schema,
        User,
    )
    from scim2_models.resources.enterprise_user import Manager
except ImportError as e:  # pragma: no cover - environment problem
    print(f"validate_scim.py: scim2-models is not installed ({e}); run scripts/setup-venv.sh", file=sys.stderr)
    sys.exit(2)

BULK_URN = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
CANONICAL_TYPES = {
    "emails": {"work", "home", "other"},
    "phoneNumbers": {"work", "home", "mobile", "fax", "pager", "other"},
    "addresses": {"work", "home", "other"},
    "ims": {"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"},
    "photos": {"photo", "thumbnail"},
}
MULTI_VALUED = set(CANONICAL_TYPES) | {"entitlements", "roles", "x509Certificates"}


class RelaxedManager(Manager):
    """RFC 7643 §8.7.2 and Entra send {"value": ...} alone; scim2-models requires $ref too."""

    ref: Annotated[Reference["User"] | None, Required.false] = Field(  # type: ignore[type-arg]
        None, serialization_alias="$ref", validation_alias="$ref"
    )


class RelaxedEnterpriseUser(EnterpriseUser):
    manager: RelaxedManager | None = None


def is_datetime(v: Any) -> bool:
    if not isinstance(v, str) or len(v) < 20 or v[10] != "T":
        return False
    try:
        datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "decimal"
    if isinstance(v, dict):
        return "complex"
    return "dateTime" if is_datetime(v) else "string"


def type_ok(declared: str, v: Any) -> bool:
    got = json_type(v)
    if declared in ("string", "reference", "binary"):
        return isinstance(v, str)
    if declared == "decimal":
        return got in ("decimal", "integer")
    if declared == "dateTime":
        return got == "dateTime"
    return got == declared


def load_schema_file(path: Path) -> list[dict]:
    doc = json.loads(path.read_text())
    items = doc if isinstance(doc, list) else doc.get("Resources", [doc])
    return [s for s in items if s.get("id") not in (CORE, ENTERPRISE)]


def infer_schema(urn: str, objects: list[dict], errors: list[str]) -> dict:
    """A Schema for an extension nobody described, from the values it carries."""
    types: dict[str, tuple[str, bool]] = {}
    for obj in objects:
        for name, v in obj.items():
            multi = isinstance(v, list)
            for item in v if multi else [v]:
                t = json_type(item)
                prev = types.get(name)
                if prev is None:
                    types[name] = (t, multi)
                elif prev != (t, multi):
                    if {prev[0], t} <= {"string", "dateTime"} and prev[1] == multi:
                        types[name] = ("string", multi)
                    elif {prev[0], t} == {"integer", "decimal"} and prev[1] == multi:
                        types[name] = ("decimal", multi)
                    else:
                        errors.append(
                            f"{urn}:{name}: values of different types across users ({prev[0]} and {t})"
                        )
    return {
        "schemas": [SCHEMA_URN],
        "id": urn,
        "name": urn.rsplit(":", 1)[-1] or "Extension",
        "attributes": [
            {"name": n, "type": t, "multiValued": m, "required": False} for n, (t, m) in types.items()
        ],
    }


def project_checks(data: dict, ext_types: dict[str, dict[str, dict]]) -> list[str]:
    errs = []
    schemas = data.get("schemas")
    if not isinstance(schemas, list):
        return ["schemas: missing or not a list"]
    for must in (CORE, ENTERPRISE):
        if must not in schemas:
            errs.append(f"schemas: does not list {must} (Entra requires it)")
    if len(set(schemas)) != len(schemas):
        errs.append(f"schemas: lists a URN twice: {schemas}")
    for key in data:
        if key.lower().startswith("urn:") and key not in schemas:
            errs.append(f"schemas: the extension object {key!r} is present but not listed")
    for urn in schemas:
        if urn not in (CORE, ENTERPRISE) and urn not in data:
            errs.append(f"schemas: lists {urn!r} but the user carries no such extension object")
    for name in ("externalId", "userName"):
        v = data.get(name)
        if not isinstance(v, str) or not v.strip():
            errs.append(f"{name}: must be a non-empty string, got {v!r}")
    if not isinstance(data.get("active"), bool):
        errs.append(f"active: must be present and a JSON boolean, got {data.get('active')!r}")
    for attr in MULTI_VALUED & set(data):
        items = data[attr]
        if not isinstance(items, list):
            continue
        primaries = sum(1 for i in items if isinstance(i, dict) and i.get("primary") is True)
        if primaries > 1:
            errs.append(f"{attr}: {primaries} entries have primary: true; at most one may")
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            if "primary" in item and not isinstance(item["primary"], bool):
                errs.append(f"{attr}[{n}].primary: must be a JSON boolean, got {item['primary']!r}")
            canon = CANONICAL_TYPES.get(attr)
            if canon is not None and item.get("type") not in canon:
                errs.append(f"{attr}[{n}].type: {item.get('type')!r} is not one of {sorted(canon)}")
    manager = data.get(ENTERPRISE, {}).get("manager") if isinstance(data.get(ENTERPRISE), dict) else None
    if manager is not None and (not isinstance(manager, dict) or set(manager) != {"value"}):
        errs.append(f"{ENTERPRISE}:manager: must be {{\"value\": ...}} only, got {manager!r}")
    for urn, attrs in ext_types.items():
        obj = data.get(urn)
        if not isinstance(obj, dict):
            continue
        for name, v in obj.items():
            decl = attrs.get(name.lower())
            if decl is None:
                continue
            values = v if decl.get("multiValued") and isinstance(v, list) else [v]
            for item in values:
                if decl["type"] != "complex" and not type_ok(decl["type"], item):
                    errs.append(f"{urn}:{name}: expected a JSON {decl['type']}, got {item!r}")
    return errs


def model_errors(model: Any, data: dict) -> list[str]:
    try:
        model.model_validate(data, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        return []
    except ValidationError as e:
        out = []
        for err in e.errors():
            loc = ".".join(str(p) for p in err["loc"])
            out.append(f"scim2-models: {loc}: {err['msg']} (input {err.get('input')!r})")
        return out
    except Exception as e:  # scim2-models raises SCIM exceptions for some rules
        return [f"scim2-models: {e}"]


def collect_files(paths: list[str]) -> tuple[list[Path], list[Path]]:
    files, schema_files = [], []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("bulk-*.json")))
            if (p / "schemas.json").is_file():
                schema_files.append(p / "schemas.json")
        else:
            files.append(p)
    return files, schema_files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="BulkRequest files or directories of bulk-*.json")
    ap.add_argument("--schema", action="append", default=[], help="RFC 7643 Schema JSON of a custom extension")
    ap.add_argument("--max-ops", type=int, default=50, help="operations allowed per request (Entra: 50)")
    args = ap.parse_args()

    files, schema_files = collect_files(args.paths)
    if not files:
        print("validate_scim.py: no BulkRequest files found in " + ", ".join(args.paths), file=sys.stderr)
        return 1
    errors: list[str] = []
    docs: list[tuple[Path, Any]] = []
    for f in files:
        try:
            docs.append((f, json.loads(f.read_bytes())))
        except (OSError, ValueError) as e:
            errors.append(f"{f}: not readable JSON: {e}")

    described: dict[str, dict] = {}
    for sf in [Path(s) for s in args.schema] + schema_files:
        try:
            for s in load_schema_file(sf):
                described[s["id"]] = s
        except (OSError, ValueError, AttributeError) as e:
            errors.append(f"{sf}: not a readable Schema JSON: {e}")

    # Extension objects seen, per URN, to infer the schemas nobody described.
    seen: dict[str, list[dict]] = {}
    for _, doc in docs:
        for op in doc.get("Operations", []) if isinstance(doc, dict) else []:
            data = op.get("data") if isinstance(op, dict) else None
            if isinstance(data, dict):
                for k, v in data.items():
                    if k.startswith("urn:") and k not in (CORE, ENTERPRISE) and isinstance(v, dict):
                        seen.setdefault(k, []).append(v)
    schemas = dict(described)
    for urn, objs in seen.items():
        if urn not in schemas:
            schemas[urn] = infer_schema(urn, objs, errors)
    ext_types = {
        urn: {a["name"].lower(): a for a in s.get("attributes", [])} for urn, s in schemas.items()
    }
    extensions = [RelaxedEnterpriseUser]
    for urn, s in schemas.items():
        try:
            extensions.append(Extension.from_schema(Schema.model_validate(s)))
        except Exception as e:
            errors.append(f"extension {urn}: scim2-models cannot build a model from its schema: {e}")
    model = User[Union[tuple(extensions)]]  # noqa: UP007

    bulk_ids: dict[str, str] = {}
    external_ids: dict[str, str] = {}
    n_ops = 0
    for f, doc in docs:
        if not isinstance(doc, dict):
            errors.append(f"{f}: not a JSON object")
            continue
        if doc.get("schemas") != [BULK_URN]:
            errors.append(f"{f}: schemas must be [{BULK_URN!r}], got {doc.get('schemas')!r}")
        if "failOnErrors" in doc and not isinstance(doc["failOnErrors"], int):
            errors.append(f"{f}: failOnErrors must be an integer when present, got {doc['failOnErrors']!r}")
        extra = set(doc) - {"schemas", "Operations", "failOnErrors"}
        if extra:
            errors.append(f"{f}: unexpected top-level keys {sorted(extra)}")
        ops = doc.get("Operations")
        if not isinstance(ops, list) or not ops:
            errors.append(f"{f}: Operations must be a non-empty list")
            continue
        if len(ops) > args.max_ops:
            errors.append(f"{f}: {len(ops)} operations, more than {args.max_ops}")
        for i, op in enumerate(ops):
            n_ops += 1
            where = f"{f}: Operations[{i}]"
            if not isinstance(op, dict):
                errors.append(f"{where}: not an object")
                continue
            bid = op.get("bulkId")
            where += f" (bulkId {bid!r})"
            if op.get("method") != "POST":
                errors.append(f"{where}: method must be POST, got {op.get('method')!r}")
            if op.get("path") != "/Users":
                errors.append(f"{where}: path must be /Users, got {op.get('path')!r}")
            if not isinstance(bid, str) or not bid:
                errors.append(f"{where}: bulkId must be a non-empty string")
            elif bid in bulk_ids:
                errors.append(f"{where}: bulkId also used at {bulk_ids[bid]}")
            else:
                bulk_ids[bid] = where
            data = op.get("data")
            if not isinstance(data, dict):
                errors.append(f"{where}: data must be a SCIM User object")
                continue
            ext_id = data.get("externalId")
            if isinstance(ext_id, str) and ext_id in external_ids:
                errors.append(f"{where}: externalId {ext_id!r} also used at {external_ids[ext_id]}")
            elif isinstance(ext_id, str):
                external_ids[ext_id] = where
            for msg in project_checks(data, ext_types) + model_errors(model, data):
                errors.append(f"{where}: {msg}")

    for e in errors:
        print(e)
    status = "OK" if not errors else f"{len(errors)} error(s)"
    print(
        f"validate_scim.py: {len(docs)} file(s), {n_ops} operation(s), "
        f"{len(schemas)} custom extension(s) ({len(described)} described): {status}",
        file=sys.stderr,
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
