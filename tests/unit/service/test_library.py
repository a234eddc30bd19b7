"""The library's file names: an uploaded name is made safe before it reaches the corpus."""

from __future__ import annotations

from assistant.service.library import safe_name


def test_file_names_are_sanitised():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\windows\\evil.PDF") == "evil.pdf"
    assert safe_name("雁塔区 措施（2025）.docx") == "雁塔区_措施_2025.docx"
    assert safe_name("....pdf") == "document.pdf"
