"""Metadata read from a document's own text: title, 文号, date, region, issuer."""

from __future__ import annotations

from assistant.eval.documents import DOCX_NUMBER, DOCX_TITLE, PDF_NUMBER
from assistant.ingest.loaders import load_file
from assistant.ingest.manifest import load_manifest
from assistant.ingest.metadata import detect_metadata
from assistant.settings import REPO_ROOT


def test_metadata_is_read_from_the_text(files):
    manifest = load_manifest(REPO_ROOT / "corpus")
    pdf = detect_metadata(load_file(files["pdf"]).text, manifest)
    # the district's own document (西安市雁塔区人民政府办公室): its region is the district, under 西安
    assert pdf.doc_number == PDF_NUMBER and pdf.date == "2025-03-10" and pdf.region == "雁塔区"
    assert manifest.ancestors(pdf.region)[:2] == ["雁塔区", "西安"]
    assert pdf.title.startswith("西安市雁塔区人民政府办公室关于印发") and pdf.issuer == "西安市雁塔区人民政府办公室"
    docx = detect_metadata(load_file(files["docx"]).text, manifest)
    assert (docx.title, docx.doc_number, docx.date) == (DOCX_TITLE, DOCX_NUMBER, "2025-02-18")
    assert docx.issuer == "西安市碑林区人民政府"
