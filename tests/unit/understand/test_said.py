"""What was said before it is read: relay words, small talk, homophones; and when a question in a
conversation stands alone. Inline texts and a tiny region tree; no index."""

from __future__ import annotations

import pytest

from assistant.ingest.manifest import Manifest, Region
from assistant.lexicon.concepts import Concept, Concepts
from assistant.lexicon.tokenize import Glossary, Tokenizer
from assistant.understand.conversation import Context, FollowUpResolver
from assistant.understand.regions import Places
from assistant.understand.said import Homophones, Listener, small_talk, without_relay

MANIFEST = Manifest((), (
    Region("陕西", "", ("陕西省",)), Region("西安", "陕西", ("西安市",)), Region("宝鸡", "陕西", ()),
    Region("渭滨区", "宝鸡", ("渭滨",)),
))


@pytest.mark.parametrize(("said", "asked"), [
    ("来电人问：企业开办要多久？", "企业开办要多久？"),
    ("他又问那渭滨区呢", "那渭滨区呢"),
    ("对方还想知道牵头单位是谁", "牵头单位是谁"),
    ("群众来电反映窗口办不了事", "窗口办不了事"),
    ("来电市民咨询，公积金怎么提取", "公积金怎么提取"),
    ("企业问题反映渠道有哪些", "企业问题反映渠道有哪些"),  # 问题 is no relay
    ("他说明天再来", "他说明天再来"),
    ("来电人问", "来电人问"),  # nothing after it: kept as said
])
def test_relay_words_are_not_part_of_the_question(said, asked):
    assert without_relay(said) == asked


@pytest.mark.parametrize(("message", "kind"), [
    ("谢谢", "thanks"), ("好的，谢谢！", "thanks"), ("你好", "greeting"), ("您好，在吗？", "greeting"),
    ("再见", "farewell"), ("没有了，谢谢", "farewell"), ("今天天气怎么样？", "chat"), ("你是机器人吗", "chat"),
    ("你好，开办企业要多久？", ""), ("天气好的时候能开工吗", ""), ("谢谢，那渭滨区呢？", ""), ("？？", ""),
])
def test_small_talk_is_told_apart_from_questions(message, kind):
    assert small_talk(message) == kind


def test_homophones_of_places_and_terms_are_read_as_the_word_meant():
    words = {"期限", "西安", "公式", "工时"}
    h = Homophones(["西安", "宝鸡", "抵押", "营业执照", "渭滨区", "公示"], is_word=words.__contains__)
    assert h.correct("西按开办企业要多久") == ("西安开办企业要多久", (("西按", "西安"),))
    assert h.correct("宝基抵压登记要几天")[1] == (("宝基", "宝鸡"), ("抵压", "抵押"))
    assert h.correct("营业执找怎么办")[0] == "营业执照怎么办"
    assert h.correct("工时怎么算") == ("工时怎么算", ())  # a word of its own is not a typo
    assert h.correct("西安") == ("西安", ())
    # every character changed is a different word, not a typo; two terms with one sound: neither
    assert Homophones(["抵押"], lambda w: False).correct("地鸭") == ("地鸭", ())
    assert Homophones(["公示", "公式"], lambda w: False).correct("攻势") == ("攻势", ())


def test_the_listener_reads_small_talk_before_homophones():
    listener = Listener(Homophones(["西安"], lambda w: False))
    assert listener.hear("来电人问：谢谢").small_talk == "thanks"
    heard = listener.hear("他又问西按开公司要几天")
    assert heard.text == "西安开公司要几天" and heard.corrected == (("西按", "西安"),)


@pytest.fixture(scope="module")
def resolver() -> FollowUpResolver:
    concepts = Concepts((Concept.of("社保", ("社保", "社会保险")), Concept.of("企业开办", ("企业开办", "开办企业"))))
    known = {"开办", "企业", "登记", "社保", "公示", "备案", "材料"}
    return FollowUpResolver(Places(MANIFEST), ["企业开办"], Tokenizer(), Glossary({}), concepts,
                            known=lambda w: w in known)


