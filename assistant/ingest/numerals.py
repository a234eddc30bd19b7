"""Chinese numerals: "十八" → 18, "两" → 2, "八千七百" → 8700, "半" → 0.5.

One converter for every fact type. (cn2an does not fit: it reads "一二" as 12 where a clause means
2, "百" as an error where 100 is meant, and raises on strings the patterns below can match.)
"""

from __future__ import annotations

import re

# the digits as a regex character class's members, and their values
CN_DIGITS = "零一二两三四五六七八九"
DIGIT_VALUES = {ch: (2 if ch == "两" else "零一二三四五六七八九".index(ch)) for ch in CN_DIGITS}
# a Chinese number of one or more characters, as matched in text ("十八", "两百", "三万五千")
CN_NUM = r"[一二两三四五六七八九十][零一二两三四五六七八九十百千万]*"
# an Arabic or a short Chinese number, as one capturing group ("1.5", "三", "半")
NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十半]{1,3})"

_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_POWERS = {"十": 10, "百": 100, "千": 1000}
_FRACTION_DIGITS = {**DIGIT_VALUES, "十": 10, "半": 0}  # the digits after 点, as they have always been read


def cn_number(text: str) -> float:
    """"32" → 32, "十八" → 18, "两" → 2, "八千七百" → 8700, "半" → 0.5; 0 for what is not a number."""
    text = text.strip().replace(",", "")
    if _ARABIC.fullmatch(text):
        return float(text)
    if text == "半":
        return 0.5
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in DIGIT_VALUES:
            digit = DIGIT_VALUES[ch]
        elif ch in _POWERS:
            section += (digit or 1) * _POWERS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            return 0.0
    return float(total + section + digit)


def cn_decimal(text: str) -> str:
    """A number with a 点 as written in "百分之三点五": "三点五" → "3.5", "十二" → "12"."""
    whole, dot, frac = text.partition("点")
    value = cn_number(whole)
    head = str(int(value)) if value == int(value) else str(value)
    return head + "." + "".join(str(_FRACTION_DIGITS[c]) for c in frac if c in _FRACTION_DIGITS) if dot else head
