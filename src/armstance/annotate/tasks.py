"""Label Studio's side of a document: regions of the committed labelling config.

`label_config.xml` names one Text (`text`) and four controls on it: `label` (an actor
mention's type, or `evidence`), and per region `actor` (canonical name(s)), `stance` and
`sentiment`. A region is one span with what those controls say about it; Label Studio
stores each control's value as its own result item sharing the region's id.

Label Studio counts offsets in UTF-16 code units (JavaScript strings), Python in code
points; they differ after any character outside the Basic Multilingual Plane.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from importlib.resources import files

from armstance.schema import ACTOR_TYPES, SENTIMENTS, STANCES

TEXT = "text"
LABEL, ACTOR, STANCE, SENTIMENT = "label", "actor", "stance", "sentiment"
EVIDENCE = "evidence"
LABELS: tuple[str, ...] = (*ACTOR_TYPES, EVIDENCE)
CHOICES: dict[str, tuple[str, ...]] = {STANCE: STANCES, SENTIMENT: SENTIMENTS}
# Control name -> (result type, key of the value list in the result item).
CONTROLS: dict[str, tuple[str, str]] = {
    LABEL: ("labels", "labels"),
    ACTOR: ("textarea", "text"),
    STANCE: ("choices", "choices"),
    SENTIMENT: ("choices", "choices"),
}


def label_config() -> str:
    """The committed labelling config (XML) a Label Studio project is created with."""
    return files("armstance.annotate").joinpath("label_config.xml").read_text(encoding="utf-8")


class TaskFieldError(ValueError):
    """A problem with one field of one task; the importer adds which task."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"field '{field}': {problem}")


class Utf16Offsets:
    """Convert offsets into one text between code points and UTF-16 code units."""

    def __init__(self, text: str):
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._astral_js = [i + k for k, i in enumerate(self._astral)]

    def to_js(self, i: int) -> int:
        return i + bisect_left(self._astral, i)

    def to_py(self, j: int) -> int:
        k = bisect_left(self._astral_js, j)
        if k and self._astral_js[k - 1] + 1 == j:
            raise ValueError(f"UTF-16 offset {j} falls inside a surrogate pair")
        return j - k


@dataclass
class Region:
    """One span [start, end) (code points) and the values the controls give it."""

    id: str
    start: int
    end: int
    text: str
    label: str | None = None
    names: list[str] = field(default_factory=list)
    stance: str | None = None
    sentiment: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    def where(self) -> str:
        return f"region {self.id} [{self.start}, {self.end}] {self.text[:40]!r}"


def to_results(regions: list[Region], text: str) -> list[dict]:
    """Label Studio result items for `regions` (pre-annotations)."""
    offsets = Utf16Offsets(text)
    items = []
    for region in regions:
        values = {
            LABEL: [region.label] if region.label else [],
            ACTOR: region.names,
            STANCE: [region.stance] if region.stance else [],
            SENTIMENT: [region.sentiment] if region.sentiment else [],
        }
        for control, value in values.items():
            if not value:
                continue
            kind, key = CONTROLS[control]
            items.append(
                {
                    "id": region.id,
                    "from_name": control,
                    "to_name": TEXT,
                    "type": kind,
                    "value": {
                        "start": offsets.to_js(region.start),
                        "end": offsets.to_js(region.end),
                        "text": region.text,
                        key: value,
                    },
                }
            )
    return items


def from_results(results: list[dict], text: str) -> list[Region]:
    """Regions of an annotation's result items, checked against `text`: offsets in range,
    the span's text as stored, every value in the config's vocabulary."""
    offsets = Utf16Offsets(text)
    regions: dict[str, Region] = {}
    for n, item in enumerate(results):
        where = f"result.{n}"
        control = item.get("from_name")
        if control not in CONTROLS or item.get("to_name") != TEXT:
            raise TaskFieldError(
                f"{where}.from_name",
                f"{control!r} -> {item.get('to_name')!r} is not a control of the labelling"
                f" config (expected one of {sorted(CONTROLS)} on {TEXT!r})",
            )
        if not item.get("id"):
            raise TaskFieldError(f"{where}.id", "a result item without a region id")
        value = item.get("value") or {}
        region = regions.get(str(item["id"]))
        if region is None:
            region = _new_region(item, value, text, offsets, where)
            regions[region.id] = region
        elif offsets.to_js(region.start) != value.get("start") or offsets.to_js(
            region.end
        ) != value.get("end"):
            raise TaskFieldError(
                f"{where}.value", f"{region.where()}: its {control} has other offsets"
            )
        # A TextArea's `text` is what was typed; elsewhere it is the span's text.
        shown = value.get("text")
        if control != ACTOR and isinstance(shown, str) and shown != region.text:
            raise TaskFieldError(
                f"{where}.value.text",
                f"{shown!r} is not the text at [{region.start}, {region.end}] "
                f"({region.text!r}): the task's text differs from the rebuilt one",
            )
        values = value.get(CONTROLS[control][1])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise TaskFieldError(f"{where}.value", f"{region.where()}: expected a list of strings")
        _assign(region, control, values, where)
    return list(regions.values())


def _new_region(item: dict, value: dict, text: str, offsets: Utf16Offsets, where: str) -> Region:
    start, end = value.get("start"), value.get("end")
    if not (isinstance(start, int) and isinstance(end, int)):
        raise TaskFieldError(f"{where}.value", "a text region needs integer start and end")
    if not 0 <= start < end <= offsets.to_js(len(text)):
        raise TaskFieldError(
            f"{where}.value",
            f"offsets [{start}, {end}] out of range (the text has {len(text)} characters)",
        )
    try:
        region = Region(str(item["id"]), offsets.to_py(start), offsets.to_py(end), "")
    except ValueError as exc:
        raise TaskFieldError(f"{where}.value", str(exc)) from exc
    region.text = text[region.start : region.end]
    return region


def _assign(region: Region, control: str, values: list[str], where: str) -> None:
    if control == ACTOR:
        # Several names for an evidence span; a TextArea may also hold one per line.
        region.names += [n.strip() for v in values for n in v.splitlines() if n.strip()]
        return
    if len(values) != 1:
        raise TaskFieldError(f"{where}.value", f"{region.where()}: expected one {control}")
    (value,) = values
    allowed = LABELS if control == LABEL else CHOICES[control]
    if value not in allowed:
        raise TaskFieldError(
            f"{where}.value", f"{region.where()}: {control} {value!r} is not one of {allowed}"
        )
    setattr(region, control, value)
