"""Uploads: safe names, per-file reasons, nothing written outside the upload folder."""

import pytest

from rag import Settings
from rag.library import Library, UploadError, safe_upload_name


@pytest.mark.parametrize("sent, saved", [
    ("report.pdf", "report.pdf"),
    ("../../etc/notes.txt", "notes.txt"),
    ("/abs/path/notes.md", "notes.md"),
    ("C:\\Users\\me\\memo.docx", "memo.docx"),
    ("we!rd$ name?.txt", "we_rd_ name_.txt"),
    ("tab\tand\nnewline.txt", "tabandnewline.txt"),
])
def test_safe_upload_names(sent, saved):
    assert safe_upload_name(sent) == saved


@pytest.mark.parametrize("sent, reason", [
    ("..", "invalid file name"), ("../", "invalid file name"), ("", "invalid file name"),
    (".hidden.txt", "invalid file name"), ("program.exe", "unsupported file type .exe"),
    ("noextension", "unsupported file type (none)"),
])
def test_unsafe_or_unsupported_names_are_refused(sent, reason):
    with pytest.raises(UploadError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        safe_upload_name(sent)


def test_upload_keeps_good_files_and_says_why_bad_ones_were_refused(isolated_home, tmp_path):
    library = Library(Settings(home=isolated_home, llm="extractive", max_upload_mb=1))
    report = library.upload([
        ("good.md", b"# Ferns\n\nFerns reproduce by spores, not seeds."),
        ("../evil.txt", b"Text that must be saved inside the folder, as evil.txt."),
        ("latin1.txt", "caf\xe9 ol\xe9".encode("latin-1")),
        ("big.txt", b"x" * (1024 * 1024 + 1)),
        ("broken.pdf", b"%PDF-1.4 truncated"),
    ], collection="notes")
    folder = library.upload_folder("notes")
    assert report.accepted == 2
    reasons = {r["file"]: r["reason"] for r in report.to_dict()["rejected"]}
    assert "over the 1 MB limit" in reasons["big.txt"] and "UTF-8" in reasons["latin1.txt"] and "broken.pdf" in reasons
    assert sorted(p.name for p in folder.iterdir()) == ["evil.txt", "good.md"]  # refused files aren't kept
    assert not (isolated_home / "evil.txt").exists() and not (folder.parent / "evil.txt").exists()
    assert "spores" in library.get("notes").ask("How do ferns reproduce?").answer


def test_a_jsonl_upload_with_some_bad_records_is_kept_and_counted(isolated_home):
    library = Library(Settings(home=isolated_home, llm="extractive"))
    records = b'{"doc_id": "a", "text": "Otters hold hands while they sleep."}\n{"doc_id": "b"}\nnot json\n'
    report = library.upload([("notes.jsonl", records)], collection="notes")
    assert report.accepted == 1 and report.ingest.skipped  # the bad records are reported...
    assert (library.upload_folder("notes") / "notes.jsonl").exists()  # ...and the good one's file stays
    assert [d["doc_id"] for d in library.get("notes").documents()] == ["a"]
