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
    A form may hand it its options already rendered (`prerendered_options`, from a cache):
    then only the selected values are marked.
    """

    prerendered_options: str | None = None

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value) if v not in (None, "")}
        if self.prerendered_options is not None:
            empty = f'<option value="">{escape(str(self.empty_label))}</option>'
            options = self.prerendered_options
            for chosen in selected:
                tag = f'<option value="{escape(chosen)}">'
                options = options.replace(tag, tag[:-1] + " selected>", 1)
            return mark_safe(f"<select{flatatt(attrs)}>{empty}{options}</select>")
        parts = [f"<select{flatatt(attrs)}>"]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(str(option_value))}">')
                parts.extend(self._option(v, text, selected) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))

    empty_label = "---------"

    @staticmethod
    def _option(value, label, selected):
        value = "" if value is None else str(value)
        chosen = " selected" if value in selected else ""
        return f'<option value="{escape(value)}"{chosen}>{escape(str(label))}</option>'
