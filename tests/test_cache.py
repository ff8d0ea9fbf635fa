"""The one source hasher every build keys on: any change to a source's bytes, its name or a part is a new key."""

from __future__ import annotations

from hil_bench.cache import source_key


def test_source_key_changes_with_bytes_name_and_parts_only(tmp_path):
    root = tmp_path / "firmware"
    (root / "src").mkdir(parents=True)
    a, b = root / "src" / "a.c", root / "src" / "b.c"
    a.write_text("int a;\n")
    b.write_text("int b;\n")
    key = source_key([a, b], "gcc 12", ["-O2"], root=root)
    assert key == source_key([a, b], "gcc 12", ["-O2"], root=root) and len(key) == 20
    assert key != source_key([a, b], "gcc 12", ["-O1"], root=root)
    assert key != source_key([b, a], "gcc 12", ["-O2"], root=root)
    moved = root / "a.c"                 # same bytes, another place under the root
    moved.write_text("int a;\n")
    assert key != source_key([moved, b], "gcc 12", ["-O2"], root=root)
    a.write_text("int a = 1;\n")
    assert key != source_key([a, b], "gcc 12", ["-O2"], root=root)
    outside = tmp_path / "build.py"      # outside the root: named by its file name
    outside.write_text("x = 1\n")
    assert source_key([outside], root=root) == source_key([outside], root=tmp_path / "elsewhere")
