"""Form widgets shared by the apps."""

from collections.abc import Callable
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def render_options(choices) -> str:
    """The <option> elements of (value, label) pairs, none of them selected."""
    return "".join(
        f'<option value="{escape(str(value))}">{escape(str(label))}</option>'
        for value, label in choices
    )


class FastSelect(forms.Select):
    """A <select> rendered by string joining instead of one template per option.

    Filter forms list every team, owner and activity on each page view; Django's per-option
    templates cost tens of milliseconds for a thousand options, this costs well under one.
    A form may hand it its options already rendered (`prerendered_options`, from a cache, or
    a function that reads them when the select is rendered); either way only the selected
    values are marked afterwards. The standard library's
    escape() is used because Django's lazy-aware one costs several times more per call.
    """

    prerendered_options: str | Callable[[], str] | None = None
    empty_label = "---------"

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.prerendered_options is not None:
            empty = f'<option value="">{escape(str(self.empty_label))}</option>'
            prerendered = self.prerendered_options
            options = empty + (prerendered() if callable(prerendered) else prerendered)
        else:
            options = render_options(self.choices)
        for chosen in {str(v) for v in self.format_value(value) if v not in (None, "")}:
            tag = f'<option value="{escape(chosen)}">'
            options = options.replace(tag, tag[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


class LookupInput(forms.TextInput):
    """A text box that finds one record among thousands as the person types.

    The browser's own <datalist> shows the suggestions. static/js/lookup.js fills it from
    the lookup address (`data-lookup`) while the person types; without JavaScript the
    person types part of a title or number, and when that fits more than one record the
    refused form comes back with those records in the list to pick from.
    """

    template_name = ""  # rendered in render(): one input and its list, no template lookups
    suggestions: list[str] = []

    def __init__(self, attrs=None, *, lookup_url: str = ""):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.lookup_url = lookup_url

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name, "type": "text"})
        list_id = f"{attrs.get('id') or name}-options"
        attrs.update({"list": list_id, "data-lookup": self.lookup_url, "class": "lookup"})
        if value not in (None, ""):
            attrs["value"] = str(value)
        options = "".join(f'<option value="{escape(text)}"></option>' for text in self.suggestions)
        return mark_safe(
            f'<input{flatatt(attrs)}><datalist id="{escape(list_id)}">{options}</datalist>'
        )


class FilterableCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes to pick several of a long list, with a filter box: no Ctrl-click.

    The box is a plain list of checkboxes (in a scrolling area) without JavaScript;
    static/js/pick-many.js shows the filter field above it and the number chosen. Rendered
    by string joining, like `FastSelect`, because a letter may list thousands of commitments.
    """

    def __init__(self, attrs=None, *, filter_label: str = ""):
        super().__init__(attrs=attrs)
        self.filter_label = filter_label

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs or {})
        base_id = attrs.get("id") or f"id_{name}"
        chosen = {str(v) for v in self.format_value(value) if v not in (None, "")}
        items = []
        for index, (option_value, label) in enumerate(self.choices):
            option_value = "" if option_value is None else str(option_value)
            checked = " checked" if option_value in chosen else ""
            option_id = f"{base_id}_{index}"
            items.append(
                f'<li><label for="{escape(option_id)}"><input type="checkbox" '
                f'name="{escape(name)}" value="{escape(option_value)}" id="{escape(option_id)}"'
                f"{checked}> {escape(str(label))}</label></li>"
            )
        filter_label = escape(str(self.filter_label))
        return mark_safe(
            f'<div class="pick-many" data-pick-many id="{escape(base_id)}">'
            f'<input type="search" class="pick-many__filter" hidden aria-label="{filter_label}"'
            f' placeholder="{filter_label}" aria-controls="{escape(base_id)}_options">'
            f'<ul class="pick-many__options" id="{escape(base_id)}_options">{"".join(items)}</ul>'
            "</div>"
        )

    def id_for_label(self, id_, index=None):
        # The legend labels the group; each checkbox has its own <label>.
        return ""
