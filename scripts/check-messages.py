#!/usr/bin/env python3
"""Validates every message the test suites published against docs/schemas/, and every JSON
example in docs/messages.md. With --write-examples, rewrites the generated examples section
of docs/messages.md from the samples first.

Usage: check-messages.py SAMPLES_DIR [--write-examples]
"""
import json
import pathlib
import re
import sys

from jsonschema import Draft202012Validator, FormatChecker

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
MESSAGES_DOC = ROOT / "docs" / "messages.md"
START, END = "<!-- examples:start -->", "<!-- examples:end -->"


def validator(name):
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


ORDER_EVENT = validator("order-event.schema.json")
JOB = validator("job.schema.json")


def schema_for(message):
    if isinstance(message, dict) and "kind" in message:
        return "order-event", ORDER_EVENT
    return "job", JOB


def problems(message):
    name, v = schema_for(message)
    return name, [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in v.iter_errors(message)]


def richest(samples, kind):
    """The sample of a kind that shows the most: filled fields count."""
    def weight(m):
        return len(json.dumps(m)) + 200 * sum(1 for v in m["order"].values() if v not in (None, [], ""))
    picked = [m for m in samples if m.get("kind") == kind]
    return max(picked, key=weight) if picked else None


def write_examples(samples):
    parts = ["Generated from the test suites by `scripts/check-messages.py --write-examples`:", ""]
    for kind in ["order.created", "order.updated", "order.refunded", "order.cancelled"]:
        m = richest(samples, kind)
        if m:
            parts += [f"`{kind}`:", "", "```json", json.dumps(m, indent=2), "```", ""]
    jobs = {}
    for m in samples:
        if "type" in m:
            jobs.setdefault(m["type"], m)
    for t in sorted(jobs):
        parts += [f"`{t}`:", "", "```json", json.dumps(jobs[t]), "```", ""]
    # The emulators listen on loopback ports that change every run.
    parts = [re.sub(r"http://127\.0\.0\.1:\d+", "https://shop.example.com", p) for p in parts]
    text = MESSAGES_DOC.read_text()
    if START not in text or END not in text:
        sys.exit(f"{MESSAGES_DOC} has no {START} ... {END} section")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    MESSAGES_DOC.write_text(head + START + "\n" + "\n".join(parts) + END + tail)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    directory = pathlib.Path(sys.argv[1])
    samples = [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]
    counts = {}
    failed = 0
    for message in samples:
        name, errors = problems(message)
        counts[name] = counts.get(name, 0) + 1
        if errors:
            failed += 1
            print(f"INVALID {name}: {json.dumps(message)[:300]}")
            for e in errors[:5]:
                print(f"    {e}")
    # The SQS events the handlers are fed (events/sqs-*.json) are messages too.
    for path in sorted((ROOT / "events").glob("sqs-*.json")):
        for record in json.loads(path.read_text())["Records"]:
            message = json.loads(record["body"])
            samples.append(message)
            name, errors = problems(message)
            counts[name] = counts.get(name, 0) + 1
            if errors:
                failed += 1
                print(f"INVALID {name} in {path.name}: {errors[:3]}")
    kinds = {m.get("kind") for m in samples if "kind" in m}
    needed = {"order.created", "order.updated", "order.refunded", "order.cancelled"}
    if not needed <= kinds or "fulfill_order" not in {m.get("type") for m in samples}:
        print(f"the suites published too little to check: kinds {sorted(k for k in kinds if k)}, {counts}")
        failed += 1
    if "--write-examples" in sys.argv and not failed:
        write_examples(samples)
    # The documentation's examples must be valid messages too.
    doc = MESSAGES_DOC.read_text()
    for block in re.findall(r"```json\n(.*?)```", doc, re.S):
        for chunk in [block] if block.lstrip().startswith("{\n") else block.strip().splitlines():
            try:
                message = json.loads(chunk)
            except json.JSONDecodeError:
                continue
            if not isinstance(message, dict) or ("kind" not in message and "type" not in message):
                continue
            name, errors = problems(message)
            if errors:
                failed += 1
                print(f"INVALID example in docs/messages.md ({name}): {errors[:3]}")
    print(f"messages: {len(samples)} checked ({counts}), {failed} failing")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
