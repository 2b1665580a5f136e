"""What each step means, in words a child understands: per language and age band.

Under-12s get the shortest sentences. Languages without their own text yet fall back to
English (Arabic, Russian and Chinese are to be written by native speakers, not machine-made).
"""

from __future__ import annotations

YOUNG_BANDS = frozenset({"under_8", "8_11"})

# step -> language -> (for younger children, for older children and adults)
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "acknowledged": {
        "en": (
            "We got your message. A person will look at it.",
            "We have received your complaint and a case worker will look at it.",
        ),
        "fr": (
            "Nous avons reçu ton message. Une personne va le lire.",
            "Nous avons reçu ta plainte et un travailleur social va l'examiner.",
        ),
        "es": (
            "Recibimos tu mensaje. Una persona lo va a leer.",
            "Recibimos tu queja y una persona encargada la va a revisar.",
        ),
    },
    "admissibility_review": {
        "en": (
            "We are checking if we can help with this.",
            "We are checking whether your complaint is something we can take on.",
        ),
        "fr": (
            "Nous regardons si nous pouvons t'aider.",
            "Nous vérifions si ta plainte est quelque chose que nous pouvons traiter.",
        ),
        "es": (
            "Estamos viendo si podemos ayudarte con esto.",
            "Estamos revisando si tu queja es algo que podemos tratar.",
        ),
    },
    "inadmissible": {
        "en": (
            "We cannot take this on. We will tell you why and who else can help.",
            "We cannot take your complaint on. We will explain why and who else can help.",
        ),
    },
    "admissible": {
        "en": (
            "We can help with this. We will work on it.",
            "Your complaint can go ahead. We will now look into it.",
        ),
    },
    "transmitted": {
        "en": (
            "We asked the people responsible to answer.",
            "We have asked the people or body responsible to answer your complaint.",
        ),
    },
    "friendly_settlement": {
        "en": (
            "We are trying to fix this together with the people responsible.",
            "We are trying to reach an agreement with those responsible that puts things right.",
        ),
    },
    "examination": {
        "en": (
            "We are looking carefully at what happened.",
            "We are examining what happened and what those responsible said.",
        ),
    },
    "decision": {
        "en": (
            "We have decided. We will tell you what we found.",
            "We have reached a decision. We will tell you what we found and what must change.",
        ),
    },
    "follow_up": {
        "en": (
            "We are checking that things get better.",
            "We are checking that those responsible do what we asked.",
        ),
    },
    "closed": {
        "en": (
            "Your case is finished. You can still write to us.",
            "Your case is closed. You can still contact us if something happens again.",
        ),
    },
    "withdrawn": {
        "en": (
            "You stopped your complaint. That is okay.",
            "Your complaint was withdrawn. You can come back to us at any time.",
        ),
    },
}


def explain(step: str, language: str | None, age_band: str | None) -> str | None:
    """The child-friendly text for `step` in `language` for `age_band`; None if none exists."""
    texts = TEXTS.get(step)
    if texts is None:
        return None
    young, older = texts.get(language or "en") or texts["en"]
    return young if age_band in YOUNG_BANDS else older
