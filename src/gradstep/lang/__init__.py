"""The words of the report, the figures and ``gradstep reproduce``, in English and in Chinese.

One catalogue per language (``en``, ``zh``), each a plain mapping from a key to a template for
``str.format``: ``t = Text("zh")``, then ``t("linear.title")`` or ``t("common.goes", path="0.46 → 0.45")``. Both catalogues
have the same keys and, for each key, the same placeholders (tests/test_lang.py holds this); the Chinese
one uses the book's terms (模型偏差, 批量, 回合, 过拟合, 激活函数, 平均绝对误差).
"""

from __future__ import annotations

from . import en, figures, overfitting, playground, zh

LANGUAGES = ("en", "zh")
NAMES = {"en": "English", "zh": "中文"}
CATALOGUE = {lang: {**strings.STRINGS, **figures.FIGURES[lang], **playground.PLAYGROUND[lang],
                   **overfitting.OVERFITTING[lang]}
             for lang, strings in (("en", en), ("zh", zh))}


class Text:
    """``text(key, **values)``: the ``lang`` template of ``key`` filled with ``values``."""

    def __init__(self, lang: str = "en"):
        if lang not in LANGUAGES:
            raise ValueError(f"lang={lang!r} is not a language of the report; choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self.strings = CATALOGUE[lang]

    def __call__(self, key: str, **values) -> str:
        return self.strings[key].format(**values)

    def __repr__(self) -> str:
        return f"Text({self.lang!r})"
