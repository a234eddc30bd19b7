import pytest

from assistant.ingest.numerals import cn_decimal, cn_number


@pytest.mark.parametrize(("text", "value"), [
    ("32", 32), ("1.5", 1.5), ("1,200", 1200), ("十八", 18), ("两", 2), ("二十", 20), ("一百零五", 105),
    ("八千七百", 8700), ("三万五千", 35000), ("半", 0.5), ("百", 100), ("一二", 2), ("三个", 0),
])
def test_cn_number(text: str, value: float) -> None:
    assert cn_number(text) == value


@pytest.mark.parametrize(("text", "value"), [("三十", "30"), ("三点五", "3.5"), ("十二点零五", "12.05")])
def test_cn_decimal(text: str, value: str) -> None:
    assert cn_decimal(text) == value
