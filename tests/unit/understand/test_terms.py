"""Key terms of a question read against a small index of inline texts."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.bm25 import bm25_from_ids
from assistant.index.lexical import LexicalIndex
from assistant.lexicon.tokenize import Glossary, Tokenizer
from assistant.understand.terms import coverage, key_terms, quoted

TEXTS = [
    "不动产登记一般登记业务压缩至1个工作日办结。",
    "抵押登记和不动产登记实行全程网办。",
    "企业登记全程电子化，营业执照当日办结。",
    "推行智能秒批，符合条件的事项即时办结。",
    "智能审批系统上线运行。",
    "帮办代办服务覆盖全部政务服务事项。",
]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    tokenizer = Tokenizer()
    vocab: dict[str, int] = {}
    ids = [np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokenizer.document(text)), dtype=np.int32)
           for text in TEXTS]
    bm25 = bm25_from_ids(ids, vocab)
    bm25.vocab_dict = vocab
    return LexicalIndex(bm25, tokenizer, Glossary({}))


def test_a_quoted_name_is_one_term():
    assert quoted("宝鸡哪些事项可以“智能秒批”？") == ["智能秒批"]
    assert quoted("「一业一证」怎么办") == ["一业一证"]
    assert quoted("没有引号的问题") == []


def test_a_quoted_name_is_said_by_a_text_that_says_it_not_by_one_that_says_a_word_of_it(lexical):
    terms = key_terms("哪些事项可以“智能秒批”？", lexical)
    texts = [t.text for t in terms]
    assert "智能秒批" in texts and "智能" not in texts
    phrase = next(t for t in terms if t.text == "智能秒批")
    assert phrase.found_in("推行智能秒批，符合条件的事项即时办结。")
    assert not phrase.found_in("智能审批系统上线运行。")


def test_an_unknown_modifier_of_a_procedure_names_another_procedure(lexical):
    terms = key_terms("离婚登记怎么办", lexical)
    assert [t.text for t in terms][:2] == ["离婚", "登记"]
    # a clause that says only 登记 covers little of the question: it is not its answer
    assert coverage("不动产登记一般登记业务压缩至1个工作日办结。", terms) < 0.5


def test_a_known_modifier_or_a_modal_fragment_is_no_new_subject(lexical):
    assert "离婚" not in [t.text for t in key_terms("不动产登记要多久", lexical)]
    # 想办 is a modal glued to a verb, not a kind of 登记
    assert [t.text for t in key_terms("想办登记要多久", lexical)] == ["登记"]
    # an unknown verb before a word that is no procedure's head is left out as before
    assert "帮忙" not in [t.text for t in key_terms("有人帮忙代办吗", lexical)]


def test_a_modal_glued_to_the_word_before_it_is_no_subject():
    from assistant.understand.terms import _discount

    assert _discount("前要", df_rare=True) == 0.0  # 什么时候前要报: 前 + 要
    assert _discount("能办", df_rare=True) == 0.0
    assert _discount("需要", df_rare=False) > 0  # a word the documents use often is a word
    # a rare noun that happens to end in such a character is a subject (工会经费, 性别变更)
    assert _discount("工会", df_rare=True) == 1.0 and _discount("性别", df_rare=True) == 1.0


def test_a_quoted_term_is_marked_as_such(lexical):
    terms = {t.text: t for t in key_terms("哪些事项可以“智能秒批”？", lexical)}
    assert terms["智能秒批"].quoted and not terms["事项"].quoted
