"""indicators.reader.decode: what it takes as text and what it refuses, naming the file."""
import pytest

from indicators.reader import ReadError, decode

TEXT = "全省粮食总产1640亿斤，同比增长2.1%。\r\n第二行"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_common_encodings_decode(encoding):
    text = TEXT if encoding != "big5" else "全省糧食總產1640億斤，同比增長2.1%。\r\n第二行"
    got, _ = decode(text.encode(encoding), "a.txt")
    assert got == text.replace("\r\n", "\n")


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (b"abc\x00\x01\x02\x00def" * 10, "binary file"),
    (bytes(range(1, 9)) + b"abc", "binary file"),  # valid UTF-8, but control characters
])
def test_refused_with_file_and_reason(data, reason):
    with pytest.raises(ReadError) as info:
        decode(data, "dir/bad.txt")
    assert str(info.value).startswith("dir/bad.txt: ") and reason in str(info.value)
