"""Citation labels that a reader recognises: [ICCPR], [Hiến pháp 2013], not [Đại66].

Each entry in references.bib may carry a ``shorthand`` field; the label is that
field, or the entry key when it is missing. Registered as the pybtex style "vi"
(plain formatting, shorthand labels), selected by ``bibtex_default_style: vi``.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, sentence


class ShorthandLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield entry.fields.get("shorthand", entry.key)


class VietnameseStyle(PlainStyle):
    default_label_style = "shorthand"
    default_sorting_style = "none"

    def format_title(self, e, which_field, as_sentence=True):
        # Plain style lower-cases titles ("Hiến pháp nước cộng hòa..."); Vietnamese document
        # names keep their capitals (Cộng hòa xã hội chủ nghĩa Việt Nam, 1079/QĐ-TTg).
        title = field(which_field)
        return sentence[title] if as_sentence else title


register_plugin("pybtex.style.labels", "shorthand", ShorthandLabelStyle)
register_plugin("pybtex.style.formatting", "vi", VietnameseStyle)


def setup(app):
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
