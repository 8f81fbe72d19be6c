"""Norwegian (bokmål) for what the services and the engine say in English.

The library speaks English to developers and the CLI; the dashboard speaks bokmål to staff. Each
pattern below matches one message of the engine or the services (see the ``raise`` sites); a message
without a pattern is shown as it is, so nothing is ever hidden.
"""

from __future__ import annotations

import re

FIELD_WORDS = {
    "name": "navn", "born": "fødselsdato", "settled": "bosettingsdato", "kommune": "kommune", "on": "dato",
    "event": "hendelse", "comment": "kommentar", "until": "dato", "start": "startdato", "text": "tekst",
    "participant": "deltaker", "case": "sak", "flag": "flagg", "file": "fil", "row": "rad",
    "dependants": "forsørger antall", "from": "fra", "to": "til",
}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in [
    (r"^'(.*)' is not a date \(write YYYY-MM-DD\)$", r"«\1» er ikke en dato (skriv ÅÅÅÅ-MM-DD)"),
    (r"^(?:Value error, )?(\S+) is outside the years (\d+)–(\d+)( \(got .*\))?$", r"\1 er utenfor årene \2–\3"),
    (r"^the practice period ends \((\S+)\) before it starts \((\S+)\)$",
     r"praksisperioden slutter (\1) før den starter (\2)"),
    (r"^the practice period ends \((\S+)\) after the event date \((\S+)\).*$",
     r"praksisperioden slutter (\1) etter hendelsesdatoen (\2); bare praksis som er utført, godkjennes"),
    (r"^'(.*)' is needed to credit practice$", r"«\1» må fylles ut for å godkjenne praksis"),
    (r"^'(.*)' is needed to count '(.*)'$", r"«\1» må fylles ut for å telle «\2»"),
    (r"^'(.*)' cannot be counted: (.*)$", r"«\1» kan ikke telles: \2"),
    (r"^the deadline '(.*)' is not breached on (\S+)$", r"fristen «\1» er ikke brutt \2"),
    (r"^the breach of '(.*)' has been acted on already$", r"bruddet på fristen «\1» er allerede fulgt opp"),
    (r"^'(.*)' is not a number$", r"«\1» er ikke et tall"),
    (r"^'(.*)' is not yes or no \(ja/nei\)$", r"«\1» er ikke ja eller nei"),
    (r"^'(.*)' is not a CEFR level \(A1, A2, B1, B2, C1, C2\)$", r"«\1» er ikke et nivå (A1, A2, B1, B2, C1, C2)"),
    (r"^'(.*)' is not one of: (.*)$", r"«\1» er ikke blant valgene: \2"),
    (r"^'(.*)' is required for '(.*)'$", r"«\1» må fylles ut for «\2»"),
    (r"^'(.*)' has no field '(.*)'(.*)$", r"«\1» har ikke feltet «\2»"),
    (r"^(\S+) is above the maximum (\S+)$", r"\1 er over høyeste tillatte verdi \2"),
    (r"^(\S+) is below the minimum (\S+)$", r"\1 er under laveste tillatte verdi \2"),
    (r"^the text is (\d+) characters; the limit is (\d+)$", r"teksten har \1 tegn; grensen er \2"),
    (r"^the event date (\S+) is after today \((\S+)\); record what has happened$",
     r"datoen \1 er etter i dag (\2); registrer det som har skjedd"),
    (r"^the event date (\S+) is before the case's last event \((\S+)\).*$",
     r"datoen \1 er før sakens siste hendelse (\2); hendelser registreres i rekkefølge"),
    (r"^unknown event '(.*)' on pathway '(.*)'.*$", r"ukjent hendelse «\1» i løpet «\2»"),
    (r"^the case is not in step '(.*)'$", r"saken er ikke i steget «\1»"),
    (r"^'(.*)' cannot be recorded in the current step \((.*)\)$",
     r"«\1» kan ikke registreres i steget saken er i (\2)"),
    (r"^'(.*)' is not allowed now(: .*)?$", r"«\1» er ikke tillatt nå\2"),
    (r"^the case has ended \((\S+) on (\S+)\); nothing more can be recorded$",
     r"saken er avsluttet (\1 \2); ingenting mer kan registreres"),
    (r"^the case is paused \(permisjon\);.*$", "saken har permisjon; gjenoppta den først"),
    (r"^the case is stopped;.*$", "saken er midlertidig stanset; gjenoppta den først"),
    (r"^only a paused or stopped case can be resumed$", "bare en sak med permisjon eller stans kan gjenopptas"),
    (r"^the participant does not meet the eligibility rules(: .*)?$", r"deltakeren oppfyller ikke opptakskravene\1"),
    (r"^at most (\d+) modules may run at once; (\d+) are running$", r"høyst \1 moduler samtidig; \2 er i gang"),
    (r"^module '(.*)' is already (started|completed)$", r"modulen «\1» er allerede påbegynt eller fullført"),
    (r"^case (\d+) was changed by someone else.*$",
     r"sak \1 ble endret av noen andre i mellomtiden; last siden på nytt og prøv igjen"),
    (r"^participant (\d+) was changed by someone else.*$",
     r"deltaker \1 ble endret av noen andre i mellomtiden; last siden på nytt og prøv igjen"),
    (r"^no case (\d+)$", r"fant ingen sak \1"),
    (r"^no participant (\d+)$", r"fant ingen deltaker \1"),
    (r"^no flag (\d+)$", r"fant ikke flagg \1"),
    (r"^no published pathway '(.*)'$", r"løpet «\1» er ikke publisert"),
    (r"^the date (\S+) is not between (\S+) and (\S+)$", r"datoen \1 er ikke mellom \2 og \3"),
    (r"^the text contains a NUL character or an unpaired surrogate.*$",
     "teksten inneholder et NUL-tegn eller et ugyldig Unicode-tegn; fjern det"),
    (r"^(\d+) dependants is more than the limit (\d+)$", r"\1 forsørgede er mer enn grensen \2"),
    (r"^the kommune name is longer than 100 characters$", "kommunenavnet er lengre enn 100 tegn"),
    (r"^the same name and birth date as line (\d+)$", r"samme navn og fødselsdato som linje \1"),
    (r"^not CSV: (.*)$", r"ikke CSV: \1"),
    (r"^a name is required$", "navn må fylles ut"),
    (r"^a kommune is required$", "kommune må fylles ut"),
    (r"^the name is longer than 200 characters$", "navnet er lengre enn 200 tegn"),
    (r"^the settlement date is before the birth date$", "bosettingsdatoen er før fødselsdatoen"),
    (r"^unknown field '(.*)' \(fields: (.*)\)$", r"ukjent felt «\1» (felter: \2)"),
    (r"^say how the flag was resolved$", "skriv hvordan flagget ble løst"),
    (r"^the comment is longer than 500 characters$", "kommentaren er lengre enn 500 tegn"),
    (r"^flag (\d+) is already resolved \((.*)\)$", r"flagg \1 er allerede løst (\2)"),
    (r"^snooze until a later date than today \((\S+)\)$", r"utsett til en dato etter i dag (\1)"),
    (r"^the start date (\S+) is more than a year ahead$", r"startdatoen \1 er mer enn ett år fram i tid"),
    (r"^the period ends \((\S+)\) before it starts \((\S+)\)$", r"perioden slutter (\1) før den starter (\2)"),
    (r"^(.*) is larger than ([\d,]+) bytes$", r"filen er større enn \2 byte"),
    (r"^(.*) is not UTF-8 text; save it as UTF-8 CSV$", "filen er ikke UTF-8-tekst; lagre den som UTF-8 CSV"),
    (r"^column missing from the header$", "kolonnen mangler i overskriftsraden"),
    (r"^unknown column \(columns: (.*)\)$", r"ukjent kolonne (kolonner: \1)"),
    (r"^more values than columns$", "flere verdier enn kolonner"),
    (r"^the file has a header but no participants$", "filen har overskrifter, men ingen deltakere"),
    # the import's reading of CSV and Excel files (pathways.services.tabular)
    (r"^'(.*)' is not a date \(write 31.12.1990 or 1990-12-31\)$",
     r"«\1» er ikke en dato (skriv 31.12.1990 eller 1990-12-31)"),
    (r"^'(.*)' is not a date in the calendar$", r"«\1» er ikke en dato som finnes"),
    (r"^(.*) is an old Excel file \(\.xls\); save it as \.xlsx or CSV$",
     "filen er i det gamle Excel-formatet (.xls); lagre den som .xlsx eller CSV"),
    (r"^(.*) is not an Excel file \(\.xlsx\) that can be read$", "filen er ikke en Excel-fil (.xlsx) som kan leses"),
    (r"^(.*) is too large an Excel file .*$", "Excel-filen er for stor pakket ut; lagre den som CSV"),
    (r"^(.*) has more than ([\d,]+) rows, the limit for an Excel file; split it or save it as CSV$",
     r"Excel-filen har flere enn \2 rader, grensen for Excel-filer; del den opp eller lagre den som CSV"),
    (r"^(.*) is neither UTF-8 nor Windows-1252 text; save it as UTF-8 CSV$",
     "filen er verken UTF-8 eller Windows-1252; lagre den som «CSV UTF-8»"),
    (r"^the column (\S+) appears twice$", r"kolonnen \1 står to ganger"),
    (r"^the file is empty; the first line names the columns$", "filen er tom; første linje skal ha kolonnenavnene"),
    (r"^the uploaded file is no longer kept; upload it again$", "filen er ikke lenger lagret; last den opp på nytt"),
    (r"^'(.*)' is not your kommune \((.*)\)$", r"«\1» er ikke din kommune (\2)"),
    (r"^your role gives no access to cases$", "rollen din gir ikke tilgang til saker"),
    (r"^your role may read cases but not change them$", "rollen din kan se saker, men ikke endre dem"),
    (r"^only an administrator may do this$", "bare administrator kan gjøre dette"),
    (r"^Input should be a valid date.*\(got (.*)\)$", r"\1 er ikke en gyldig dato (skriv ÅÅÅÅ-MM-DD)"),
    (r"^Input should be a valid (integer|number).*\(got (.*)\)$", r"\2 er ikke et tall"),
    (r"^Input should be a valid boolean.*\(got (.*)\)$", r"\1 er ikke ja eller nei"),
    (r"^Input should be (.*) \(got (.*)\)$", r"\2 er ikke gyldig: må være \1"),
    (r"^Field required.*$", "må fylles ut"),
    (r"^write a change note: what changed and why$", "skriv et endringsnotat: hva er endret og hvorfor"),
    (r"^the change note is longer than (\d+) characters$", r"endringsnotatet er lengre enn \1 tegn"),
    (r"^'(.*)' has been published as version (\d+) since you started from version (\d+).*$",
     r"«\1» er publisert som versjon \2 etter at du startet fra versjon \3; åpne den nyeste versjonen og gjør "
     r"endringen der"),
    (r"^someone else published version (\d+) of '(.*)' at the same time.*$",
     r"noen andre publiserte versjon \1 av «\2» samtidig; åpne den nyeste versjonen og gjør endringen der"),
    (r"^version (\d+) of '(.*)' is already published; a change is a new version: set 'version: (\d+)'$",
     r"versjon \1 av «\2» er allerede publisert; en endring er en ny versjon: sett «version: \3»"),
    (r"^'(.*)' is at version (\d+): the next version is (\d+), not (\d+)$",
     r"«\1» er på versjon \2: neste versjon er \3, ikke \4"),
    (r"^this document is already published as (.*)$", r"dokumentet er allerede publisert som \1"),
    (r"^the document's id is '(.*)', not '(.*)'$", r"dokumentets id er «\1», ikke «\2»"),
    (r"^maps '(.*)' to '(.*)', which (\S+) does not have$", r"«\1» flyttes til «\2», som \3 ikke har"),
    (r"^maps from '(.*)', which (\S+) does not have$", r"flytter fra «\1», som \2 ikke har"),
    (r"^it is in '(.*)', which (\S+) does not have and the mapping does not send anywhere$",
     r"saken er i «\1», som \2 ikke har, og det er ikke valgt hvor den skal"),
    (r"^the case changed while migrating; run the migration again$",
     "saken ble endret under flyttingen; kjør flyttingen på nytt"),
]]
_RESULT_WORDS = {"false": "oppfylt ikke", "unknown": "mangler verdi"}


def norsk(message: str) -> str:
    """The message in bokmål where a pattern knows it, else unchanged."""
    text = str(message)
    for pattern, replacement in _PATTERNS:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text


def field_word(name: str | None) -> str | None:
    return FIELD_WORDS.get(name or "", name)
