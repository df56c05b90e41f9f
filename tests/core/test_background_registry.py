"""Every kind of background work is in the registry, so the one runner, the one
resume schedule and the fault drills (tests/faults/test_background_faults.py) cover it.

Like tests/core/test_route_access.py, the list is built from the code itself: a new
model with a lease, or a new subclass of BackgroundRun, cannot skip the registry.
"""

from __future__ import annotations

from django.apps import apps

from klentyadmin.core.background import KINDS, Kind
from klentyadmin.core.background.models import BackgroundRun

# Models of background work not on the framework yet: each is a visible gap, to be
# ported (issue 11, item 1) and then taken off this list.
PENDING: dict[str, str] = {}


def background_models() -> set[str]:
    """Models that are background work: runs of the framework, or rows with a lease."""
    return {
        model._meta.label
        for model in apps.get_models()
        if issubclass(model, BackgroundRun)
        or any(f.name == "lease_until" for f in model._meta.get_fields())
    }


def registered_models() -> set[str]:
    return {kind.model._meta.label for kind in KINDS.values()}


def test_every_concrete_background_run_is_a_registered_kind():
    runs = {m._meta.label for m in apps.get_models() if issubclass(m, BackgroundRun)}
    assert runs <= registered_models(), runs - registered_models()


def test_every_model_of_background_work_is_registered_or_listed_as_pending():
    unregistered = (background_models() | set(PENDING)) - registered_models()
    assert unregistered == set(PENDING), (
        f"not registered and not listed as pending: {unregistered - set(PENDING)}; "
        f"registered now, take off PENDING: {set(PENDING) - unregistered}"
    )


def test_kind_names_match_the_registry_keys():
    assert all(kind.name == name for name, kind in KINDS.items())


def test_every_kind_says_what_a_person_calls_one_run():
    # The readable failure line ("Bulk job 3 stopped: ...") names the run by it.
    assert [name for name, kind in KINDS.items() if kind.label == Kind.label] == []
