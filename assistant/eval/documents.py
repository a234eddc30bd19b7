"""Documents made on the spot, not binary blobs: a Chinese PDF (reportlab, its built-in
`STSong-Light` CID font) and a Word file (python-docx), each with a title, a 文号, numbered items
with 牵头单位 / 完成时限 lines, a table and a signature date. `scripts/bench_update.py` uses the
PDF maker for its 20-page document; the tests (`tests/conftest.py`'s `files`) use both.
"""

from __future__ import annotations

from pathlib import Path

PDF_TITLE = "西安市雁塔区人民政府办公室关于印发雁塔区优化营商环境十条措施的通知"
PDF_NUMBER = "雁政办发〔2025〕7号"
DOCX_TITLE = "西安市碑林区关于支持中小微企业融资发展的若干措施"
DOCX_NUMBER = "碑政发〔2025〕3号"

_PDF_ITEMS = [
    ("压缩企业迁移登记时间", "推行企业跨区迁移“一次申请、一网通办”，企业迁移登记办理时间由5个工作日压缩至1个工作日。",
     "区市场监管局", "2025年6月底前"),
    ("落实首贷贴息", "对首次获得银行贷款的小微企业按贷款利息的50%给予贴息，每户每年最高补助20万元。",
     "区财政局", "2025年12月底前"),
    ("推行施工许可告知承诺", "对社会投资低风险仓库厂房项目实行施工许可告知承诺制，审批时间压缩至3个工作日以内。",
     "区住建局", "2023年9月底前"),
]

_DOCX_ITEMS = [
    ("设立应急转贷资金", "区财政安排应急转贷资金规模不低于5000万元，单笔转贷期限不超过15天，费率按日万分之一收取。",
     "区金融办", "2025年10月底前"),
    ("开展信用贷款投放", "引导辖区银行对纳税信用A级的小微企业发放无抵押信用贷款，单户额度最高300万元。",
     "区金融办", "2024年12月底前"),
]


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


