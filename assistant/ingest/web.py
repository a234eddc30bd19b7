"""A saved web page (.html / .htm) → the article's text in the corpus's convention.

The article is found with trafilatura (precision first; its recall mode when precision finds no
Chinese text), so navigation, share bars and footers stay out; its tables come as tab-separated
rows. What the page states about the document goes on the first lines, as a printed document
carries it: the title, the 文号 (the page's "发文字号" field, when the article does not quote it)
and the date in brackets ("（2020年2月3日）": the page's 成文日期, else its 发布日期, else the
date of its <meta name="PubDate">), so `metadata.py` reads them as from any other file. Web furniture that is
left ("扫一扫在手机打开当前页" …) is dropped later with every other text (`oneline.py`).

Parsing is offline and bounded: the page is parsed once by lxml's HTML parser with no network
and no entity loading, from at most `MAX_HTML_BYTES`; scripts, styles and comments are removed
before anything is read.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.errors import UnreadableDocument, UploadTooLarge
from assistant.lexicon.patterns import doc_number_group

log = logging.getLogger(__name__)

MAX_HTML_BYTES = 10 * 1024 * 1024
_LOOKS_HTML = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL)
_DOC_NUMBER = re.compile(doc_number_group(loose=True))
_LABEL_END = r"\s*[\]】］]?\s*[：:]?\s*"
_NUMBER_FIELD = re.compile(r"(?:发文字号|文\s*号)" + _LABEL_END + doc_number_group(loose=True))
_DATE = r"((?:19|20)\d\d)\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})"
_DATE_FIELDS = tuple(re.compile(label + _LABEL_END + _DATE)
                     for label in ("成文日期", "印发日期", "发文日期", "发布日期", "发布时间", "公开日期"))
# The publication date a page's head states (trafilatura's own guess is not used: it dates a
# page by any year it finds).
_META_DATES = ("//meta[@name='PubDate' or @name='pubdate' or @name='publishdate' or @name='PublishDate'"
               " or @name='firstpublishedtime' or @property='article:published_time']/@content")
_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s).*$")


def looks_like_html(text: str) -> bool:
    """Whether a text is a web page: it opens with a doctype or an <html>/<head>/<body> tag."""
    return bool(_LOOKS_HTML.match(text[:4096]))


def _iso(m: re.Match[str]) -> tuple[int, int, int] | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return (year, month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def page_facts(page_text: str) -> tuple[str, tuple[int, int, int] | None]:
    """The 文号 and the date a page's fields state ("[发文字号] 京政办发〔2020〕7号", "成文日期：…")."""
    m = _NUMBER_FIELD.search(page_text)
    number = re.sub(r"\s+", "", m.group(1)) if m else ""
    for pattern in _DATE_FIELDS:
        d = pattern.search(page_text)
        if d and _iso(d):
            return number, _iso(d)
    return number, None


def _title(raw: str) -> str:
    """A page title without the site's name after it ("…的通知_政策文件_首都之窗")."""
    return _TITLE_SUFFIX.sub("", raw.strip()).strip()


def _article(tree: Any, precision: bool) -> tuple[str, str]:
    """trafilatura's article text (tables as Markdown) and title; ("", "") when it finds none."""
    import trafilatura

    found: Any = trafilatura.bare_extraction(tree, with_metadata=True, include_tables=True, include_comments=False,
                                             include_images=False, favor_precision=precision)
    if found is None:
        return "", ""
    return found.text or "", found.title or ""


def html_text(name: str, data: bytes, text: str) -> str:
    """The article of a web page as text: title, 文号 and date lines, then the body."""
    if len(data) > MAX_HTML_BYTES:
        raise UploadTooLarge(f"{name}: a web page of {len(data)} bytes, more than {MAX_HTML_BYTES}",
                             f"网页文件“{name}”过大（超过 {MAX_HTML_BYTES // (1024 * 1024)} MB）。",
                             limit=MAX_HTML_BYTES)
    import lxml.html

    from assistant.ingest.loaders import markdown_tables

    try:
        parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
        # A str, so that the page's own charset declaration cannot re-decode what is decoded.
        tree = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text), parser=parser)
        for bad in tree.xpath("//script|//style|//noscript|//template|//iframe|//object|//embed"):
            bad.drop_tree()
        page_text = tree.text_content()
        meta_title = "".join(tree.xpath("//meta[@name='ArticleTitle']/@content")[:1])
        meta_dates = [str(v) for v in tree.xpath(_META_DATES)]
        body, found_title = _article(tree, precision=True)
        if not re.search(r"[\u4e00-\u9fff]", body):
            body, found_title = _article(tree, precision=False)
    except UploadTooLarge:
        raise
    except Exception as exc:  # lxml and trafilatura fail in many ways on broken markup
        raise UnreadableDocument(f"{name}: not a readable web page ({type(exc).__name__}: {exc})",
                                 f"无法解析网页文件“{name}”。") from exc
    if not re.search(r"[\u4e00-\u9fff]", body):
        return ""
    body_lines = [line.strip() for line in markdown_tables(body).splitlines()]
    body_lines = [line for line in body_lines if line]
    title = _title(meta_title or found_title)
    number, date = page_facts(page_text)
    for value in meta_dates if date is None else ():
        d = re.match(r"\s*" + _DATE, value)
        date = _iso(d) if d else None
        if date:
            break
    head: list[str] = []
    if title and not (body_lines and _title(body_lines[0]) == title):
        head.append(title)
    if number and number not in body[:2000]:
        head.append(number)
    if date and not re.search(rf"{date[0]}\s*年\s*{date[1]}\s*月\s*{date[2]}\s*日", "\n".join(body_lines[:3] + body_lines[-3:])):
        head.append(f"（{date[0]}年{date[1]}月{date[2]}日）")
    if title and body_lines and _title(body_lines[0]) == title:
        head = body_lines[:1] + head
        body_lines = body_lines[1:]
    log.info("%s: web page, title %r, 文号 %r, date %s", name, title, number, date)
    return "\n".join(head + body_lines) + "\n"
