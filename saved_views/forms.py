"""Forms of saved views: save, rename, and the Admins' default view per role."""

from __future__ import annotations

from django import forms
from django.db import IntegrityError, transaction

from klentyadmin.accounts.models import Role
from prospects.selection import InvalidSelection
from saved_views.models import NAME_MAX, QUERY_MAX, RoleDefaultView, SavedView, Visibility
from saved_views.searches import normalised_query


class NameField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=NAME_MAX, strip=True, label="Name", **kwargs)


def name_taken(owner, name: str, exclude_pk: int | None = None) -> bool:
    return SavedView.objects.filter(owner=owner, name__iexact=name).exclude(pk=exclude_pk).exists()


TAKEN = "You already have a view called “{name}”. Choose another name."


class UniqueNameMixin:
    """Names are unique per owner, case aside: a field error, and a lost race too."""

    owner = None
    editing: SavedView | None = None

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name_taken(self.owner, name, self.editing.pk if self.editing else None):
            raise forms.ValidationError(TAKEN.format(name=name))
        return name

    def save_unique(self, view: SavedView) -> SavedView | None:
        try:
            with transaction.atomic():
                view.save()
        except IntegrityError:
            self.add_error("name", TAKEN.format(name=view.name))
            return None
        return view


class SaveViewForm(UniqueNameMixin, forms.Form):
    name = NameField()
    query = forms.CharField(required=False, max_length=QUERY_MAX * 2, widget=forms.HiddenInput)
    shared = forms.BooleanField(required=False, label="Share with the team")

    def __init__(self, *args, owner, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)
        if not owner.is_manager_or_admin:
            del self.fields["shared"]  # Reps' views are their own

    def clean_query(self):
        try:
            return normalised_query(self.cleaned_data["query"])
        except InvalidSelection as error:
            raise forms.ValidationError(str(error)) from error

    def save(self) -> SavedView | None:
        shared = self.cleaned_data.get("shared")
        view = SavedView(
            owner=self.owner,
            name=self.cleaned_data["name"],
            query=self.cleaned_data["query"],
            visibility=Visibility.SHARED if shared else Visibility.PERSONAL,
        )
        return self.save_unique(view)


class RenameForm(UniqueNameMixin, forms.Form):
    name = NameField()

    def __init__(self, *args, view: SavedView, **kwargs):
        self.owner, self.editing = view.owner, view
        kwargs.setdefault("initial", {"name": view.name})
        super().__init__(*args, **kwargs)

    def save(self) -> SavedView | None:
        self.editing.name = self.cleaned_data["name"]
        return self.save_unique(self.editing)


class SharedViewChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SavedView) -> str:
        return f"{obj.name} (by {obj.owner_name})"


class DefaultViewsForm(forms.Form):
    """One shared view (or none) per role."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shared = SavedView.objects.filter(visibility=Visibility.SHARED).select_related("owner")
        current = dict(RoleDefaultView.objects.values_list("role", "view_id"))
        for role, label in Role.choices:
            self.fields[role] = SharedViewChoice(
                queryset=shared,
                required=False,
                label=f"Default for {label}s",
                empty_label="None: all prospects",
                initial=current.get(role),
            )

    def save(self, user) -> None:
        for role, _ in Role.choices:
            view = self.cleaned_data.get(role)
            if view is None:
                RoleDefaultView.objects.filter(role=role).delete()
            else:
                RoleDefaultView.objects.update_or_create(
                    role=role, defaults={"view": view, "set_by": user}
                )
