"""What each step means, in words a child understands: per language and age band.

Under-12s get the shortest sentences where a language has two texts; otherwise one plain
sentence serves every age. The texts other than English are the engineers' own and must be
reviewed by native speakers who work with children before launch; a step or language without
a text falls back to English.
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


# step -> language -> one plain sentence for every age band
SIMPLE: dict[str, dict[str, str]] = {
    "acknowledged": {
        "ar": "وصلتنا رسالتك. سيقرأها شخص منّا.",
        "ru": "Мы получили твоё сообщение. Его прочитает сотрудник.",
        "zh": "我们收到了你的消息。会有工作人员阅读它。",
    },
    "admissibility_review": {
        "ar": "نتحقق إن كنا نستطيع مساعدتك في هذا.",
        "ru": "Мы проверяем, можем ли мы помочь с этим.",
        "zh": "我们正在看能不能帮你处理这件事。",
    },
    "inadmissible": {
        "fr": (
            "Nous ne pouvons pas traiter ta plainte. "
            "Nous t'expliquerons pourquoi et qui peut t'aider."
        ),
        "es": "No podemos tratar tu queja. Te explicaremos por qué y quién puede ayudarte.",
        "ar": "لا نستطيع النظر في شكواك. سنشرح لك السبب ومن يمكنه مساعدتك.",
        "ru": "Мы не можем рассмотреть твою жалобу. Мы объясним почему и кто может помочь.",
        "zh": "我们不能处理你的投诉。我们会告诉你原因，以及谁可以帮助你。",
    },
    "admissible": {
        "fr": "Ta plainte peut avancer. Nous allons nous en occuper.",
        "es": "Tu queja puede seguir adelante. Vamos a ocuparnos de ella.",
        "ar": "يمكن متابعة شكواك. سنعمل عليها الآن.",
        "ru": "Твоя жалоба принята. Теперь мы ею занимаемся.",
        "zh": "你的投诉可以继续处理。我们现在开始处理它。",
    },
    "transmitted": {
        "fr": "Nous avons demandé aux responsables de répondre.",
        "es": "Pedimos a los responsables que respondan.",
        "ar": "طلبنا من المسؤولين أن يردّوا.",
        "ru": "Мы попросили ответственных ответить.",
        "zh": "我们已经请负责的人作出答复。",
    },
    "friendly_settlement": {
        "fr": "Nous essayons d'arranger les choses avec les responsables.",
        "es": "Estamos intentando arreglar esto con los responsables.",
        "ar": "نحاول إصلاح الأمر مع المسؤولين.",
        "ru": "Мы пытаемся договориться с ответственными, чтобы всё исправить.",
        "zh": "我们正在和负责的人一起设法解决这件事。",
    },
    "examination": {
        "fr": "Nous regardons attentivement ce qui s'est passé.",
        "es": "Estamos mirando con cuidado lo que pasó.",
        "ar": "ننظر بعناية فيما حدث.",
        "ru": "Мы внимательно разбираемся в том, что произошло.",
        "zh": "我们正在仔细了解发生了什么。",
    },
    "decision": {
        "fr": "Nous avons décidé. Nous te dirons ce que nous avons trouvé.",
        "es": "Ya decidimos. Te diremos lo que encontramos.",
        "ar": "اتخذنا قرارًا. سنخبرك بما وجدناه.",
        "ru": "Мы приняли решение. Мы расскажем тебе, что мы выяснили.",
        "zh": "我们已经作出决定。我们会告诉你我们的发现。",
    },
    "follow_up": {
        "fr": "Nous vérifions que les choses s'améliorent.",
        "es": "Estamos comprobando que las cosas mejoren.",
        "ar": "نتأكد من أن الأمور تتحسن.",
        "ru": "Мы следим, чтобы всё стало лучше.",
        "zh": "我们在确认情况有所改善。",
    },
    "closed": {
        "fr": "Ton dossier est terminé. Tu peux toujours nous écrire.",
        "es": "Tu caso terminó. Puedes seguir escribiéndonos.",
        "ar": "انتهت قضيتك. يمكنك دائمًا أن تكتب لنا.",
        "ru": "Твоё дело закрыто. Ты всегда можешь написать нам.",
        "zh": "你的案件已经结束。你随时可以再给我们写信。",
    },
    "withdrawn": {
        "fr": "Tu as arrêté ta plainte. Ce n'est pas grave, tu peux revenir quand tu veux.",
        "es": "Detuviste tu queja. Está bien, puedes volver cuando quieras.",
        "ar": "لقد أوقفت شكواك. لا بأس، يمكنك العودة متى شئت.",
        "ru": "Ты отозвал(а) жалобу. Это нормально, ты можешь вернуться в любое время.",
        "zh": "你撤回了投诉。没关系，你随时可以回来找我们。",
    },
}


# The message that asks to hear the child directly (a suspected manipulation, OPIC art. 3(2)).
HEAR_DIRECTLY = {
    "en": "We would like to hear from you yourself about your complaint. You can write to us "
    "here, or ask us to call you at a time that is safe for you.",
    "fr": "Nous aimerions que tu nous parles toi-même de ta plainte. Tu peux nous écrire ici, "
    "ou nous demander de t'appeler à un moment où tu es en sécurité.",
    "es": "Nos gustaría que tú mismo o tú misma nos contaras sobre tu queja. Puedes escribirnos "
    "aquí, o pedirnos que te llamemos en un momento en que estés seguro o segura.",
    "ar": "نود أن نسمع منك أنت عن شكواك. يمكنك أن تكتب لنا هنا، "
    "أو أن تطلب منا الاتصال بك في وقت تكون فيه بأمان.",
    "ru": "Мы хотели бы услышать о твоей жалобе от тебя самого или самой. Ты можешь написать "
    "нам здесь или попросить позвонить тебе, когда тебе безопасно говорить.",
    "zh": "我们想听你亲自告诉我们关于你的投诉。你可以在这里给我们写信，"
    "也可以请我们在你安全的时候给你打电话。",
}


def hear_directly(language: str | None) -> str:
    """The message asking the child to speak to us themselves, in `language` if we have it."""
    return HEAR_DIRECTLY.get(language or "en", HEAR_DIRECTLY["en"])


def explain(step: str, language: str | None, age_band: str | None) -> str | None:
    """The child-friendly text for `step` in `language` for `age_band`; None if none exists."""
    texts = TEXTS.get(step)
    if texts is None:
        return None
    pair = texts.get(language or "en")
    if pair is None and language in SIMPLE.get(step, {}):
        return SIMPLE[step][language]
    young, older = pair or texts["en"]
    return young if age_band in YOUNG_BANDS else older