@pytest.mark.parametrize(("question", "follow_up"), [
    ("那渭滨区呢？", "region"),
    ("那社保呢？", "topic"),
    ("这个哪个部门牵头？", "clause"),
    ("牵头单位是谁？", "clause"),
    ("公示几天？", "context"),
    ("社保怎么交？", ""),  # its own subject: stands alone
    ("离婚登记怎么办？", ""),  # a matter the documents never name
])
def test_only_elliptical_questions_lean_on_the_conversation(resolver, question, follow_up):
    resolved = resolver.resolve(question, Context("西安开办企业要多久？"))
    assert resolved.follow_up == follow_up
    if not follow_up:
        assert resolved.question == question


def test_a_homophone_never_cuts_a_word_or_swallows_the_next_one():
    words = {"几个", "方案", "西安"}

    def cut(text: str) -> list[tuple[str, int, int]]:
        out, i = [], 0
        while i < len(text):
            size = next((n for n in (2,) if text[i : i + n] in words), 1)
            out.append((text[i : i + size], i, i + size))
            i += size
        return out

    h = Homophones(["各方", "西安市"], words.__contains__, cut)
    assert h.correct("几个方案") == ("几个方案", ())  # 个方 would cut 几个 and 方案
    assert h.correct("西安是怎么安排的") == ("西安是怎么安排的", ())  # 西安 and 是, not 西安市
    assert h.correct("西按市怎么安排的")[0] == "西安市怎么安排的"


def test_a_place_elsewhere_that_sounds_like_a_place_of_the_corpus_is_read_as_it():
    dictionary = {"卫滨区"}  # a district of another province: a word, but not of these documents
    h = Homophones([], dictionary.__contains__, places=["渭滨区"], in_corpus=lambda w: False)
    assert h.correct("卫滨区小微企业用电") == ("渭滨区小微企业用电", (("卫滨区", "渭滨区"),))
    used = Homophones([], dictionary.__contains__, places=["渭滨区"], in_corpus=dictionary.__contains__)
    assert used.correct("卫滨区小微企业用电")[1] == ()  # the documents speak of it: it is meant


def test_a_two_character_typo_of_a_common_corpus_word_is_read_as_it():
    from assistant.understand.said import Homophones
    words = {"公积金", "贷款", "买房", "用"}
    h = Homophones(["贷款", "公积金"], lambda w: w in words, toned=["贷款"])
    assert h.correct("用公积金代款买房") == ("用公积金贷款买房", (("代款", "贷款"),))
    assert h.correct("用公积金贷款买房")[1] == ()


def test_a_two_character_word_is_read_as_a_term_only_with_the_same_tones():
    from assistant.understand.said import Homophones
    h = Homophones(["权证", "贷款"], lambda w: w in {"权证", "贷款", "养狗"}, toned=["权证", "贷款"])
    assert h.correct("养狗要办犬证吗")[1] == ()
    assert h.correct("代款要多久")[1] == (("代款", "贷款"),)


def test_two_words_of_their_own_are_no_typo_of_a_common_word_but_a_place_needs_no_tones():
    from assistant.understand.said import Homophones

    def cut(text: str) -> list[tuple[str, int, int]]:  # one character a word, as jieba cuts 是/区 and 西/按
        return [(ch, i, i + 1) for i, ch in enumerate(text)]

    h = Homophones(["市区", "西安", "贷款"], lambda w: w in {"市区", "西安", "是", "区", "贷款"}, cut, places=["西安"],
                   toned=["市区", "西安", "贷款"], frequent=lambda ch: ch in {"是", "区"})
    assert h.correct("我们是区政务中心的")[1] == ()  # 是 + 区, two words the documents use often: not 市区
    # a typo is cut into single characters too, but rare ones: it is read as the word meant
    assert h.correct("公积金代款要多久")[1] == (("代款", "贷款"),)
    # a place is read for a stretch of the same sounds whatever its tones (按 an4, 安 an1)
    assert h.correct("在西按开公司")[1] == (("西按", "西安"),)
