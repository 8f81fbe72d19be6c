"""Every sentence the services, the engine and the definition checks say to a person, by stable code.

A refusal carries a code and its parameters (:class:`Text`); ``str()`` of it is the English text (the
CLI, the REST API, logs), and :func:`pathways.i18n.localise` renders the same code from the gettext
catalogue (``pathways/locale/nb/LC_MESSAGES/messages.po``) for the dashboard, where staff read bokmål.

The English source texts (gettext msgids) live in :data:`MESSAGES` below, one place, marked with
:func:`N_` so that ``make messages`` (``pybabel extract``) finds them; rewording one here and
running ``make messages`` marks its bokmål translation for review instead of silently dropping it,
and ``tests/test_messages.py`` fails while a code has no bokmål text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction (``pybabel extract``); translated when rendered, not here."""
    return msgid


MESSAGES: dict[str, str] = {
    # -- dates, text and numbers a person typed (pathways.bounds, pathways.engine.inputs) --------
    "date_out_of_range": N_("the date {value} is not between {low} and {high}"),
    "date_outside_years": N_("{value} is outside the years {low}–{high}"),
    "date_required": N_("a date is required"),
    "not_a_date": N_("'{value}' is not a date (write YYYY-MM-DD)"),
    "not_storable_text": N_("the text contains a NUL character or an unpaired surrogate (invalid Unicode); remove it"),
    "not_a_number": N_("'{value}' is not a number"),
    "not_yes_no": N_("'{value}' is not yes or no (ja/nei)"),
    "not_a_level": N_("'{value}' is not a CEFR level (A1, A2, B1, B2, C1, C2)"),
    "not_a_choice": N_("'{value}' is not one of: {choices}"),
    "not_valid": N_("'{value}' is not valid"),
    "value_required": N_("a value is required"),
    "field_required_for": N_("'{name}' is required for '{event}'"),
    "no_such_field": N_("'{event}' has no field '{name}'{hint}"),
    "fields_are": N_(" (fields: {fields})"),
    "above_maximum": N_("{value} is above the maximum {limit}"),
    "below_minimum": N_("{value} is below the minimum {limit}"),
    "text_too_long": N_("the text is {length} characters; the limit is {limit}"),
    "did_you_mean": N_(" — did you mean '{word}'?"),
    # -- access (pathways.services.access) ---------------------------------------------------
    "no_case_access": N_("your role gives no access to cases"),
    "read_only_cases": N_("your role may read cases but not change them"),
    "case_handed_over": N_("the case has been handed over to another unit, which follows it up now: you see "
                           "its status and dates, and may not change it"),
    "case_not_taken_over": N_("your unit has not taken this case over: it may be changed from the hand-off's "
                              "planned date, once the hand-off is accepted"),
    "administrators_only": N_("only an administrator may do this"),
    "innsyn_not_allowed": N_("only a leder of the participant's kommune or the veileder of one of their cases may "
                             "export what is kept about them"),
    "innsyn_format": N_("'{value}' is not an export format (choose json or pdf)"),
    "absence_hours_missing": N_("write the number of hours"),
    "absence_hours_not_number": N_("'{value}' is not a number of hours"),
    "absence_hours_negative": N_("hours cannot be negative"),
    "absence_hours_decimals": N_("at most two decimals"),
    "absence_hours_too_many": N_("{hours} hours is more than the programme has in {month}: {limit} hours in all, "
                                 "{other} of them already recorded as the other kind"),
    "absence_month_future": N_("{month} has not begun yet"),
    "absence_month_outside": N_("{month} is outside the programme ({start} – {end})"),
    "absence_month_no_days": N_("the programme has no working day in {month}"),
    "nir_year": N_("the year {year} is not between {low} and {high}"),
    "nir_kommune_needed": N_("name the kommune (--kommune)"),
    "nir_missing_flag": N_("NIR: the case lacks {fields} more than {days} days after it was due: record it on "
                           "the case and register it in NIR"),
    "absence_changed": N_("someone else recorded absence for {month} at the same time: look again and retry"),
    "absence_month_invalid": N_("'{value}' is not a month (write YYYY-MM)"),
    "password_sign_in_off": N_("your kommune signs in through its identity provider only: use «Sign in with "
                               "the kommune's account»"),
    "no_case": N_("no case {id}"),
    "no_participant": N_("no participant {id}"),
    "no_flag": N_("no flag {id}"),
    "no_period": N_("no livelihood period {id}"),
    "no_user": N_("no user '{username}'"),
    "no_user_id": N_("no user {id}"),
    "unknown_user": N_("unknown user"),
    "no_token": N_("no API token {id}"),
    "not_your_kommune": N_("'{kommune}' is not your kommune ({yours})"),
    # -- cases and the engine (pathways.services.cases, pathways.engine.machine) ---------------
    "start_too_far_ahead": N_("the start date {start} is more than a year ahead"),
    "case_changed": N_("case {id} was changed by someone else; reload and try again"),
    "case_changed_version": N_("case {id} was changed by someone else (version {version}, you had {expected}); "
                               "reload and try again"),
    "case_changed_meanwhile": N_("case {id} was changed by someone else at the same time; reload and try again"),
    "not_eligible": N_("the participant does not meet the eligibility rules"),
    "unknown_event": N_("unknown event '{event}' on pathway '{pathway}'{hint}"),
    "case_ended": N_("the case has ended ({status} on {on}); nothing more can be recorded"),
    "event_after_today": N_("the event date {on} is after today ({today}); record what has happened"),
    "event_before_last": N_("the event date {on} is before the case's last event ({last}); events are recorded "
                            "in date order"),
    "case_paused": N_("the case is paused (permisjon); record 'gjenoppta' before '{event}'"),
    "case_stopped": N_("the case is stopped; record 'gjenoppta' before '{event}'"),
    "not_in_step": N_("the case is not in step '{step}'"),
    "not_allowed_now": N_("'{event}' is not allowed now"),
    "not_in_current_step": N_("'{event}' cannot be recorded in the current step ({steps})"),
    "no_step": N_("no step"),
    "needed_to_count": N_("'{name}' is needed to count '{counter}'"),
    "cannot_count": N_("'{counter}' cannot be counted: {reason}"),
    "module_not_in_set": N_("module '{module}' is not part of an active module set"),
    "module_started": N_("module '{module}' is already started"),
    "module_completed": N_("module '{module}' is already completed"),
    "too_many_modules": N_("at most {limit} modules may run at once; {running} are running"),
    "breach_inactive": N_("the case is {status}; a breached deadline moves only an active case"),
    "not_breached": N_("the deadline '{deadline}' is not breached on {on}"),
    "breach_handled": N_("the breach of '{deadline}' has been acted on already"),
    "already_in_step": N_("the case is already in step '{step}'"),
    "resume_not_paused": N_("only a paused or stopped case can be resumed"),
    "no_pause": N_("this pathway has no permisjon (no 'lifecycle.pause')"),
    "pause_needs_active": N_("permisjon needs an active case; the case is {status}"),
    "no_temporary_stop": N_("this pathway has no midlertidig stans (no 'lifecycle.temporary_stop')"),
    "stop_needs_active": N_("midlertidig stans needs an active case; the case is {status}"),
    "no_lifecycle_target": N_("this pathway has no '{event}' (set 'lifecycle.{key}')"),
    "practice_field_needed": N_("'{name}' is needed to credit practice"),
    "practice_ends_before_start": N_("the practice period ends ({end}) before it starts ({start})"),
    "practice_ends_after_event": N_("the practice period ends ({end}) after the event date ({on}); only practice "
                                    "that has been done is credited"),
    # -- migrating cases between versions (pathways.engine.migration) ------------------------
    "migrate_ended": N_("the case has ended ({status} on {on}); an ended case keeps its version"),
    "migrate_later_event": N_("the case has an event dated {last}, after the migration date {on}"),
    "migrate_step_missing": N_("it is in '{step}', which {version} does not have and the mapping does not send "
                               "anywhere"),
    "migrate_kind_changes": N_("it is in '{step}' ({before}), which is '{found}' ({after}) in version {version}: a "
                               "case cannot change between simple and compound steps"),
    "migrate_modules_lost": N_("its module set '{compound}' has started {modules}, which '{step}' in version "
                               "{version} does not have"),
    "migrate_changed": N_("the case changed while migrating; run the migration again"),
    "mapping_shape": N_("{where}: expected a mapping with 'steps', 'regions' and 'recompute'"),
    "mapping_unknown_key": N_("{where}: unknown key '{key}' (known: steps, regions, recompute)"),
    "mapping_not_yaml": N_("{where}: not valid YAML ({detail})"),
    "mapping_pairs": N_("{where}: expected old step: new step"),
    "mapping_ids_text": N_("{where}: step ids are text"),
    "mapping_twice": N_("{where}: mapped to both '{first}' and '{second}'"),
    "mapping_regions": N_("{where}: expected region: {{old step: new step}}"),
    "mapping_recompute": N_("{where}: expected a list of deadline ids or 'all'"),
    "maps_kind_changes": N_("maps '{step}' ({before}) to '{target}' ({after}): a case cannot change between "
                            "simple and compound steps"),
    "recompute_unknown": N_("recompute names '{name}', which neither version has as a deadline"),
    "compare_one_pathway": N_("compare versions of one pathway, not '{first}' with '{second}'"),
    "migrate_one_pathway": N_("migrate between versions of one pathway, not '{first}' and '{second}'"),
    "migrate_not_newer": N_("migrate to a newer version: {new} is not after {old}"),
    # -- flags, notes and the caseload (pathways.services.flags, pathways.services.dashboard) ----
    "flag_resolved": N_("flag {id} is already resolved ({resolution})"),
    "snooze_later": N_("snooze until a later date than today ({today})"),
    "resolution_required": N_("say how the flag was resolved"),
    "comment_too_long": N_("the comment is longer than 500 characters"),
    "unknown_sort": N_("unknown sort order '{value}' (choose {choices})"),
    "unknown_flag_kind": N_("unknown flag kind '{value}'"),
    "due_window": N_("the deadline window must be between 0 and 3650 days"),
    "unknown_status": N_("unknown status '{value}'"),
    "page_number": N_("the page number must be 1 or more"),
    "search_too_long": N_("the search is too long (at most 100 characters)"),
    "note_empty": N_("the note is empty"),
    "note_too_long": N_("the note has {length} characters; the limit is {limit}"),
    "unknown_flag_state": N_("unknown state '{value}'"),
    "unknown_severity": N_("unknown severity '{value}'"),
    # -- participants and the CSV import (pathways.services.participants) --------------------
    "name_required": N_("a name is required"),
    "name_too_long": N_("the name is longer than 200 characters"),
    "unknown_fact_field": N_("unknown field '{name}' (fields: {fields})"),
    "settled_before_born": N_("the settlement date is before the birth date"),
    "too_many_dependants": N_("{count} dependants is more than the limit {limit}"),
    "kommune_required": N_("a kommune is required"),
    "kommune_too_long": N_("the kommune name is longer than 100 characters"),
    "participant_changed": N_("participant {id} was changed by someone else; reload and try again"),
    "cannot_read_file": N_("cannot read {path}: {reason}"),
    "file_too_large": N_("{path} is larger than {limit} bytes"),
    "not_utf8_csv": N_("{path} is not UTF-8 text; save it as UTF-8 CSV"),
    "duplicate_row": N_("the same name and birth date as line {line}"),
    "no_rows": N_("the file has a header but no participants"),
    "column_missing": N_("column missing from the header"),
    "unknown_column": N_("unknown column (columns: {columns})"),
    "not_csv": N_("not CSV: {detail}"),
    "too_many_values": N_("more values than columns"),
    "import_rejected": N_("{count} error(s); nothing was imported"),
    # -- livelihood (pathways.services.livelihood) --------------------------------------------
    "unknown_source": N_("unknown livelihood source '{source}'{hint}"),
    "sources_are": N_(" (sources: {sources})"),
    "period_ends_before_start": N_("the period ends ({end}) before it starts ({start})"),
    "amount_not_number": N_("the amount must be a number"),
    "not_an_amount": N_("'{value}' is not an amount (write e.g. 15 012,50)"),
    "amount_negative": N_("the amount cannot be negative"),
    "amount_too_big": N_("the amount is over {limit} kr a month"),
    "amount_decimals": N_("the amount can have at most two decimals"),
    "unknown_source_choose": N_("unknown livelihood source '{source}'; choose one from the list"),
    "no_amount_for_none": N_("'ingen livsopphold' has no amount; leave the field empty"),
    "note_not_storable": N_("the note contains a NUL character or an invalid Unicode character; remove it"),
    "span": N_("{start} – {end}"),
    "span_open": N_("from {start} (ongoing)"),
    "overlaps_same": N_("overlaps the period with {label} {span}; extend or correct that period instead"),
    "overlaps_none": N_("overlaps the period with {label} {span}; 'ingen livsopphold' cannot apply at the same "
                        "time as another source"),
    "period_confirmed": N_("the period is already confirmed"),
    "period_open_ended": N_("the period has no end date and is already running"),
    "extend_after_end": N_("the new end date must be after the current end date ({end}); use Avslutt to end "
                           "earlier"),
    "reason_required": N_("write why the period is deleted"),
    "reason_too_long": N_("the reason has {length} characters; the limit is {limit}"),
    "reason_not_storable": N_("the reason contains a NUL character or an invalid Unicode character; remove it"),
    # -- veiledere, moving cases and covers (pathways.services.caseworkers) --------------------
    "leaders_only": N_("only a leder or an administrator may move cases or set a cover"),
    "no_veileder_id": N_("no veileder with id {id} in the kommune"),
    "not_a_veileder": N_("{name} is not a veileder and cannot have cases"),
    "veileder_deactivated": N_("{name} is deactivated and cannot be given cases"),
    "already_veileder": N_("{name} is already the case's veileder"),
    "same_veileder": N_("choose a veileder other than the one the cases are moved from"),
    "cover_until_past": N_("{until} has passed; a cover runs from today until today or a later date"),
    "cover_too_long": N_("a cover can be set for at most one year at a time (until {latest}); extend it when it "
                         "runs out"),
    "no_veileder": N_("no veileder {id}"),
    "cover_self": N_("a veileder cannot cover for themselves; choose a colleague"),
    "no_cover_now": N_("no cover {id} in force now"),
    "snooze_within_year": N_("snooze at most a year ahead (until {latest})"),
    # -- the case story, notes and the worklist (pathways.services.story, .worklist) -----------
    "choose_kind": N_("choose one of {choices}"),
    "no_note": N_("no note {id} on case {case}"),
    "author_only": N_("only the author may edit a note"),
    "note_too_old": N_("note {id} was written more than 24 hours ago; notes are kept as written — write a new "
                       "note instead"),
    "cap_minimum": N_("the cap must be 1 or more"),
    # -- reading CSV and Excel files (pathways.services.tabular, the import) -------------------
    "not_a_calendar_date": N_("'{value}' is not a date in the calendar"),
    "not_a_date_either": N_("'{value}' is not a date (write 31.12.1990 or 1990-12-31)"),
    "old_excel": N_("{path} is an old Excel file (.xls); save it as .xlsx or CSV"),
    "bad_xlsx": N_("{path} is not an Excel file (.xlsx) that can be read"),
    "xlsx_too_large": N_("{path} is too large an Excel file (more than {limit} bytes unpacked); save it as CSV"),
    "xlsx_too_many_rows": N_("{path} has more than {limit} rows, the limit for an Excel file; split it or save it "
                             "as CSV"),
    "not_text_csv": N_("{path} is neither UTF-8 nor Windows-1252 text; save it as UTF-8 CSV"),
    "column_twice": N_("the column {column} appears twice"),
    "file_empty_header": N_("the file is empty; the first line names the columns"),
    "upload_gone": N_("the uploaded file is no longer kept; upload it again"),
    "kommune_has_admins": N_("{kommune} has its own administrators; you can add users in {yours} or in a kommune "
                             "that has no users yet"),
    # -- user accounts (pathways.services.accounts) ------------------------------------------
    "password_too_short": N_("the password must have at least {length} characters"),
    "password_too_long": N_("the password can have at most 200 characters"),
    "password_weak": N_("the password is too easy to guess: {reason}"),
    "password_weak_hint": N_("the password is too easy to guess: {reason}. Three or four random words work well"),
    "weak_user_inputs": N_("it resembles your username or name"),
    "weak_passwords": N_("it is a common password or resembles one"),
    "weak_repeat": N_("it repeats characters or words (such as 'aaaa' or 'abcabc')"),
    "weak_sequence": N_("it is a sequence (such as 'abcd' or '1234')"),
    "weak_spatial": N_("it follows the keys of the keyboard (such as 'qwerty')"),
    "weak_date": N_("it is built on a date"),
    "weak_regex": N_("it is built on a year"),
    "weak_dictionary": N_("it is common words or names; put together several words that do not belong together"),
    "weak_simple": N_("it is too short or too simple"),
    "bad_username": N_("the username may only have lower-case letters a–å, digits, full stop, hyphen and "
                       "underscore (2–100 characters)"),
    "account_name_required": N_("a name is required (at most 200 characters)"),
    "unknown_role": N_("unknown role '{role}' (choose {roles})"),
    "username_taken": N_("the username '{username}' is taken"),
    "wrong_password": N_("the current password is wrong"),
    "same_password": N_("the new password must differ from the old one"),
    "not_yourself_deactivate": N_("you cannot deactivate yourself; ask another administrator"),
    "not_yourself_role": N_("you cannot change your own role; ask another administrator"),
    # -- units (pathways.services.units) ---------------------------------------------------------
    "unknown_unit_kind": N_("unknown kind of unit '{kind}'{hint}"),
    "unit_kinds_are": N_(" (kinds: {kinds})"),
    "unit_name_required": N_("a unit needs a name (at most {limit} characters)"),
    "unit_name_taken": N_("{kommune} already has a unit called '{name}'"),
    "no_unit": N_("no unit {id}"),
    "no_unit_named": N_("no unit called '{name}' in the kommune{hint}"),
    "units_are": N_(" (units: {units})"),
    "unit_other_kommune": N_("the unit '{name}' belongs to another kommune than the user"),
    # -- tasks (pathways.services.tasks) ----------------------------------------------------------
    "task_title_required": N_("a task needs a title (at most {limit} characters)"),
    "task_due_in_past": N_("the due date {due} is before today ({today}); choose today or a later date"),
    "task_assignee_required": N_("give the task to one colleague or to one unit"),
    "task_assignee_inactive": N_("'{username}' is deactivated and cannot be given tasks"),
    "task_other_kommune": N_("the case and the assignee belong to different kommuner"),
    "no_task": N_("no task {id}"),
    "task_already_done": N_("task {id} was completed on {on}"),
    "task_unknown_list": N_("unknown list '{value}' (lists: {lists})"),
    "task_user_or_unit": N_("name a user or a unit whose tasks to list"),
    "task_item_overdue": N_("Task overdue since {due}"),
    "task_item_today": N_("Task due today ({due})"),
    "task_item_due": N_("Task due {due}"),
    "task_item_todo": N_("do it and mark it done with a note"),
    "task_open_case": N_("Open the case"),
    "task_overdue_flag": N_("Task overdue since {due}: {title}"),
    "task_given": N_("The task is given."),
    "task_done": N_("The task is done."),
    # -- the summary by e-mail (pathways.services.digest) -------------------------------------------
    "unknown_digest_choice": N_("'{value}' is not a choice of summary (off, daily, weekly)"),
    "not_an_email": N_("'{value}' is not an e-mail address"),
    "email_required_for_digest": N_("an e-mail address is needed to get the summary"),
    "smtp_url_invalid": N_("PATHWAYS_SMTP_URL is not set or not an smtp:// or smtps:// address with a host"),
    "mail_from_invalid": N_("PATHWAYS_MAIL_FROM is not set or not an e-mail address"),
    "digest_subject": N_("Summary for {day}: {n} to follow up"),
    "digest_greeting": N_("Your summary for {day} (counts only; sign in to see the cases)."),
    "digest_actions_one": N_("{n} case needs action today"),
    "digest_actions_many": N_("{n} cases need action today"),
    "digest_handoffs_one": N_("{n} hand-off waits for you"),
    "digest_handoffs_many": N_("{n} hand-offs wait for you"),
    "digest_gaps_one": N_("{n} new income gap"),
    "digest_gaps_many": N_("{n} new income gaps"),
    "digest_tasks_one": N_("{n} open task"),
    "digest_tasks_many": N_("{n} open tasks"),
    "digest_sign_in": N_("Every link asks you to sign in."),
    "digest_settings": N_("Change or turn off the summary: {url}"),
    "settings_saved": N_("The settings are saved."),
    "digest_no_address": N_("no e-mail address"),
    "no_kommune": N_("no kommune called '{kommune}'"),
    # -- hand-offs (pathways.services.handoffs) ---------------------------------------------------
    "no_handoff": N_("no hand-off {id}"),
    "handoff_no_unit": N_("no unit {id} to hand over to; choose one of your kommune's units"),
    "handoff_same_unit": N_("the case is with '{unit}' already: choose another unit"),
    "handoff_no_agreement": N_("'{unit}' belongs to {kommune}, and your kommune has no agreement with it (a unit "
                               "of kind 'annen_kommune' named after it)"),
    "handoff_agreement_unknown": N_("the agreement '{unit}' names no kommune known here; name the unit after the "
                                    "other kommune"),
    "handoff_planned_past": N_("the planned date {on} is before today ({today})"),
    "handoff_planned_far": N_("the planned date {on} is more than a year ahead (at the latest {latest})"),
    "handoff_case_ended": N_("case {id} has ended; an ended case is not handed over"),
    "handoff_pending_exists": N_("case {id} has a hand-off to '{unit}' waiting already: cancel it first"),
    "handoff_item_required": N_("'{label}' must be ticked before the hand-off is sent"),
    "handoff_unknown_item": N_("the checklist has no item '{key}'{hint}"),
    "handoff_items_are": N_(" (items: {items})"),
    "handoff_wrong_unit": N_("only a user of '{unit}' may accept or return this hand-off"),
    "handoff_not_sender": N_("only the case's veileder may change or cancel this hand-off"),
    "handoff_decided": N_("hand-off {id} is {status} already"),
    "handoff_responsible_required": N_("name the person who will be responsible"),
    "handoff_responsible_not_in_unit": N_("'{username}' is not an active user of '{unit}'"),
    "handoff_reason_required": N_("write why the hand-off is returned (at most {limit} characters)"),
    "handoff_decided_meanwhile": N_("hand-off {id} was decided by someone else meanwhile; reload"),
    "handoff_consent_label": N_("Consent from the participant to share the information"),
    "handoff_pending": N_("waiting"),
    "handoff_accepted": N_("accepted"),
    "handoff_returned": N_("returned"),
    "handoff_cancelled": N_("cancelled"),
    # -- publishing and authoring pathways (pathways.services.publishing, .authoring) ----------
    "already_published_as": N_("this document is already published as {ref}"),
    "in_file": N_("{file}: {message}"),
    "note_required": N_("write a change note: what changed and why"),
    "change_note_too_long": N_("the change note is longer than {limit} characters"),
    "published_since": N_("'{pathway}' has been published as version {latest} since you started from version "
                          "{base}; open the newest version and make the change there"),
    "version_published": N_("version {version} of '{pathway}' is already published; a change is a new version: "
                            "set 'version: {next}'"),
    "next_version": N_("'{pathway}' is at version {latest}: the next version is {next}, not {version}"),
    "published_same_time": N_("someone else published version {version} of '{pathway}' at the same time; open "
                              "the newest version and make the change there"),
    "no_published_pathway": N_("no published pathway '{pathway}'{hint}"),
    "no_pathway_version": N_("no pathway version {id}"),
    "no_such_version": N_("'{pathway}' has no version {version} (published: {versions})"),
    "bad_ref": N_("'{ref}' is not a pathway version: write ID@VERSION, e.g. introduksjonsprogram@2"),
    "document_id_differs": N_("the document's id is '{found}', not '{expected}'"),
    "maps_to_missing": N_("maps '{step}' to '{target}', which {version} does not have"),
    "maps_from_missing": N_("maps from '{step}', which {version} does not have"),
    # -- definitions: reading the YAML (pathways.definition.yamlpos, .loader) -------------------
    "file_too_big": N_("file is {size} bytes; the limit is {limit} bytes"),
    "cannot_read_definition": N_("cannot read the file: {reason}"),
    "not_utf8": N_("not UTF-8: byte {byte} cannot be decoded; save the file as UTF-8"),
    "file_empty": N_("the file is empty; a pathway needs at least 'id', 'version', 'title', 'sources', 'start' "
                     "and 'steps'"),
    "invalid_yaml": N_("invalid YAML: {detail}"),
    "yaml_tab": N_(" (a tab: YAML indents with spaces only)"),
    "no_yaml_document": N_("the file holds no YAML document"),
    "many_yaml_documents": N_("the file holds more than one YAML document ('---'); put one pathway in each file"),
    "merge_key": N_("merge keys ('<<') are not supported; write the keys out"),
    "key_not_plain": N_("a key must be a plain value"),
    "duplicate_key": N_("duplicate key '{key}' (first at line {line})"),
    "too_many_nodes": N_("the document expands to more than {limit} nodes (repeated aliases?); write it out "
                         "without nested aliases"),
    "invalid_yaml_value": N_("invalid YAML value: {detail}"),
    "not_a_mapping": N_("a pathway document is a mapping of keys ('id: ...', 'steps: ...'), not a {type}"),
    "nested_too_deeply": N_("the document is nested too deeply"),
    "more_checks": N_("{count} more checks ({checks}) run after this is fixed: they need the shape of the whole "
                      "document right"),
    "unknown_key": N_("unknown key '{key}'{hint}"),
    "allowed_here": N_(" (allowed here: {keys})"),
    "missing_key": N_("missing required key '{key}' in {where}"),
    "missing_top_key": N_("missing required key '{key}' at the top level"),
    "bad_id": N_("{where}: '{value}' is not a valid id: use lower-case letters a–z, digits and '_', starting "
                 "with a letter"),
    "value_not_allowed": N_("{where}: '{value}' is not allowed{hint}"),
    "choose_one_of": N_(" (choose one of: {choices})"),
    "at_where": N_("{where}: {message}"),
    "no_pathway_in_catalogue": N_("no pathway '{pathway}' in the catalogue{hint}"),
    "no_pathway_files": N_("no pathway files (*.yaml) found"),
    "pathway_id_used": N_("pathway id '{id}' is also used by {file}"),
    "handoff_unknown_pathway": N_("step '{step}' hands off to unknown pathway '{pathway}'{hint}"),
    # -- definitions: the shape of a document (pathways.definition.schema) -------------------------
    "source_needs_ref": N_("a source needs at least one of 'seed', 'law' or 'url'"),
    "bad_default": N_("default {value} is not a valid {type}"),
    "enum_needs_values": N_("an enum field needs 'values'"),
    "values_only_enum": N_("'values' is only for enum fields"),
    "min_max_only_number": N_("'min' and 'max' are only for number fields"),
    "min_above_max": N_("min {min} is greater than max {max}"),
    "practice_counter_needs": N_("a practice_hours counter needs 'period: [FROM_FIELD, TO_FIELD]' and "
                                 "'percentage: FIELD'"),
    "period_only_practice": N_("'period' and 'percentage' belong to counters with rule: practice_hours"),
    "effect_add_or_set": N_("an effect needs exactly one of 'add' or 'set'"),
    "duration_min_above_expected": N_("min {min} is longer than expected {expected}"),
    "duration_expected_above_max": N_("expected {expected} is longer than max {max}"),
    "outcome_needs_outcome": N_("an outcome step needs 'outcome' (work, education, nav_measure, social_assistance, "
                                "discontinued or transferred)"),
    "outcome_no_next": N_("an outcome step ends the case: it cannot have 'next' or 'on'"),
    "outcome_only_outcome": N_("'outcome' belongs on steps of kind outcome"),
    "parallel_two_regions": N_("a parallel step needs at least two 'regions'"),
    "regions_only_parallel": N_("'regions' belong on steps of kind parallel"),
    "modules_needs_modules": N_("a modules step needs 'modules'"),
    "modules_only_modules": N_("'modules', 'join' and 'max_concurrent' belong on steps of kind modules"),
    "bad_anchor": N_("anchor must be 'start', 'step:ID', 'participant:FIELD', 'field:FIELD' or 'deadline:ID'"),
    "expected_text": N_("{where}: expected text"),
    "expected_whole_number": N_("{where}: expected a whole number"),
    "expected_number": N_("{where}: expected a number"),
    "expected_yes_no": N_("{where}: expected true or false"),
    "expected_list": N_("{where}: expected a list"),
    "expected_mapping": N_("{where}: expected a mapping (key: value)"),
    "expected_date": N_("{where}: expected a date (YYYY-MM-DD)"),
    "list_too_short": N_("{where}: needs at least {count} item(s)"),
    "too_small": N_("{where}: {value} is less than {limit}"),
    "too_big": N_("{where}: {value} is more than {limit}"),
    "text_too_long_at": N_("{where}: longer than {limit} characters"),
    "duration_expected": N_("expected an ISO 8601 duration such as 'P3M', got {value}"),
    "duration_no_times": N_("'{raw}': durations are in years, months, weeks or days; no times"),
    "duration_not_iso": N_("'{raw}' is not an ISO 8601 duration (examples: P3M, P1Y6M, P10D, P6W)"),
    "duration_whole": N_("'{raw}': use whole years, months, weeks or days"),
    "duration_too_long": N_("'{raw}' is too long: a duration is at most {years} years"),
    # -- definitions: the checks (pathways.definition.validation) -------------------------------
    "duplicate_step_id": N_("duplicate step id '{id}' (first defined at {first})"),
    "duplicate_deadline_id": N_("duplicate deadline id '{id}'"),
    "duplicate_followup_id": N_("duplicate followup id '{id}'"),
    "deadline_and_followup": N_("'{id}' is both a deadline and a follow-up"),
    "reserved_field_name": N_("'{name}' is a participant or case field; choose another name"),
    "already_declared": N_("'{name}' is already declared under '{owner}'"),
    "unknown_step": N_("unknown step '{name}'{hint}"),
    "unknown_start_step": N_("unknown start step '{name}'{hint}"),
    "unknown_role_ref": N_("unknown role '{name}'{hint}"),
    "unknown_role_declare": N_("unknown role '{name}'{hint} (declare it under 'roles')"),
    "unknown_event_ref": N_("unknown event '{name}'{hint}"),
    "unknown_event_declare": N_("unknown event '{name}'{hint} (declare it under 'events')"),
    "unknown_counter": N_("unknown counter '{name}'{hint}"),
    "unknown_module": N_("unknown module '{name}'{hint}"),
    "unknown_date_field_ref": N_("unknown date field '{name}'{hint}"),
    "unknown_number_field_ref": N_("unknown number field '{name}'{hint}"),
    "unknown_field_declare": N_("unknown field '{name}'{hint} (declare it under 'fields')"),
    "unknown_participant_date": N_("unknown participant date '{name}'{hint}"),
    "unknown_deadline": N_("unknown deadline '{name}'{hint}"),
    "step_in_region": N_("step '{step}' is in region '{region}' of '{parallel}'; a transition can only lead to a "
                         "step in its own region (leave a region through a 'final' step)"),
    "step_at_top": N_("step '{step}' is in the top level; a transition can only lead to a step in its own region "
                      "(leave a region through a 'final' step)"),
    "final_outside_region": N_("'final' marks the end of a region; this step is not in a region"),
    "outcome_in_region": N_("an outcome ends the whole case and cannot sit inside a region"),
    "shadowed": N_("this '{event}' transition can never be taken: an earlier one for the same event has no guard"),
    "transfer_not_outcome": N_("a transfer hand-off ends this case: 'to' must be an outcome step (use mode: "
                               "parallel to keep the case running)"),
    "duplicate_region_id": N_("duplicate region id '{id}'"),
    "duplicate_module_id": N_("duplicate module id '{id}'"),
    "duplicate_handoff_item": N_("duplicate hand-off checklist item '{key}'"),
    "handoffs_not_outcome": N_("an outcome step has no hand-off checklist (nobody is handed over from it)"),
    "field_updates_type": N_("a {mine} field cannot update the participant's '{fact}', which is a {kind}"),
    "lifecycle_not_outcome": N_("'{key}' must lead to an outcome step; '{target}' is of kind {kind}"),
    "event_never_taken": N_("no step takes the event '{event}', so it can never count for '{item}' (add it to a "
                            "step's 'on')"),
    "breach_in_region": N_("step '{step}' is inside a region; a breach moves the whole case, so 'on_breach' must "
                           "name a top-level step"),
    "reminder_on_breach": N_("a reminder never changes the case; 'on_breach' needs kind: breach"),
    "breach_id_too_long": N_("a deadline with 'on_breach' has an id of at most {limit} characters (its event is "
                             "'{event}')"),
    "guard_error": N_("{message} in '{source}'"),
    "guard_error_at": N_("{message} (at character {column}) in '{source}'"),
    "offset_not_duration": N_("'{offset}' is neither an ISO 8601 duration (P3M, -P10D) nor a duration "
                              "parameter{hint}"),
    "working_days_offset": N_("working days are counted in days: write the offset as days (e.g. P10D), not "
                              "'{offset}'"),
    "every_not_duration": N_("'{every}' is neither an ISO 8601 duration (P1M, P3M) nor a duration parameter{hint}"),
    "deadline_loop": N_("deadlines anchored on each other in a loop: {cycle}"),
    "offsets_too_long": N_("the offsets of '{deadline}' and the deadlines it is counted from add up to more than "
                           "{years} years"),
    "unreachable": N_("step '{step}' can never be reached from the start"),
    "dead_end_compound": N_("step '{step}' is a dead end: nothing follows when it is complete ('next'), and it is "
                            "not an outcome (add 'next' or 'on', or make it kind: outcome)"),
    "dead_end": N_("step '{step}' is a dead end: no transition leads out of it, and it is not an outcome (add "
                   "'next' or 'on', or make it kind: outcome)"),
    "loop_no_exit": N_("these steps loop with no way out: {steps} (add a transition that leaves the loop)"),
    "region_no_final": N_("region '{region}' has no 'final: true' step, so the join of '{step}' can never "
                          "complete"),
    "region_final_unreachable": N_("no 'final' step of region '{region}' can be reached from its start "
                                   "'{start}', so the join of '{step}' can never complete"),
    "join_too_many": N_("the join needs {needed} modules but the set has only {count}: it can never complete"),
    "join_nothing_required": N_("no module is required and the join sets no 'at_least': the set would complete "
                                "before it starts"),
    "max_concurrent_too_big": N_("max_concurrent {limit} is more than the {count} modules"),
    # -- guards: the expressions of a definition (pathways.guards) --------------------------------
    "guard_whole_number": N_("{unit}() takes a whole number"),
    "guard_duration_too_long": N_("{unit}({n}) is too long: a duration is at most {years} years ({limit} {unit})"),
    "guard_not_a_date": N_("date({text}) is not a date; write date('2025-08-01')"),
    "guard_date_years": N_("date({text}) is outside the years {low}–{high}"),
    "guard_not_text": N_("a guard is a text expression"),
    "guard_too_long": N_("the guard is {length} characters long; the limit is {limit}"),
    "guard_syntax": N_("not a valid expression: {detail}"),
    "guard_nested_or_invalid": N_("the expression is nested too deeply or holds invalid characters"),
    "guard_nested": N_("the expression is nested too deeply"),
    "guard_durations_too_long": N_("the durations in the guard add up to more than {years} years"),
    "guard_not_bool": N_("a guard must be true or false, but it is a {type}"),
    "guard_wrong_type": N_("this expression must be a {wanted}, but it is a {type}"),
    "guard_number_too_large": N_("the number {value} is too large"),
    "guard_constant": N_("the constant {value} is not allowed"),
    "guard_underscore": N_("names starting with '_' are not allowed ('{name}')"),
    "guard_unknown_name": N_("unknown name '{name}'{hint}"),
    "guard_sign": N_("a sign applies to a number or duration, not a {kind}"),
    "guard_empty_list": N_("an empty list is not allowed"),
    "guard_mixed_list": N_("a list must hold values of one type"),
    "guard_branches": N_("both branches of 'x if c else y' must have one type ({a} vs {b})"),
    "guard_call": N_("calling '{name}' is not allowed; functions: {functions}"),
    "guard_keywords": N_("{function}() takes no keyword arguments"),
    "guard_same_type_args": N_("{function}() takes one or more values of the same type"),
    "guard_arguments": N_("{function}() takes ({wanted}), got ({got})"),
    "guard_node_not_allowed": N_("'{node}' is not allowed in a guard"),
    "guard_expected": N_("{what}: expected {wanted}, got {got}"),
    "guard_and_or": N_("'and'/'or' join conditions"),
    "guard_not": N_("'not' applies to a condition"),
    "guard_if_condition": N_("the condition of 'x if c else y'"),
    "guard_compute": N_("cannot compute {left} {symbol} {right}"),
    "guard_in_list": N_("'in' needs a list on the right: x in ['a', 'b']"),
    "guard_not_in_enum": N_("'{value}' is not one of {enum}"),
    "guard_enum_compare": N_("enum values can only be compared with == and !="),
    "guard_compare": N_("cannot compare {left} with {right}"),
    "guard_equality_only": N_("a {type} can only be compared with == and !="),
    "guard_cannot_evaluate": N_("cannot evaluate '{node}'"),
    "guard_outside_calendar": N_("{day} + {period} is outside the calendar"),
    "guard_division_by_zero": N_("division by zero"),
    "guard_number_grew": N_("a number in the guard grew beyond {limit}"),
    "guard_no_attribute": N_("attribute access ('.') is not allowed"),
    "guard_no_subscript": N_("subscripts ('[...]' after a value) are not allowed"),
    "guard_no_lambda": N_("lambda is not allowed"),
    "guard_no_power": N_("the power operator '**' is not allowed"),
    "guard_no_comprehension": N_("comprehensions are not allowed"),
    "guard_no_assignment": N_("assignment (':=') is not allowed"),
    "guard_no_unpacking": N_("'*' unpacking is not allowed"),
    "guard_no_fstring": N_("f-strings are not allowed"),
    "guard_no_await": N_("await is not allowed"),
    "guard_no_dict": N_("dictionaries are not allowed"),
    "guard_no_set": N_("sets are not allowed"),
}
"""Code → English msgid. Parameters are written ``{name}``; the bokmål text in the catalogue uses the same."""

