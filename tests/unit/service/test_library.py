"""The library's file names: an uploaded name is made safe before it reaches the corpus."""

from __future__ import annotations

from assistant.service.library import safe_name


def test_file_names_are_sanitised():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\windows\\evil.PDF") == "evil.pdf"
    assert safe_name("雁塔区 措施（2025）.docx") == "雁塔区_措施_2025.docx"
    assert safe_name("....pdf") == "document.pdf"


def test_region_names_in_metadata_are_cleaned_and_other_fields_kept():
    from assistant.service.library import Metadata, check_metadata

    meta = check_metadata(Metadata(title="\u200b标题", region="\u200e西\u200b安\ufeff ", region_parent="\u2066陕西\u2069"))
    assert (meta.region, meta.region_parent) == ("西安", "陕西")
    assert meta.title == "\u200b标题"  # a title is quoted as given, not a name compared with others


def test_a_removed_source_owns_only_its_own_entries():
    from assistant.ingest.manifest import Manifest, SourceSpec
    from assistant.service.library import _own_entries

    xa = SourceSpec("xa.txt", "xa", "甲", "西安")
    compilation = SourceSpec("nw.txt", "nw", "汇编", "宁夏", split="dated_titles")
    plans = SourceSpec("jh.txt", "jh", "方案", "泾河新城", split="plan_titles")
    others = (SourceSpec("xa-2.txt", "xa-2", "乙", "西安"), SourceSpec("nw-1-01.txt", "nw-1-01", "丙", "宁夏"))
    manifest = Manifest((xa, compilation, plans, *others), ())
    keys = ["xa", "xa-2", "xa-2-01", "xa-p1", "nw", "nw-1-01", "nw-2-05", "nw-2", "jh", "jh-p1", "jh-p2-01", "jh-x"]
    assert _own_entries(xa, keys, manifest) == ["xa"]
    assert _own_entries(compilation, keys, manifest) == ["nw", "nw-2-05"]  # nw-1-01 is another source
    assert _own_entries(plans, keys, manifest) == ["jh", "jh-p1", "jh-p2-01"]


def test_an_id_of_a_source_or_of_a_document_split_from_one_is_taken():
    import pytest

    from assistant.errors import IdTaken
    from assistant.ingest.manifest import Manifest, SourceSpec
    from assistant.service.library import _check_free

    manifest = Manifest((SourceSpec("xa.txt", "xa", "甲", "西安"),
                         SourceSpec("jh.txt", "jh", "方案", "泾河新城", split="plan_titles"),
                         SourceSpec("nw.txt", "nw", "汇编", "宁夏", split="dated_titles")), ())
    for taken in ("xa", "jh", "jh-p3", "jh-p2-01", "nw-4-02", "up2024-abc"):
        with pytest.raises(IdTaken, match=f"document id {taken} is taken"):
            _check_free(taken, {"up2024-abc"}, manifest)
    for free in ("xa-2", "xa-p1", "jh-x", "nw-4", "nw2"):
        _check_free(free, {"up2024-abc"}, manifest)
