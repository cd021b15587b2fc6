from index.chunking import chunk_text
from index.sentences import sentence_spans


def long_text() -> str:
    paragraphs = []
    for i in range(40):
        paragraphs.append(
            f"Paragraph {i} opens here. The river Aire passed mill number {i} before noon. "
            f"Workers counted {i * 7} bales, and the foreman wrote it down. Nobody argued."
        )
    return "Title line without a period\n\n" + "\n\n".join(paragraphs) + "\n"


def test_every_chunk_is_exactly_the_text_at_its_offsets():
    text = long_text()
    chunks = chunk_text(text)
    assert len(chunks) > 5
    for i, chunk in enumerate(chunks):
        assert chunk.index == i
        assert text[chunk.start : chunk.end] == chunk.text


def test_chunks_cover_the_text_in_order_with_small_overlap():
    text = long_text()
    chunks = chunk_text(text)
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())
    for before, after in zip(chunks, chunks[1:]):
        assert before.start < after.start <= before.end + 2  # contiguous or overlapping, never a gap
        assert after.start >= before.start + (before.end - before.start) // 2  # overlap is small


def test_chunks_end_at_sentence_boundaries():
    chunks = chunk_text(long_text())
    for chunk in chunks[:-1]:
        assert chunk.text.rstrip()[-1] in ".!?\"”" or chunk.text.endswith("period")


def test_chunks_offsets_hold_with_repeated_text():
    text = ("Same sentence again. " * 200).strip()
    for chunk in chunk_text(text):
        assert text[chunk.start : chunk.end] == chunk.text


def test_short_text_is_one_chunk():
    [chunk] = chunk_text("  Just one line.  ")
    assert chunk.text == "Just one line." and (chunk.start, chunk.end) == (2, 16)


def test_sentence_spans_split_on_punctuation_and_line_breaks():
    text = "Headline without stop\nFirst sentence here. Dr. Smith arrived at 5 p.m. on Monday. Third one!"
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Headline without stop",
        "First sentence here.",
        "Dr. Smith arrived at 5 p.m. on Monday.",
        "Third one!",
    ]
    assert sentence_spans("  x y.", offset=10) == [(12, 16)]


def test_technical_abbreviations_and_a_rust_attribute_end_no_sentence():
    text = ("Lints are grouped, e.g. by style, i.e. how code reads. Smith et al. found more, cf. Fig. 3 and Eq. 2. "
            "Add #![deny(missing_docs)] to the crate root. It is checked!")
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Lints are grouped, e.g. by style, i.e. how code reads.",
        "Smith et al. found more, cf. Fig. 3 and Eq. 2.",
        "Add #![deny(missing_docs)] to the crate root.",
        "It is checked!",
    ]
