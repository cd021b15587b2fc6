"""Laid-out documents read as sentences: HTML inline tags, Markdown markup, table rows, DOCX, text
wrapped at a fixed width, PDF pages."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.loaders import LoadError, load_file
from index.reflow import unwrap
from index.sentences import sentence_spans

ROOT = Path(__file__).resolve().parents[2]


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


PROSE = ("The harbour board of Velden met on Tuesday and voted to buy four new cranes for the container "
         "terminal, replacing machines that had worked the quay since 1974. The cranes will arrive in "
         "spring, and the board expects the terminal to handle twice as many ships by the following "
         "autumn, according to the minutes published after the meeting.")


def test_inline_html_tags_stay_inside_their_sentence(tmp_path):
    page = ("<html><head><title>Port news</title></head><body><nav><a href='/'>Home</a> <a href='/c'>Cranes</a></nav>"
            "<button>Dark theme</button><select><option>English</option></select><h1>Cranes</h1>"
            "<p>The board bought <a href='/c'>four new cranes</a> for the <b>container</b>\n   terminal.</p>"
            "<ul><li>First item</li><li>Second <i>item</i></li></ul><pre>x = 1\ny = 2</pre>"
            "<div>Outer text<div>Inner block</div>tail</div></body></html>")
    path = tmp_path / "port.html"
    path.write_text(page)
    [doc], _ = load_file(path)
    assert sentences(doc.text) == ["Cranes", "The board bought four new cranes for the container terminal.",
                                   "First item", "Second item", "x = 1", "y = 2", "Outer text", "Inner block", "tail"]
    assert doc.title == "Port news"


def test_a_page_with_a_main_element_is_read_from_there_and_one_without_is_read_whole(tmp_path):
    chrome = ("<header><p>Velden Port Authority</p></header><div class='help'><p>Press S to search.</p></div>"
              "<aside><p>Subscribe to our newsletter.</p></aside><footer><p>All rights reserved.</p></footer>")
    content = "<h1>Cranes</h1><p>The board bought four new cranes.</p>"
    pages = {
        "main.html": f"<html><body>{chrome}<main>{content}</main></body></html>",
        "role.html": f"<html><body>{chrome}<div role='main'><div>{content}</div></div></body></html>",
        # a main element still empty (a script fills it) or two visible ones: the page is read whole
        "empty.html": f"<html><body>{chrome}<main> </main>{content}</body></html>",
        "two.html": f"<html><body>{chrome}<main>{content}</main><main><p>Second.</p></main></body></html>",
        "hidden.html": f"<html><body>{chrome}<main>{content}</main><main hidden><p>Old tab.</p></main></body></html>",
    }
    read = {}
    for name, page in pages.items():
        [doc], _ = load_file(write(tmp_path / name, page))
        read[name] = sentences(doc.text)
    assert read["main.html"] == read["role.html"] == read["hidden.html"] == [
        "Cranes", "The board bought four new cranes."]
    site = ["Velden Port Authority", "Press S to search.", "Subscribe to our newsletter.", "All rights reserved."]
    assert read["empty.html"] == site + ["Cranes", "The board bought four new cranes."]
    assert read["two.html"] == site + ["Cranes", "The board bought four new cranes.", "Second."]
    # a <main> tag written into Markdown is part of the file, not its boundary
    [doc], _ = load_file(write(tmp_path / "notes.md", "Before the tag.\n\n<main>\n\nInside it.\n\n</main>\n\nAfter it.\n"))
    assert sentences(doc.text) == ["Before the tag.", "Inside it.", "After it."]


def test_markdown_is_read_as_its_words_not_its_markup(tmp_path):
    note = textwrap.dedent("""\
        ---
        layout: page
        title: "Harbour news, June"
        ---
        # Port *news*

        [![build](https://ci.example/badge.svg)](https://ci.example)

        The board bought [four new cranes](https://example.org/cranes "Cranes") for the **container**
        terminal, says the [report][minutes].

        | Crane | Lift |
        |-------|------|
        | `C-1` | 40 t |

        ```sh
        crane --lift 40
        crane --park
        ```

        <details><summary>Older cranes</summary>

        Sold in ~~2019~~ 2020.
        </details>

        [minutes]: https://example.org/minutes.pdf
        """)
    [doc], _ = load_file(write(tmp_path / "port.md", note))
    assert sentences(doc.text) == ["Port news", "The board bought four new cranes for the container terminal, says the report.",
                                   "Crane | Lift", "C-1 | 40 t", "crane --lift 40", "crane --park", "Older cranes",
                                   "Sold in 2020."]
    assert doc.title == "Harbour news, June" and doc.titled  # the front matter's title, not the first heading
    assert "http" not in doc.text and "layout" not in doc.text
    [ruled], _ = load_file(write(tmp_path / "ruled.md", "---\n\nA page that opens with a rule.\n\n---\n\nMore.\n"))
    assert sentences(ruled.text) == ["A page that opens with a rule.", "More."]  # no front matter to drop
    assert ruled.title == "A page that opens with a rule." and not ruled.titled  # only its first line


def test_a_markdown_file_opening_with_a_heading_is_titled_by_it(tmp_path):
    readme = "# The `crane` *tool*\n\nThere are over 40 lifts in this crate!\n"
    [doc], _ = load_file(write(tmp_path / "README.md", readme))
    assert (doc.title, doc.titled) == ("The crane tool", True)
    for later in ("Intro line.\n\n# Heading later\n\nText.\n", "## A section first\n\nText.\n"):
        [doc], _ = load_file(write(tmp_path / "notes.md", later))
        assert not doc.titled


def test_markdown_nested_deeper_than_the_parser_reads_loses_no_word(tmp_path):
    thread = "Reply on top.\n\n" + "".join(">" * depth + f" Quoted at depth {depth}.\n" for depth in range(1, 31))
    [doc], _ = load_file(write(tmp_path / "thread.md", thread))
    assert "Quoted at depth 30." in doc.text and "Reply on top." in doc.text


def test_an_html_table_row_is_one_line_of_cells(tmp_path):
    page = "<table><tr><th>Category</th><th>Level</th></tr><tr><td>correctness</td><td><b>deny</b></td></tr></table>"
    [doc], _ = load_file(write(tmp_path / "lints.html", page))
    assert sentences(doc.text) == ["Category | Level", "correctness | deny"]


def test_a_docx_is_read_in_order_with_table_rows_whole_and_line_breaks_inside_their_sentence(tmp_path):
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Velden harbour board - draft"  # page furniture
    document.add_heading("Crane purchase", level=1)
    intro = document.add_paragraph("The board bought four cranes")
    intro.add_run().add_break()  # Shift+Enter inside a sentence
    intro.add_run("for the container terminal.")
    table = document.add_table(rows=2, cols=2)
    for row, (crane, lift) in zip(table.rows, [("Crane", "Lift"), ("C-1", "40 t")]):
        row.cells[0].text, row.cells[1].text = crane, lift
    document.add_paragraph("They arrive in spring.")
    path = tmp_path / "cranes.docx"
    document.save(path)
    [doc], _ = load_file(path)
    assert sentences(doc.text) == ["Crane purchase", "The board bought four cranes for the container terminal.",
                                   "Crane | Lift", "C-1 | 40 t", "They arrive in spring."]
    assert doc.title == "Crane purchase"


def test_a_docx_reads_tracked_insertions_content_controls_and_a_text_box_once_and_no_deleted_text(tmp_path):
    import docx
    from lxml import etree

    namespaces = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                  'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
    box = "<w:txbxContent><w:p><w:r><w:t>Box text.</w:t></w:r></w:p></w:txbxContent>"
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p>{}</w:tc>"
    inner = f"<w:tbl><w:tr>{cell.format('In 1', '')}{cell.format('In 2', '')}</w:tr></w:tbl>"
    blocks = f"""<w:root {namespaces}>
        <w:p><w:r><w:t xml:space="preserve">Price </w:t></w:r><w:del><w:r><w:delText>20</w:delText></w:r></w:del>
             <w:ins><w:r><w:t>15</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> euros.</w:t></w:r></w:p>
        <w:sdt><w:sdtContent><w:p><w:r><w:t>Cover title</w:t></w:r></w:p></w:sdtContent></w:sdt>
        <w:p><w:r><mc:AlternateContent><mc:Choice>{box}</mc:Choice><mc:Fallback>{box}</mc:Fallback></mc:AlternateContent></w:r>
             <w:r><w:t>Anchor sentence.</w:t></w:r></w:p>
        <w:tbl><w:tr>{cell.format('Outer A', inner)}{cell.format('Outer B', '')}</w:tr></w:tbl>
    </w:root>"""
    document = docx.Document()
    body = document.element.body
    for block in etree.fromstring(blocks):
        body.insert(len(body) - 1, block)  # before the section properties, which end the body
    path = tmp_path / "tracked.docx"
    document.save(path)
    [doc], _ = load_file(path)
    assert doc.text.split("\n\n") == ["Price 15 euros.", "Cover title", "Anchor sentence.", "Box text.",
                                        "Outer A | Outer B", "In 1 | In 2"]


def test_a_deeply_nested_page_is_read(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 3000 + "Deep fact about cranes." + "</div>" * 3000)
    [doc], _ = load_file(path)
    assert doc.text == "Deep fact about cranes."


def test_text_wrapped_at_a_fixed_width_reads_as_whole_sentences_with_its_offsets_kept(tmp_path):
    wrapped = "Harbour minutes\n\n" + textwrap.fill(PROSE, 72) + "\n\n- one item\n- another item\n"
    path = tmp_path / "minutes.txt"
    path.write_text(wrapped)
    [doc], _ = load_file(path)
    assert len(doc.text) == len(wrapped)  # a wrapped break became a space: offsets into the file still hold
    assert [a for a, b in zip(doc.text, wrapped) if a != b] == [" "] * (textwrap.fill(PROSE, 72).count("\n"))
    assert sentences(doc.text) == ["Harbour minutes", *sentences(PROSE), "- one item", "- another item"]


def test_short_lines_lists_code_and_tables_are_not_joined():
    column = "Velden Harbour Board\n12 Quay Street\nVelden 4410\nTel 555 0101\n"
    assert unwrap(column) == column
    long_lines = "A paragraph that an editor soft-wraps " * 6 + "\nNext paragraph " * 3
    assert unwrap(long_lines) == long_lines  # lines past any fixed width are paragraphs
    fill = textwrap.fill(PROSE, 60)
    code = "```\n" + fill + "\n```\n"
    assert unwrap(code) == code
    items = fill.replace("\n", "\n* ")
    assert unwrap(items) == items
    table = "| crane | year of build and maker  |\n| A     | 1974, Hamburg shipyard    |\n"
    assert unwrap(table) == table
    rows = ("crane A | bought in 1974 from the Hamburg shipyard | still working on the quay\n"
            "crane B | bought in 1988 from the Rotterdam shipyard | sold to Ostra in 2019\n") * 2
    assert unwrap(rows) == rows


def _pdf(path: Path, pages: list[list[str]], running_head: str) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for number, lines in enumerate(pages, start=11):  # the printed page numbers start at 11
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, 800, f"{running_head}, page {number}")
        for row, line in enumerate(lines):
            pdf.drawString(72, 760 - 12 * row, line)
        pdf.drawString(300, 40, str(number))
        pdf.showPage()
    pdf.save()
    return path


def test_pdf_pages_lose_their_running_heads_numbers_and_contents_and_join_their_lines(tmp_path):
    pages = [
        ["Velden Harbour Annual Report", "This report covers the harbour of Velden in the year 2023.", "Contents",
         "1 Cranes . . . . . . . . . . . . . . . . . . . . . . . . . . . . 12", "2 The register . . . . . . . . . . . . . . 14"],
        ["The harbour board of Velden met on Tuesday and voted to buy four new cranes for the",
         "container terminal, replacing machines that had worked the quay since 1974. The cranes"],
        ["will arrive in spring, and the board expects the terminal to handle twice as many ships",
         "by the following autumn, according to the minutes that the harbour board pub-",
         "lished after the meeting on Tuesday."],
        ["The register of cranes lists every machine bought since the quay was built in 1901, with",
         "the price paid and the yard that made it."],
    ]
    [doc], _ = load_file(_pdf(tmp_path / "report.pdf", pages, "Velden Harbour Annual Report 2023"))
    assert "page" not in doc.text and not {"11", "12", "13", "14"} & set(doc.text.split())
    assert doc.title == "Velden Harbour Annual Report"
    assert sentences(doc.text) == [
        "Velden Harbour Annual Report",
        "This report covers the harbour of Velden in the year 2023.",
        "Contents",
        "The harbour board of Velden met on Tuesday and voted to buy four new cranes for the container terminal, "
        "replacing machines that had worked the quay since 1974.",
        "The cranes will arrive in spring, and the board expects the terminal to handle twice as many ships by the "
        "following autumn, according to the minutes that the harbour board published after the meeting on Tuesday.",
        "The register of cranes lists every machine bought since the quay was built in 1901, with the price paid "
        "and the yard that made it.",
    ]


def test_a_short_pdf_keeps_every_line(tmp_path):
    [doc], _ = load_file(_pdf(tmp_path / "memo.pdf", [["Leeds closes on Fridays."], ["Bristol opens."]], "Memo"))
    assert sentences(doc.text) == ["Memo, page 11", "Leeds closes on Fridays.", "11", "Memo, page 12",
                                   "Bristol opens.", "12"]


def test_reading_a_pdf_prints_no_library_log_lines(tmp_path):
    path = _pdf(tmp_path / "memo.pdf", [["The warehouse in Leeds closes on Fridays."]], "Memo")
    script = ("import logging, sys; from pathlib import Path; from index.loaders import load_file; "
              "load_file(Path(sys.argv[1])); print(len(logging.getLogger().handlers))")
    done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "0" and done.stderr == ""


def test_an_older_page_is_read_in_the_charset_it_declares_and_an_undeclared_one_is_refused(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"><title>Caf\u00e9</title></head><body><p>Cr\u00e8me br\u00fbl\u00e9e costs four euros.</p></body></html>'
    declared = tmp_path / "menu.html"
    declared.write_bytes(page.encode("latin-1"))
    [doc], _ = load_file(declared)
    assert doc.text == "Cr\u00e8me br\u00fbl\u00e9e costs four euros." and doc.title == "Caf\u00e9"

    undeclared = tmp_path / "old.html"
    undeclared.write_bytes(page.replace('<meta charset="iso-8859-1">', "").encode("latin-1"))
    wrong = tmp_path / "wrong.html"
    wrong.write_bytes(page.replace("iso-8859-1", "no-such-charset").encode("latin-1"))
    for path, reason in ((undeclared, "not UTF-8"), (wrong, "nor the no-such-charset it declares")):
        with pytest.raises(LoadError, match=reason):
            load_file(path)