FIELD_LABELS: dict[str, str] = {
    "name": N_("name"), "born": N_("birth date"), "settled": N_("settlement date"), "kommune": N_("kommune"),
    "on": N_("date"), "event": N_("event"), "comment": N_("comment"), "until": N_("until date"),
    "start": N_("start date"), "text": N_("text"), "participant": N_("participant"), "case": N_("case"),
    "flag": N_("flag"), "file": N_("file"), "row": N_("row"), "dependants": N_("number of dependants"),
    "from": N_("from"), "to": N_("to"), "password": N_("password"), "username": N_("username"),
    "role": N_("role"), "note": N_("change note"), "source": N_("source"), "period": N_("period"),
    "unit": N_("unit"), "kind": N_("kind of unit"), "message": N_("message"), "items": N_("checklist"),
    "responsible": N_("responsible person"), "reason": N_("reason"),
    "title": N_("title"), "due": N_("due date"), "assignee": N_("assignee"), "done_note": N_("note"),
    "list": N_("list"), "digest": N_("summary by e-mail"), "email": N_("e-mail address"),
}
"""A form field's name (``ServiceError.field``) → its label, in English; the catalogue has it in bokmål."""


class Text(str):
    """A message by code: the string is its English text; ``code`` and ``params`` render it in any language.

    Texts concatenate (``Text(...) + did_you_mean(...)``) into a text whose parts are each translated."""

    code: str
    params: Mapping[str, object]
    parts: tuple[str, ...]

    def __new__(cls, code: str, /, **params: object) -> Text:
        english = MESSAGES[code].format(**{k: _english(v) for k, v in params.items()})
        self = super().__new__(cls, english)
        self.code, self.params, self.parts = code, params, ()
        return self

    @classmethod
    def joined(cls, *parts: str) -> Text:
        self = str.__new__(cls, "".join(parts))
        self.code, self.params, self.parts = "", {}, parts
        return self

    def __add__(self, other: str) -> Text:
        return Text.joined(self, other) if other else self

    def __radd__(self, other: str) -> Text:
        return Text.joined(other, self) if other else self

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.code, dict(self.params), self.parts))


