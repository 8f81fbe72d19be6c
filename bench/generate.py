"""A generated large pathway for benchmarks: ``steps`` steps, with a parallel step of three regions
every ``block`` steps, decisions with guards, retake loops, deadlines and follow-ups."""

from __future__ import annotations


def large_pathway(steps: int = 500, block: int = 50) -> str:
    lines = [
        "id: stor", "version: 1", "title: Stor generert kvalifisering",
        "sources: [{seed: generated, lines: '1'}]",
        "fields:", "  resultat: {type: enum, title: Resultat, values: [bestatt, ikke_bestatt]}",
        "  timer: {type: number, title: Timer, min: 0}",
        "  planlagt_slutt: {type: date, title: Planlagt slutt}",
        "counters:", "  praksistimer: {title: Praksistimer}",
        "events:", "  vurdert: {title: Vurdert, fields: [resultat]}",
        "  logget: {title: Logget, fields: [timer]}", "  plan: {title: Plan, fields: [planlagt_slutt]}",
        "livelihood: [introduksjonsstonad]",
        "lifecycle: {discontinue: avbrutt, pause: {reasons: [sykdom]}}",
        "start: s0", "steps:",
    ]
    made = 0
    deadlines, followups = [], []
    index = 0
    while made < steps - 2:
        sid, nxt = f"s{index}", f"s{index + 1}"
        if index % block == block - 1:
            lines += [f"  - id: {sid}", "    kind: parallel", f"    title: Parallell blokk {index}", f"    next: {nxt}",
                      "    regions:"]
            made += 1
            for region in range(3):
                lines += [f"      - id: r{index}_{region}", f"        title: Region {region}",
                          f"        start: r{index}_{region}_0", "        steps:"]
                for inner in range(5):
                    rid = f"r{index}_{region}_{inner}"
                    tail = "final: true" if inner == 4 else f"next: r{index}_{region}_{inner + 1}"
                    lines.append(f"          - {{id: {rid}, kind: activity, title: Aktivitet {rid}, "
                                 f"duration: {{expected: P1M, max: P2M}}, {tail}}}")
                    made += 1
        elif index % 7 == 3:
            lines += [f"  - id: {sid}", "    kind: decision", f"    title: Vurdering {index}", "    on:",
                      f"      - {{event: vurdert, to: {nxt}, "
                      "guard: \"resultat == 'bestatt' and norwegian_oral >= B1\"}",
                      f"      - {{event: vurdert, to: {sid}, guard: \"resultat == 'ikke_bestatt'\"}}",
                      "      - {event: logget, effects: [{counter: praksistimer, add: timer}]}"]
            made += 1
        else:
            lines.append(f"  - {{id: {sid}, kind: activity, title: Steg {index} i løpet, owner: veileder, "
                         f"duration: {{expected: P2W, max: P1M}}, next: {nxt}}}")
            made += 1
            if index % 10 == 0:
                deadlines.append(f"  - {{id: frist_{index}, title: Frist {index}, anchor: 'step:{sid}', "
                                 f"offset: P10D, days: working, while_in: [{sid}]}}")
                followups.append(f"  - {{id: oppf_{index}, title: Oppfølging {index}, every: P1M, "
                                 f"while_in: [{sid}], done_by: [logget]}}")
        index += 1
    lines += [f"  - {{id: s{index}, kind: outcome, outcome: work, title: I arbeid}}",
              "  - {id: avbrutt, kind: outcome, outcome: discontinued, title: Avbrutt}"]
    return "\n".join([*lines, "deadlines:", *deadlines, "followups:", *followups]) + "\n"
