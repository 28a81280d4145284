"""Form widgets shared by the apps."""

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
    A form may hand it its options already rendered (`prerendered_options`, from a cache);
    either way only the selected values are marked afterwards. The standard library's
    escape() is used because Django's lazy-aware one costs several times more per call.
    """

    prerendered_options: str | None = None
    empty_label = "---------"

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.prerendered_options is not None:
            empty = f'<option value="">{escape(str(self.empty_label))}</option>'
            options = empty + self.prerendered_options
        else:
            options = render_options(self.choices)
        for chosen in {str(v) for v in self.format_value(value) if v not in (None, "")}:
            tag = f'<option value="{escape(chosen)}">'
            options = options.replace(tag, tag[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")
