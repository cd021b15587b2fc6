import json
from pathlib import Path

import pytest

from index.loaders import LoadError, iter_files, load_file


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def test_txt_keeps_exact_text_and_takes_first_line_as_title(tmp_path):
    path = write(tmp_path / "note.txt", "Quarterly report\n\nSales rose 12% in March.\r\n")
    [doc], problems = load_file(path)
    assert doc.text == "Quarterly report\n\nSales rose 12% in March.\n"
    assert doc.title == "Quarterly report" and not doc.titled  # the first line is in the text already
    assert doc.source == str(path.resolve()) and doc.path == str(path.resolve())
    assert problems == []


def test_markdown_title_drops_the_hashes(tmp_path):
    [doc], _ = load_file(write(tmp_path / "a.md", "# Release notes\n\nVersion 2 adds search.\n"))
    assert doc.title == "Release notes"
    assert "Version 2 adds search." in doc.text


def test_html_uses_title_and_drops_scripts(tmp_path):
    page = "<html><head><title>Tide tables</title><script>var x = 'secret';</script></head>" \
           "<body><h1>High tide</h1><p>High tide is at 6:40 am.</p><style>p{}</style></body></html>"
    [doc], _ = load_file(write(tmp_path / "t.html", page))
    assert doc.title == "Tide tables" and doc.titled
    assert "High tide is at 6:40 am." in doc.text
    assert "secret" not in doc.text and "p{}" not in doc.text


def test_pdf_text_is_extracted(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "memo.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "The warehouse in Leeds closes on Fridays.")
    pdf.showPage()
    pdf.drawString(72, 720, "Second page mentions Bristol.")
    pdf.save()
    [doc], _ = load_file(path)
    assert "The warehouse in Leeds closes on Fridays." in doc.text
    assert "Bristol" in doc.text


def test_docx_text_is_extracted(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Onboarding", level=1)
    document.add_paragraph("New staff get a laptop on day one.")
    path = tmp_path / "guide.docx"
    document.save(path)
    [doc], _ = load_file(path)
    assert "New staff get a laptop on day one." in doc.text
    assert doc.title == "Onboarding"


def test_jsonl_corpus_records_keep_ids_titles_urls_and_report_bad_lines(tmp_path):
    lines = [
        json.dumps({"doc_id": "n1", "title": "Storm", "url": "https://x.test/storm", "published_at": "2022-06-01",
                    "text": "A storm hit the coast."}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": "Untitled record about rivers."}),
    ]
    path = write(tmp_path / "corpus.jsonl", "\n".join(lines) + "\n")
    docs, problems = load_file(path)
    assert [d.doc_id for d in docs][0] == "n1"
    first, second = docs
    assert first.title == "Storm" and first.titled and first.source == "https://x.test/storm"
    assert first.extra == {"url": "https://x.test/storm", "published_at": "2022-06-01"}
    assert second.doc_id.endswith("-4") and second.title == "Untitled record about rivers." and not second.titled
    assert len(problems) == 2 and problems[0].startswith("corpus.jsonl:2")


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "no text"),
        ("blank.md", b"   \n\n  \t", "no text"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin1.txt", "café crème".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "unreadable PDF"),
        ("broken.docx", b"PK\x03\x04 this is not a zip archive", "unreadable DOCX"),
        ("records.jsonl", b"{bad\n[1,2]\n", "no usable records"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type"),
    ],
)
def test_bad_files_raise_a_one_line_reason(tmp_path, name, content, reason):
    with pytest.raises(LoadError) as error:
        load_file(write(tmp_path / name, content))
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_iter_files_recurses_sorted_skips_hidden_and_survives_symlink_loops(tmp_path):
    write(tmp_path / "b" / "deep" / "x.txt", "x")
    write(tmp_path / "a.txt", "a")
    write(tmp_path / ".git" / "config", "hidden")
    (tmp_path / "b" / "loop").symlink_to(tmp_path / "b")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)]
    assert found == ["a.txt", "b/deep/x.txt"]
