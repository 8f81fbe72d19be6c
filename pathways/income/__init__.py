"""Income security (inntektssikring): livelihood periods, income-securing gaps and introduksjonsstønad.

A pure library: no database, no clock. Every function takes the dates it needs as arguments.

- :mod:`pathways.income.intervals` – sets of days as inclusive date ranges (on :mod:`portion`);
- :mod:`pathways.income.gaps` – income periods, gaps, social-assistance fallback, step mismatches;
- :mod:`pathways.income.grunnbelop` – the G table (folketrygdens grunnbeløp by date);
- :mod:`pathways.income.stonad` – the introduksjonsstønad rules.
"""