def _pdf_story(pages: int, style):  # type: ignore[no-untyped-def]
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

    story = [Paragraph(PDF_TITLE, style), Paragraph(PDF_NUMBER, style), Spacer(1, 8),
             Paragraph("为进一步优化我区营商环境，激发市场主体活力，制定以下措施。", style)]
    n = 0
    for page in range(pages):
        story.append(Paragraph(f"{_cn(page + 1)}、第{page + 1}部分重点任务", style))
        for title, body, lead, deadline in _PDF_ITEMS:
            n += 1
            extra = "" if page == 0 else f"本部分第{page + 1}项任务与全区第{n}项重点工作衔接推进，确保各项措施落地见效。"
            story.append(Paragraph(f"{n}．{title}。{body}{extra}", style))
            story.append(Paragraph(f"牵头单位：{lead}", style))
            story.append(Paragraph(f"完成时限：{deadline}", style))
        if page == 0:
            table = Table([["序号", "事项名称", "承诺时限", "责任单位"],
                           ["1", "餐饮店开办一件事", "3个工作日", "区行政审批服务局"],
                           ["2", "便利店开办一件事", "2个工作日", "区行政审批服务局"]],
                          style=[("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, "black")])
            story.append(Paragraph("附表：雁塔区主题式服务事项清单", style))
            story.append(table)
        if page < pages - 1:
            story.append(PageBreak())
    story += [Spacer(1, 12), Paragraph("西安市雁塔区人民政府办公室", style), Paragraph("2025年3月10日", style)]
    return story


def make_pdf(path: Path, pages: int = 1) -> Path:
    """A text PDF of `pages` pages in Chinese; page 1 holds the three items and the table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(297, 30, f"- {doc.page} -")

    SimpleDocTemplate(str(path), pagesize=A4).build(_pdf_story(pages, style), onFirstPage=footer, onLaterPages=footer)
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("西安市碑林区人民政府文件")
    document.add_paragraph(DOCX_NUMBER)
    document.add_paragraph(DOCX_TITLE)
    document.add_paragraph("为缓解中小微企业融资难题，结合我区实际，制定如下措施。")
    document.add_paragraph("一、加大融资支持力度")
    for n, (title, body, lead, deadline) in enumerate(_DOCX_ITEMS, start=1):
        document.add_paragraph(f"（{'一二三'[n - 1]}）{title}。{body}")
        document.add_paragraph(f"牵头单位：{lead}")
        document.add_paragraph(f"完成时限：{deadline}")
    document.add_paragraph("二、融资担保费率标准")
    table = document.add_table(rows=3, cols=4)
    for row, cells in zip(table.rows, [["序号", "担保类型", "担保费率", "责任单位"],
                                       ["1", "政府性融资担保", "不超过1%", "区财政局"],
                                       ["2", "创业担保贷款担保", "免收担保费", "区人社局"]], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("西安市碑林区人民政府")
    document.add_paragraph("2025年2月18日")
    document.save(str(path))
    return path


# Scanned pages: text drawn into a picture with a CJK font, as a scanner would give it (no text layer).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei (`make fonts`)
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def cjk_font() -> Path | None:
    """A font file that draws Chinese, or None when the machine has none (`make fonts` installs one)."""
    return next((Path(p) for p in CJK_FONTS if Path(p).is_file()), None)


def wrap_lines(text: str, per_line: int = 28) -> list[str]:
    """Paragraphs cut into lines of `per_line` characters, as a page of 公文 sets them (28 × 22)."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        while paragraph:
            lines.append(paragraph[:per_line])
            paragraph = paragraph[per_line:]
    return lines


def render_page(lines: list[str], dpi: int = 200, font: Path | None = None, noise: bool = True,  # type: ignore[no-untyped-def]
                skew: float = 0.0, blur: float = 0.6):
    """An A4 page image (PIL, grayscale) with `lines` of 16-point text, blurred (`blur` px) and
    speckled like a scan when `noise`, turned `skew` degrees as a sheet laid askew."""
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font_path = font or cjk_font()
    if font_path is None:
        raise RuntimeError("no CJK font on this machine: run `make fonts` (Debian fonts-wqy-microhei)")
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    size = int(16 / 72 * dpi)  # 三号, the body size of 公文
    face = ImageFont.truetype(str(font_path), size)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    margin, leading = int(1.1 * dpi), int(size * 1.55)
    for n, line in enumerate(lines):
        draw.text((margin, margin + n * leading), line.replace("\t", "\u3000\u3000"), font=face, fill=0)
    if noise:
        rng = random.Random(len(lines))
        image = image.filter(ImageFilter.GaussianBlur(blur))
        pixels = image.load()
        assert pixels is not None
        for _ in range(width * height // 400):
            pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return image


def make_scanned_pdf(path: Path, pages: list[list[str]], dpi: int = 200, text_pages: dict[int, list[str]] | None = None) -> Path:
    """A PDF whose pages are pictures of `pages` (no text layer). `text_pages` maps a 1-based page
    number to lines that are set as real text instead, for a mixed PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        if text_pages and number in text_pages:
            pdf.setFont("STSong-Light", 14)
            for n, line in enumerate(text_pages[number]):
                pdf.drawString(72, A4[1] - 90 - n * 22, line)
        else:
            pdf.drawImage(ImageReader(render_page(lines, dpi)), 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
    pdf.save()
    return path


_OFD_NS = "http://www.ofdspec.org/2016"


def _ofd_page(lines: list[str]) -> str:
    """A page's Content.xml: one TextObject per line, 16-pt (5.6 mm) characters set 7.5 mm apart."""
    objects = []
    for n, line in enumerate(lines):
        escaped = line.replace("&", "&amp;").replace("<", "&lt;")
        deltas = " ".join(["5.6"] * max(len(line) - 1, 0))
        objects.append(f'<ofd:TextObject ID="{n + 10}" Boundary="25 {30 + 7.5 * n:.1f} 160 7" Font="1" Size="5.6">'
                       f'<ofd:TextCode X="0" Y="5.6" DeltaX="{deltas}">{escaped}</ofd:TextCode></ofd:TextObject>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{_OFD_NS}"><ofd:Content>'
            f'<ofd:Layer ID="2">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>')


def make_ofd(path: Path, pages: list[list[str]], parts: dict[str, bytes] | None = None) -> Path:
    """An OFD file (GB/T 33190: zipped XML) with one page per list of lines; `parts` adds or
    replaces members (for damaged files)."""
    import zipfile

    entries = "".join(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
    members: dict[str, bytes] = {
        "OFD.xml": (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{_OFD_NS}" DocType="OFD" Version="1.0">'
                    '<ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID></ofd:DocInfo>'
                    '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>').encode(),
        "Doc_0/Document.xml": (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{_OFD_NS}">'
                               '<ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
                               f'</ofd:PageArea></ofd:CommonData><ofd:Pages>{entries}</ofd:Pages></ofd:Document>').encode(),
    }
    for n, lines in enumerate(pages):
        members[f"Doc_0/Pages/Page_{n}/Content.xml"] = _ofd_page(lines).encode()
    members.update(parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# Plain-text notices for bulk imports (`scripts/bench_bulk.py`, tests/slow/test_bulk.py): each a
# different title, 文号, date and items, its region named in the issuer (so it is read from it).
_PLACES = (("西安市", "市", "西安"), ("咸阳市", "咸", "咸阳"), ("宝鸡市", "宝", "宝鸡"), ("延安市", "延", "延安"),
           ("兰州市", "兰", "兰州"), ("银川市", "银", "银川"), ("陕西省", "陕", "陕西"), ("甘肃省", "甘", "甘肃"))
_TOPICS = ("企业开办", "不动产登记", "用水报装", "用电报装", "纳税服务", "跨境贸易", "招标投标", "政务服务",
           "市场监管", "工程建设项目审批", "融资服务", "知识产权保护")
_DEPARTMENTS = ("市场监管局", "税务局", "自然资源局", "住建局", "财政局", "发展改革委", "行政审批服务局")


def notice_text(n: int, place: int | None = None) -> str:
    """Notice number `n`: its issuer names a region of the product's region table (`place`
    picks which; default by n), its items hold n's own figures, so no two notices are alike."""
    city, short, _region = _PLACES[(n if place is None else place) % len(_PLACES)]
    topic = _TOPICS[n % len(_TOPICS)]
    year = 2020 + n % 5
    lines = [f"{city}人民政府办公室关于进一步优化{topic}服务的通知（第{n}号）",
             f"{short}政办发〔{year}〕{n % 97 + 1}号", "各区县人民政府，市人民政府各工作部门：",
             f"为持续优化营商环境，提升{topic}便利度，现就有关事项通知如下。", "一、工作目标"]
    for item in range(1, 5):
        days = (n * 7 + item * 3) % 15 + 1
        department = _DEPARTMENTS[(n + item) % len(_DEPARTMENTS)]
        lines += [f"{item}. {topic}第{item}项事项{days}个工作日内办结，材料精简至{(n + item) % 6 + 2}份（编号{n}-{item}）。",
                  f"牵头单位：{city.removesuffix('市').removesuffix('省')}{department}",
                  f"完成时限：{year}年{item * 3}月底前"]
    lines += ["二、保障措施", f"各单位要加强组织领导，确保{topic}各项措施落实到位。",
              f"{city}人民政府办公室", f"{year}年{n % 12 + 1}月{n % 27 + 1}日"]
    return "\n".join(lines) + "\n"


def make_notices(folder: Path, count: int, start: int = 0) -> list[Path]:
    """`count` plain-text notices in `folder`, numbered from `start`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"notice_{n:04d}.txt"
        path.write_text(notice_text(n), encoding="utf-8")
        paths.append(path)
    return paths