def _rebuild(code: str, params: dict[str, object], parts: tuple[str, ...]) -> Text:
    return Text.joined(*parts) if not code else Text(code, **params)


def _english(value: object) -> object:
    """``value`` as ``str.format`` writes it in English (as an f-string would), a list joined by commas."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(format(_english(v)) for v in value)
    return value


def text_of(error: BaseException | str) -> str:
    """What ``error`` says, as a :class:`Text` when it was raised with a code (else its plain string)."""
    if isinstance(error, str):
        return error
    first = error.args[0] if error.args else None
    if isinstance(first, Text):
        return first
    kept = getattr(error, "text", None)  # an error whose English says more than its code (a list of rows)
    return kept if isinstance(kept, Text) else str(error)


def message(code_or_text: str, /, **params: object) -> str:
    """A :class:`Text` when ``code_or_text`` is a code (or already a Text), else the string as it is.

    The errors take either: a code with parameters, or a message already made (a Text passed on, or a
    plain string from code not yet moved to the catalogue, shown as it is)."""
    if isinstance(code_or_text, Text):
        return code_or_text
    if code_or_text in MESSAGES:
        return Text(code_or_text, **params)
    return code_or_text


_PYDANTIC: dict[str, str] = {  # pydantic's error types → the code that says the same
    "date_parsing": "not_a_date", "date_from_datetime_parsing": "not_a_date", "date_type": "not_a_date",
    "date_from_datetime_inexact": "not_a_date", "datetime_parsing": "not_a_date",
    "int_parsing": "not_a_number", "int_type": "not_a_number", "int_from_float": "not_a_number",
    "float_parsing": "not_a_number", "float_type": "not_a_number", "decimal_parsing": "not_a_number",
    "bool_parsing": "not_yes_no", "bool_type": "not_yes_no",
    "missing": "value_required",
}


def from_pydantic(error: Mapping[str, Any]) -> Text:
    """The message for one of pydantic's errors (an item of ``ValidationError.errors()``), by its type."""
    kind, ctx, value = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    raised = ctx.get("error")
    if isinstance(raised, BaseException):
        found = text_of(raised)
        if isinstance(found, Text):
            return found
    if isinstance(ctx.get("text"), Text):
        return ctx["text"]
    if kind in ("enum", "literal_error"):
        return Text("not_a_choice", value=value, choices=ctx.get("expected", ""))
    if kind in ("greater_than_equal", "greater_than"):
        return Text("below_minimum", value=value, limit=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return Text("above_maximum", value=value, limit=ctx.get("le", ctx.get("lt")))
    if kind in _PYDANTIC:
        return Text(_PYDANTIC[kind], value=value)
    return Text("not_valid", value=value)
