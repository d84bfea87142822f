import io

from docx import Document

from tests.readback import paragraphs_of
from township_data.documents import Block, government_docx


def test_government_layout_round_trip() -> None:
    data = government_docx(
        [
            Block("title", "潭湾镇2024年上半年工作总结"),
            Block("heading", "一、工作开展情况"),
            Block("body", "年初以来，开展专项隐患排查整治58次。"),
        ]
    )
    assert paragraphs_of(data) == [
        "潭湾镇2024年上半年工作总结",
        "一、工作开展情况",
        "年初以来，开展专项隐患排查整治58次。",
    ]
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    title, _, body = doc.paragraphs
    assert title.alignment == 1  # centred
    assert body.paragraph_format.first_line_indent.pt == 32
    east_asian = body.runs[0]._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asian == "仿宋_GB2312"
    footer_xml = section.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer_xml
