"""The summary by e-mail (oppsummering): ``pathways digest --date D [--dry-run] [--json]`` prints what
would be sent (with --dry-run nothing is sent or recorded), else sends what is due and not sent yet, as
the morning deployment ``daglig-oppsummering`` does."""

from __future__ import annotations

from datetime import date

import click

from pathways.cli import _context, _emit, iso_date, main
from pathways.services.digest import digests, send_digests


@main.command("digest")
@click.option("--date", "on", type=iso_date, default=None, help="The day, YYYY-MM-DD (default: today, Oslo).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--json", "as_json", is_flag=True)
def digest_command(on: date | None, dry_run: bool, as_json: bool) -> None:
    """Send (or with --dry-run print) the summaries due on a day: counts and links, no personal data.
    SMTP from PATHWAYS_SMTP_URL and PATHWAYS_MAIL_FROM; links start with PATHWAYS_BASE_URL."""
    ctx = _context()
    day = on or ctx.today()
    if dry_run:
        found = list(digests(ctx, day))
        _emit(as_json, [d.as_json() for d in found],
              "\n\n".join(f"To: {d.to or '-'} ({d.username})\nSubject: {d.subject}\n\n{d.body}" for d in found)
              or f"no summaries due on {day.isoformat()}")
        return
    report = send_digests(ctx, day)
    _emit(as_json, report.as_json(), f"{day.isoformat()}: {len(report.sent)} sent, {len(report.failed)} failed, "
                                     f"{report.already} sent before" + (f" (failed: {', '.join(report.failed)})"
                                                                         if report.failed else ""))
