"""The dashboard's timeline, drawn on the server as SVG: no JavaScript, no CDN (issue 12)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .selectors import TimelineMonth

WIDTH, HEIGHT = 720, 180
LEFT, BOTTOM, TOP = 36, 28, 16


def timeline_svg(months: Sequence[TimelineMonth]) -> SafeString:
    """One bar per month for the next twelve, labelled with its count; readable in print."""
    peak = max((m.count for m in months), default=0) or 1
    slot = (WIDTH - LEFT) / max(len(months), 1)
    plot = HEIGHT - BOTTOM - TOP
    bars = []
    for index, month in enumerate(months):
        height = round(plot * month.count / peak)
        x = LEFT + index * slot + slot * 0.15
        label = date_format(month.month, "M")
        title = _("%(month)s: %(count)d certificates expire") % {
            "month": date_format(month.month, "Y-m"),
            "count": month.count,
        }
        bars.append(
            (
                f"{x:.1f}", f"{HEIGHT - BOTTOM - height}", f"{slot * 0.7:.1f}", height,
                "timeline-bar" + (" timeline-bar-soon" if index < 2 else ""), title,
                f"{x + slot * 0.35:.1f}", HEIGHT - BOTTOM - height - 4, month.count,
                HEIGHT - 10, label, month.month.isoformat(),
            )
        )  # fmt: skip
    body = format_html_join(
        "",
        '<g data-month="{11}"><rect x="{0}" y="{1}" width="{2}" height="{3}" class="{4}" '
        'fill="#0d6efd"><title>{5}</title></rect>'
        '<text x="{6}" y="{7}" text-anchor="middle" font-size="11">{8}</text>'
        '<text x="{6}" y="{9}" text-anchor="middle" font-size="11" fill="#6c757d">{10}</text></g>',
        bars,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="timeline-title" id="expiry-timeline" class="w-100">'
        '<title id="timeline-title">{}</title>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#adb5bd"/>{}</svg>',
        WIDTH, HEIGHT, _("Certificates expiring per month, the next 12 months"),
        LEFT, HEIGHT - BOTTOM, WIDTH, HEIGHT - BOTTOM, body,
    )  # fmt: skip
